/**
 * The signage fleet admin client (Marquee's admin API beside seed 002, under
 * `/api/v1/admin/cloud/`): the media library, playlists, the screens of each device, commands to
 * one device, many or all, and what each device reports (status, playlists, screenshots).
 *
 * It runs in browsers and in Node (fetch, FormData and Blob only). Sign in with `credentials`
 * (the seed's login; the TokenManager refreshes before expiry and once after a 401) or pass a
 * `token` read before every request. Every answer is validated with the admin protocol's
 * schemas; errors arrive as MarqueeError with the server's `{message, status_code}` read back.
 */
import { MarqueeError, toMarqueeError } from '../../errors';
import {
  BroadcastAccepted,
  CommandList,
  CommandRecord,
  CommandsAccepted,
  type BroadcastCommandRequest,
  type CommandListQuery,
  type CommandRequest,
} from '../../protocol/signage/admin-commands';
import {
  AdminScreen,
  DeviceDetail,
  DeviceList,
  ScreenshotList,
  type DeviceListQuery,
  type ScreenInput,
  type ScreenPosition,
} from '../../protocol/signage/admin-devices';
import { MEDIA_FILE_FIELD, MediaList, MediaRecord } from '../../protocol/signage/admin-media';
import {
  AdminPlaylist,
  PlaylistList,
  type PlaylistInput,
} from '../../protocol/signage/admin-playlists';
import { signageErrorShape } from '../../protocol/signage/errors';
import {
  ApprovedPairing,
  PendingPairingList,
  type ApprovePairing,
} from '../../protocol/signage/pairing';
import {
  PlayList,
  type PlayExportQuery,
  type PlayListQuery,
  type proofOfPlayRoutes,
} from '../../protocol/signage/proof-of-play';
import { createHttpClient, type AuthProvider, type HttpClient } from '../../transport/http-client';
import { errorFromResponse } from '../../transport/http-errors';
import { TokenManager, type Credentials, type TokenSet } from '../../transport/token-manager';
import { ADMIN_ROUTES, fillPath } from './routes';

type PlayRoutePath<Id> = Extract<(typeof proofOfPlayRoutes)[number], { id: Id }>['path'];
const PLAYS_PATH: PlayRoutePath<'signage.adminPlayList'> = '/api/v1/admin/cloud/plays/';
const PLAYS_EXPORT_PATH: PlayRoutePath<'signage.adminPlayExport'> =
  '/api/v1/admin/cloud/plays/export/';

/** The filters the play list and export share. */
function playFilters(query: PlayExportQuery) {
  return {
    sn_number: query.sn_number,
    from: query.from,
    to: query.to,
    media_id: query.media_id,
    playlist_id: query.playlist_id,
  };
}

/** How the client authenticates: an admin account, or a token the app already holds. */
export type SignageAdminAuth =
  | {
      /** An admin account; signs in with `POST /api/v1/auth/token/`. */
      readonly credentials: Credentials | (() => Credentials | Promise<Credentials>);
      readonly token?: undefined;
    }
  | {
      /** An admin's access token, or a function read before every request. */
      readonly token: string | (() => string | undefined | Promise<string | undefined>);
      readonly credentials?: undefined;
    };

export type SignageAdminClientOptions = SignageAdminAuth & {
  /** The server's origin (plus a prefix, if any), e.g. `https://signage.example`. */
  readonly baseUrl: string;
  /**
   * The fetch implementation.
   * @default globalThis.fetch
   */
  readonly fetch?: typeof fetch;
  /**
   * Limit for one request.
   * @default 30000
   */
  readonly timeoutMs?: number;
  /**
   * The token clock, in milliseconds (with `credentials`).
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * A token pair restored from storage (with `credentials`).
   * @default undefined
   */
  readonly tokens?: TokenSet;
  /**
   * Told about every new token pair (with `credentials`).
   * @default undefined
   */
  readonly onTokens?: (tokens: TokenSet | undefined) => void;
};

/** An action to send; the server assigns the `command_id` of each device's copy. */
export type AdminCommand = CommandRequest['command'];

export interface AdminCommandOptions {
  /**
   * How long a command waits for an offline device, in seconds.
   * @default the server's MARQUEE_COMMAND_TTL_SECONDS (one day)
   */
  readonly ttlSeconds?: number;
}

/** A file to upload: a Blob (a File keeps its name and type) or raw bytes. */
export type MediaUpload = Blob | Uint8Array;

