/** The device client's options, states and events. */
import type { MarqueeError } from '../../errors';
import type { ServerAction, ServerActionName } from '../../protocol/signage/actions';
import type { PlaylistStatusMessage } from '../../protocol/signage/client-messages';
import type { DeviceModelInput } from '../../protocol/signage/device';
import type { DeviceScreens, Playlist } from '../../protocol/signage/playlist';
import type { BackoffOptions } from '../../transport/backoff';
import type { Credentials, TokenSet } from '../../transport/token-manager';
import type { DeviceSocketOptions } from './channel';
import type { CommandHandler, CommandOutcome } from './commands';
import type { MediaResult, OpenDownloadFile } from './downloader';
import type { ScreenKey } from './screens';

export interface DeviceClientOptions extends Omit<
  DeviceSocketOptions,
  'onConnect' | 'coalesceKey'
> {
  /**
   * The server's origin (plus a prefix, if it sits behind one), e.g. `https://signage.example`.
   * REST paths (`/api/v1/...`), relative `media_url`s and the socket are resolved against it.
   */
  readonly baseUrl: string;
  /** The user account the device signs in with (`POST /api/v1/auth/token/`). */
  readonly credentials: Credentials | (() => Credentials | Promise<Credentials>);
  /**
   * What the device reports on every registration (the seed's `DeviceModel`); `brightness` and
   * `volume` then follow `set_brightness` / `set_volume`.
   */
  readonly device: DeviceModelInput;
  /** Directory for media files, interrupted downloads and the last playlists; created if needed. */
  readonly cacheDir: string;
  /**
   * The fetch implementation (REST calls and downloads).
   * @default globalThis.fetch
   */
  readonly fetch?: typeof fetch;
  /**
   * The clock the token lifetime is measured on, in milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * A token pair restored from storage (the seed keeps tokens across restarts).
   * @default undefined (sign in with `credentials`)
   */
  readonly tokens?: TokenSet;
  /**
   * Told about every new token pair, to persist it.
   * @default undefined
   */
  readonly onTokens?: (tokens: TokenSet | undefined) => void;
  /**
   * Refresh the access token this long before it expires (the seed recommends 5 minutes).
   * @default 300000
   */
  readonly refreshSkewMs?: number;
  /**
   * Limit for one REST call.
   * @default 30000
   */
  readonly timeoutMs?: number;
  /**
   * A download is abandoned (and resumed on retry) when no byte arrived for this long.
   * @default 30000
   */
  readonly downloadStallTimeoutMs?: number;
  /**
   * Retries of one media transfer after a network error, a stall or a 5xx; each resumes with a
   * Range request.
   * @default 3
   */
  readonly downloadRetries?: number;
  /**
   * Wait before download retry n is this times n, in milliseconds.
   * @default 1000
   */
  readonly downloadRetryDelayMs?: number;
  /**
   * Opens the file a download is written to (the item's `.part` in `cacheDir`): `'w'` from the
   * start, `'a'` to append to an interrupted one. A write that rejects fails the transfer as a
   * full disk does; simulators use it to inject storage faults.
   * @default `open` of `node:fs/promises`
   */
  readonly openDownloadFile?: OpenDownloadFile;
  /**
   * Backoff between attempts to reach the server after it was unreachable (startup keeps
   * playing from the cache meanwhile).
   * @default { initialMs: 1000, maxMs: 60000 }
   */
  readonly retryBackoff?: BackoffOptions;
  /**
   * Applies each control action; throwing or rejecting refuses it and the ack says why. Runs
   * after the typed event's listeners and before the client's own work (reload, switch).
   * @default undefined (a command is acknowledged once its listeners returned)
   */
  readonly onCommand?: CommandHandler;
  /**
   * How long `onCommand` may take before the command is refused.
   * @default 10000
   */
  readonly commandTimeoutMs?: number;
  /**
   * Most messages kept for the socket while it is not open (statuses of a first download are
   * sent once it connects).
   * @default 1000
   */
  readonly maxQueue?: number;
}

/**
 * - `idle`: created, `start()` not called yet
 * - `starting`: the startup flow is running (sign in, register, playlists, downloads, connect)
 * - `online`: the control socket is open
 * - `offline`: the server is unreachable; the device plays from its cache and keeps trying
 * - `closed`: `close()` was called, or the server ended the device's session for good (an
 *   admin removed the device, a newer connection for the same `sn_number` replaced this one, or
 *   the socket is forbidden to this account); an `error` event (NOT_FOUND, CONFLICT, FORBIDDEN,
 *   with the close code in `details`) says which
 */
export type DeviceState = 'idle' | 'starting' | 'online' | 'offline' | 'closed';

export interface DeviceStateChange {
  readonly state: DeviceState;
  readonly previous: DeviceState;
}

/** Where the playlists came from. */
export type ScreensSource = 'server' | 'cache';

/** One typed event per server action, named after it (`play`, `switch_playlist`, ...). */
export type DeviceActionEvents = {
  [A in ServerActionName]: [action: Extract<ServerAction, { action: A }>];
};

export interface DeviceStatusEvents {
  state: [change: DeviceStateChange];
  /** New playlists: from the server, or from the cache when it is unreachable. */
  screens: [screens: DeviceScreens, source: ScreensSource];
  /** One media item was checked, downloaded or given up on. */
  media: [result: MediaResult];
  /** A `playlist_status` message was sent (or queued until the socket opens). */
  'playlist-status': [status: PlaylistStatusMessage];
  /** A `ready_playlists` message was sent (or queued until the socket opens). */
  'ready-playlists': [playlistIds: number[]];
  /** The playlist a screen plays changed (startup, reload, `switch_playlist`). */
  'current-playlist': [playlist: Playlist, screen: ScreenKey];
  /** A control action was handled; `acked` says whether an `ack` went back. */
  command: [action: ServerAction, outcome: CommandOutcome & { readonly acked: boolean }];
  /** The server delivered a `command_id` again that was already applied (or is being applied). */
  redelivered: [action: ServerAction];
  error: [error: MarqueeError];
}

export type DeviceClientEvents = DeviceActionEvents & DeviceStatusEvents;
