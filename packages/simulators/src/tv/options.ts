/**
 * The TV simulator's public contract in one place: its options, the entries of its logs, the
 * command hook and its counters.
 */
import type {
  ClientMessage,
  DeviceClientOptions,
  DeviceModelInput,
  DeviceState,
  ServerAction,
  ServerMessage,
} from '@marquee/sdk/device';
import type { TvSimulator } from './tv-simulator';

/** Device client options the simulator leaves to the caller (delays, heartbeat, limits). */
export type TvClientOptions = Omit<
  Partial<DeviceClientOptions>,
  | 'baseUrl'
  | 'credentials'
  | 'device'
  | 'cacheDir'
  | 'fetch'
  | 'WebSocket'
  | 'network'
  | 'now'
  | 'onCommand'
  | 'openDownloadFile'
>;

export interface TvSimulatorOptions {
  /** The Marquee server, e.g. `http://127.0.0.1:8000`. */
  readonly server: string;
  /** The account the TV signs in with (seed 002: a user account; admins may act as any TV). */
  readonly credentials: { readonly username: string; readonly password: string };
  /** @default `SIM-TV-` and a random id */
  readonly snNumber?: string;
  /** Overrides of what the TV registers as. @default a 1920x1080 "Marquee Simulated TV" */
  readonly device?: Partial<DeviceModelInput>;
  /**
   * Where the TV caches media.
   * @default a temporary directory, removed by `stop()`
   */
  readonly cacheDir?: string;
  /**
   * Plays on virtual time, moved by `advance(ms)`: `true` starts it now, a number at that instant
   * (ms since the epoch).
   * @default false (real time)
   */
  readonly virtualTime?: boolean | number;
  /**
   * Entries kept in each log (`received`, `sent`, `requests`, `commands`, `proofOfPlay`; the
   * newest win). Counters in `stats` count everything.
   * @default 1000
   */
  readonly logLimit?: number;
  /**
   * Plays kept for the server until it has them (proof of play); past it the oldest is dropped.
   * @default 10000
   */
  readonly maxQueuedPlays?: number;
  /**
   * Sends the queued plays every this many ms of real time (a failure leaves them queued for the
   * next time); without it they go only on `sendProofOfPlay()`.
   * @default undefined (never by itself)
   */
  readonly proofOfPlayIntervalMs?: number;
  /**
   * Sends a `health` report when the control socket opens and then every this many ms of real
   * time, as the web player does; `false` never.
   * @default 300000 (5 minutes)
   */
  readonly healthIntervalMs?: number | false;
  /** What the TV's link sits in front of. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Passed to the device client (backoff, heartbeat, download retries, timeouts). */
  readonly client?: TvClientOptions;
}

/** One server message on the control socket. */
export type TvReceived =
  | { readonly at: number; readonly valid: true; readonly message: ServerMessage }
  | { readonly at: number; readonly valid: false; readonly raw: unknown; readonly error: string };

/** One message the TV wrote to its socket; `lost` when the link was down. */
export interface TvSent {
  readonly at: number;
  readonly message: ClientMessage;
  readonly lost: boolean;
}

/** A control action and how the TV answered it. */
export interface TvCommand {
  readonly at: number;
  readonly action: ServerAction;
  readonly ok: boolean;
  readonly error?: string;
}

/** Returned by an `onCommand` hook to refuse the command (the ack carries the reason). */
export interface TvCommandVerdict {
  readonly refuse: string;
}

export type TvCommandHook = (
  action: ServerAction,
  tv: TvSimulator,
) => TvCommandVerdict | undefined | void | Promise<TvCommandVerdict | undefined | void>;

export interface TvStats {
  readonly state: DeviceState;
  /** Control sockets opened. */
  readonly connects: number;
  /** Times the TV went from online to offline. */
  readonly drops: number;
  readonly received: number;
  readonly sent: number;
  /** Acks that left the TV. */
  readonly acks: number;
  /** Acks kept back by `refuseAcks(true)`. */
  readonly withheldAcks: number;
  readonly commands: number;
  /** Screenshots uploaded on `take_screenshot`. */
  readonly screenshots: number;
  readonly refused: number;
  readonly errors: number;
  readonly lastError: string | undefined;
  /** Why `start()` failed (wrong credentials, a refused registration). */
  readonly startError: string | undefined;
  readonly downloaded: number;
  readonly cached: number;
  readonly failedDownloads: number;
  /** Response body bytes over the link. */
  readonly bytes: number;
  readonly plays: number;
  /** The latest `playlist_status` of each playlist. */
  readonly playlists: Readonly<Record<number, string>>;
}