export interface MediaUploadOptions {
  /**
   * The name devices see (and cache the file as `{media_id}_{media_name}`).
   * @default the file name
   */
  readonly mediaName?: string;
  /**
   * The file name sent with the part.
   * @default a File's name, else 'upload'
   */
  readonly fileName?: string;
  /**
   * The MIME type for raw bytes (`image/jpeg`, `video/mp4`); the server derives the media type
   * from it.
   * @default a Blob's own type, else 'application/octet-stream'
   */
  readonly contentType?: string;
  /**
   * Told how many bytes of the request went up, of how many (a progress bar). Browsers only:
   * the upload then goes through XMLHttpRequest, as fetch reports no upload progress; in Node it
   * is never called.
   * @default none
   */
  readonly onProgress?: (sent: number, total: number | undefined) => void;
}

export class SignageAdminClient {
  /** The token pair, when signed in with credentials. */
  readonly tokens: TokenManager | undefined;
  readonly #http: HttpClient;
  readonly #auth: AuthProvider;
  readonly #base: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: SignageAdminClientOptions) {
    const { baseUrl, fetch, timeoutMs } = options;
    this.#base = baseUrl.replace(/\/+$/, '');
    this.#fetch = fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#timeoutMs = timeoutMs ?? 30_000;
    if (options.credentials !== undefined) {
      this.tokens = new TokenManager({
        baseUrl,
        credentials: options.credentials,
        fetch: this.#fetch,
        ...(options.now ? { now: options.now } : {}),
        ...(options.tokens ? { tokens: options.tokens } : {}),
        ...(options.onTokens ? { onTokens: options.onTokens } : {}),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
      this.#auth = this.tokens;
    } else {
      const token = options.token;
      this.#auth = {
        getAccessToken: async () => (typeof token === 'function' ? token() : token),
        // A fixed token cannot be renewed here; the retry reads the function once more.
        refresh: () => Promise.resolve(),
      };
    }
    this.#http = createHttpClient({
      baseUrl,
      fetch: this.#fetch,
      auth: this.#auth,
      errorShape: signageErrorShape,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
  }

  // Media library

  /** `POST media/` (multipart): stores a file; the server computes its size and MD5. */
  uploadMedia(file: MediaUpload, options: MediaUploadOptions = {}): Promise<MediaRecord> {
    const form = new FormData();
    if (options.mediaName !== undefined) form.set('media_name', options.mediaName);
    const blob =
      file instanceof Blob
        ? file
        : new Blob([new Uint8Array(file)], {
            type: options.contentType ?? 'application/octet-stream',
          });
    const fileName = options.fileName ?? (isNamed(file) ? file.name : 'upload');
    form.set(MEDIA_FILE_FIELD, blob, fileName);
    const { method, path } = ADMIN_ROUTES.mediaUpload;
    return this.#http.request({
      method,
      path,
      formData: form,
      schema: MediaRecord,
      ...(options.onProgress === undefined ? {} : { onUploadProgress: options.onProgress }),
    });
  }

  /** `GET media/`: the library, newest first. */
  listMedia(): Promise<MediaList> {
    const { method, path } = ADMIN_ROUTES.mediaList;
    return this.#http.request({ method, path, schema: MediaList });
  }

  /** `GET media/{media_id}/`. */
  getMedia(mediaId: number): Promise<MediaRecord> {
    const { method, path } = ADMIN_ROUTES.mediaGet;
    return this.#http.request({
      method,
      path: fillPath(path, { media_id: mediaId }),
      schema: MediaRecord,
    });
  }

  /** `DELETE media/{media_id}/`; fails with CONFLICT (409) while a playlist uses the file. */
  async deleteMedia(mediaId: number): Promise<void> {
    const { method, path } = ADMIN_ROUTES.mediaDelete;
    await this.#http.request({ method, path: fillPath(path, { media_id: mediaId }) });
  }

  // Playlists

  /** `POST playlists/`. */
  createPlaylist(input: PlaylistInput): Promise<AdminPlaylist> {
    const { method, path } = ADMIN_ROUTES.playlistCreate;
    return this.#http.request({ method, path, body: input, schema: AdminPlaylist });
  }

  /** `GET playlists/`. */
  listPlaylists(): Promise<PlaylistList> {
    const { method, path } = ADMIN_ROUTES.playlistList;
    return this.#http.request({ method, path, schema: PlaylistList });
  }

  /** `GET playlists/{playlist_id}/`. */
  getPlaylist(playlistId: number): Promise<AdminPlaylist> {
    const { method, path } = ADMIN_ROUTES.playlistGet;
    return this.#http.request({
      method,
      path: fillPath(path, { playlist_id: playlistId }),
      schema: AdminPlaylist,
    });
  }

  /** `PUT playlists/{playlist_id}/`: replaces it; devices showing it get `reload_playlist`. */
  updatePlaylist(playlistId: number, input: PlaylistInput): Promise<AdminPlaylist> {
    const { method, path } = ADMIN_ROUTES.playlistUpdate;
    return this.#http.request({
      method,
      path: fillPath(path, { playlist_id: playlistId }),
      body: input,
      schema: AdminPlaylist,
    });
  }

  /** `DELETE playlists/{playlist_id}/`: removes it from every screen too. */
  async deletePlaylist(playlistId: number): Promise<void> {
    const { method, path } = ADMIN_ROUTES.playlistDelete;
    await this.#http.request({ method, path: fillPath(path, { playlist_id: playlistId }) });
  }

  // Devices and screens

  /**
   * `GET devices/`: registered devices with online state and last seen, ordered by `sn_number`.
   * `query` filters (`online`, `search`) and pages (`limit` up to 1000, `offset`); `count` is
   * how many match in all. Without `limit`, every matching device.
   */
  listDevices(query: DeviceListQuery = {}): Promise<DeviceList> {
    const { method, path } = ADMIN_ROUTES.deviceList;
    return this.#http.request({
      method,
      path,
      query: {
        online: query.online,
        search: query.search,
        limit: query.limit,
        offset: query.offset,
      },
      schema: DeviceList,
    });
  }

  /** `GET devices/{sn_number}/`: registration, state, statuses, screens, pending commands. */
  getDevice(snNumber: string): Promise<DeviceDetail> {
    const { method, path } = ADMIN_ROUTES.deviceGet;
    return this.#http.request({
      method,
      path: fillPath(path, { sn_number: snNumber }),
      schema: DeviceDetail,
    });
  }

  /**
   * `DELETE devices/{sn_number}/`: decommissions the device. Its open socket is closed with
   * DEVICE_REMOVED (4004) and its screens, reports, commands and screenshots are deleted; the
   * user account it registered with stays. Fails with NOT_FOUND (404) for an unknown device.
   */
  async deleteDevice(snNumber: string): Promise<void> {
    const { method, path } = ADMIN_ROUTES.deviceDelete;
    await this.#http.request({ method, path: fillPath(path, { sn_number: snNumber }) });
  }

  /** `PUT devices/{sn_number}/screens/{position}/`: assigns playlists to a screen. */
  setScreen(snNumber: string, position: ScreenPosition, input: ScreenInput): Promise<AdminScreen> {
    const { method, path } = ADMIN_ROUTES.screenPut;
    return this.#http.request({
      method,
      path: fillPath(path, { sn_number: snNumber, position }),
      body: input,
      schema: AdminScreen,
    });
  }

  /** `DELETE devices/{sn_number}/screens/{position}/`. */
  async removeScreen(snNumber: string, position: ScreenPosition): Promise<void> {
    const { method, path } = ADMIN_ROUTES.screenDelete;
    await this.#http.request({ method, path: fillPath(path, { sn_number: snNumber, position }) });
  }

  // Commands

  /**
   * `POST devices/{sn_number}/commands/`: delivered now when the device is online, otherwise
   * queued until it connects (or its TTL runs out).
   */
  sendCommand(
    snNumber: string,
    command: AdminCommand,
    options: AdminCommandOptions = {},
  ): Promise<CommandsAccepted> {
    const { method, path } = ADMIN_ROUTES.deviceCommand;
    const body: CommandRequest = {
      command,
      ...(options.ttlSeconds === undefined ? {} : { ttl_seconds: options.ttlSeconds }),
    };
    return this.#http.request({
      method,
      path: fillPath(path, { sn_number: snNumber }),
      body,
      schema: CommandsAccepted,
    });
  }

  /**
   * `POST commands/`: one command per listed device, or to every registered one (`'all'`);
   * `skipped` names the devices whose queue of undelivered commands was full.
   */
  broadcastCommand(
    snNumbers: readonly string[] | 'all',
    command: AdminCommand,
    options: AdminCommandOptions = {},
  ): Promise<BroadcastAccepted> {
    const { method, path } = ADMIN_ROUTES.broadcastCommand;
    const body: BroadcastCommandRequest = {
      command,
      sn_numbers: snNumbers === 'all' ? 'all' : [...snNumbers],
      ...(options.ttlSeconds === undefined ? {} : { ttl_seconds: options.ttlSeconds }),
    };
    return this.#http.request({ method, path, body, schema: BroadcastAccepted });
  }

  /** `GET devices/{sn_number}/commands/`: newest first, optionally one state only. */
  listCommands(snNumber: string, query: Partial<CommandListQuery> = {}): Promise<CommandList> {
    const { method, path } = ADMIN_ROUTES.deviceCommands;
    return this.#http.request({
      method,
      path: fillPath(path, { sn_number: snNumber }),
      query: { state: query.state, limit: query.limit },
      schema: CommandList,
    });
  }

  /** `GET commands/{command_id}/`. */
  getCommand(commandId: string): Promise<CommandRecord> {
    const { method, path } = ADMIN_ROUTES.commandGet;
    return this.#http.request({
      method,
      path: fillPath(path, { command_id: commandId }),
      schema: CommandRecord,
    });
  }

  // Pairing

  /** `GET pairing/`: codes that TVs show and wait to have approved, oldest first. */
  listPairings(): Promise<PendingPairingList> {
    const { method, path } = ADMIN_ROUTES.pairingList;
    return this.#http.request({ method, path, schema: PendingPairingList });
  }

  /**
   * `POST pairing/{code}/approve/`: the serial's device account is created (or its password
   * rotated) and the TV receives its credentials on its next poll.
   */
  approvePairing(code: string, input: ApprovePairing): Promise<ApprovedPairing> {
    const { method, path } = ADMIN_ROUTES.pairingApprove;
    return this.#http.request({
      method,
      path: fillPath(path, { code }),
      body: input,
      schema: ApprovedPairing,
    });
  }

  /** `DELETE pairing/{code}/`: the TV learns it on its next poll and may ask again. */
  async rejectPairing(code: string): Promise<void> {
    const { method, path } = ADMIN_ROUTES.pairingReject;
    await this.#http.request({ method, path: fillPath(path, { code }) });
  }

  // Screenshots

  /** `GET devices/{sn_number}/screenshots/`: newest first. */
  listScreenshots(snNumber: string): Promise<ScreenshotList> {
    const { method, path } = ADMIN_ROUTES.screenshotList;
    return this.#http.request({
      method,
      path: fillPath(path, { sn_number: snNumber }),
      schema: ScreenshotList,
    });
  }

  /** `GET screenshots/{screenshot_id}/`: the JPEG (show it with `URL.createObjectURL`). */
  getScreenshot(screenshotId: number): Promise<Blob> {
    const { path } = ADMIN_ROUTES.screenshotView;
    return this.#binary(fillPath(path, { screenshot_id: screenshotId }));
  }

  /** `GET plays/`: proof of play by device, period, media and playlist; one page, oldest first. */
  listPlays(query: PlayListQuery = {}): Promise<PlayList> {
    return this.#http.request({
      method: 'GET',
      path: PLAYS_PATH,
      query: { ...playFilters(query), limit: query.limit, offset: query.offset },
      schema: PlayList,
    });
  }

  /** `GET plays/export/`: the plays of the same filters as CSV text (at most 100,000 rows). */
  async exportPlays(query: PlayExportQuery = {}): Promise<string> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(playFilters(query))) {
      if (value !== undefined) search.set(key, String(value));
    }
    const text = search.toString();
    return (await this.#binary(`${PLAYS_EXPORT_PATH}${text === '' ? '' : `?${text}`}`)).text();
  }

  /** A binary GET with the bearer token, refreshed once after a 401. */
  async #binary(path: string): Promise<Blob> {
    const attempt = async () => {
      const token = await this.#auth.getAccessToken();
      const headers: Record<string, string> =
        token === undefined ? {} : { authorization: `Bearer ${token}` };
      const signal = AbortSignal.timeout(this.#timeoutMs);
      return { response: await this.#fetch(`${this.#base}${path}`, { headers, signal }), token };
    };
    try {
      let { response, token } = await attempt();
      if (response.status === 401) {
        await response.body?.cancel();
        await this.#auth.refresh(token);
        ({ response, token } = await attempt());
      }
      if (!response.ok) {
        const text = await response.text();
        throw errorFromResponse(response.status, parseJson(text), signageErrorShape);
      }
      return await response.blob();
    } catch (error) {
      if (error instanceof MarqueeError) throw error;
      const failure = toMarqueeError(error);
      if (failure.code === 'TIMEOUT') throw failure;
      throw new MarqueeError('NETWORK', `GET ${path} failed: ${failure.message}`, {
        cause: error,
      });
    }
  }
}

/** Creates an admin client; with `credentials` it signs in on the first call. */
export function createSignageAdminClient(options: SignageAdminClientOptions): SignageAdminClient {
  return new SignageAdminClient(options);
}

function isNamed(file: MediaUpload): file is Blob & { readonly name: string } {
  return (
    file instanceof Blob && 'name' in file && typeof file.name === 'string' && file.name !== ''
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
