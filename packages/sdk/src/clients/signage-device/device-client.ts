/**
 * The signage device client (seed 002), for Node: it runs the seed's Complete Startup Flow —
 * sign in, register, fetch playlists, download media into a cache directory, connect the control
 * socket — and then does what a TV does with the control socket.
 *
 * - Tokens: the TokenManager refreshes 5 minutes before expiry and once after a 401, for REST
 *   calls, downloads and every socket (re)connect alike.
 * - Downloads: see `MediaDownloader` (resume by Range, MD5, one re-download of a rejected file,
 *   no request for a file already verified) and `syncPlaylist` (the `playlist_status` flow).
 *   Statuses of the startup download are queued and go out, in order, once the socket opens,
 *   followed by `ready_playlists`.
 * - Commands: a command received after its `expires_at` (by the `now` clock) is not applied and
 *   is acked with `expired: true`. Each of the 12 actions is emitted as a typed event named after it, then handed to
 *   `onCommand`, then applied by the client where it has work of its own (`reload_playlist`
 *   fetches and downloads again, `switch_playlist` downloads the playlist if needed and makes it
 *   current; both end with `ready_playlists`). Every action carrying a `command_id` is answered
 *   with an `ack`. Reloads and switches run one at a time, in arrival order; playback actions
 *   are not held up behind them. The socket declares `acks=1`: the server then re-delivers
 *   commands it wrote but never saw acknowledged (say, the link dropped), and the client applies
 *   each `command_id` once, answering a repeat with the ack it already gave.
 * - Offline: the last playlists answer is kept in the cache directory. When the server cannot be
 *   reached at start, the client loads it, reports `offline`, and keeps retrying the startup flow
 *   with backoff; when the socket drops later it reconnects by itself, and a device whose last
 *   download was incomplete downloads again once it is back.
 */
import { safeParse } from 'zod/v4/core';
import { MarqueeError, toMarqueeError } from '../../errors';
import { CloseCodes } from '../../protocol/close-codes';
import type { ServerAction } from '../../protocol/signage/actions';
import type { ClientMessage } from '../../protocol/signage/client-messages';
import { DeviceModel } from '../../protocol/signage/device';
import { signageErrorShape } from '../../protocol/signage/errors';
import type { MediaItem } from '../../protocol/signage/media';
import type { DeviceScreens, Playlist } from '../../protocol/signage/playlist';
import type { ScreenshotResponse } from '../../protocol/signage/screenshot';
import { backoffDelay } from '../../transport/backoff';
import { Emitter } from '../../transport/emitter';
import { createHttpClient } from '../../transport/http-client';
import type { InvalidMessage } from '../../transport/socket-types';
import { TokenManager } from '../../transport/token-manager';
import { routeActions } from './action-events';
import { DeviceApi, type ScreenshotImage } from './api';
import { createDeviceSocket, type DeviceSocket } from './channel';
import { CurrentPlaylists } from './current-playlists';
import { ackFor, CommandLedger, expiredAck, expiredAt, refusalFor, runCommand } from './commands';
import { MediaDownloader } from './downloader';
import { MediaLibrary } from './library';
import { MediaCache } from './media-cache';
import type {
  DeviceClientEvents,
  DeviceClientOptions,
  DeviceState,
  ScreensSource,
} from './options';
import { flushPlays, type FlushResult, type PlayQueue } from './proof-of-play';
import { allPlaylists, findPlaylist, type ScreenKey } from './screens';

export class DeviceClient extends Emitter<DeviceClientEvents> {
  /** The control socket, for connection-level events. */
  readonly socket: DeviceSocket;
  /** The token pair, shared by REST calls, downloads and the socket. */
  readonly tokens: TokenManager;
  readonly #options: DeviceClientOptions;
  readonly #api: DeviceApi;
  readonly #cache: MediaCache;
  readonly #library: MediaLibrary;
  readonly #current = new CurrentPlaylists();
  readonly #ledger = new CommandLedger();
  readonly #closing = new AbortController();
  #device: DeviceModel;
  #state: DeviceState = 'idle';
  #screens: DeviceScreens | undefined;
  /** Reloads and switches, one at a time. */
  #work: Promise<unknown> = Promise.resolve();
  #opens = 0;
  #retryAttempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: DeviceClientOptions) {
    super();
    const {
      baseUrl,
      credentials,
      device,
      cacheDir,
      fetch,
      now,
      tokens,
      onTokens,
      refreshSkewMs,
      timeoutMs,
      downloadStallTimeoutMs,
      downloadRetries,
      downloadRetryDelayMs,
      openDownloadFile,
      retryBackoff: _retryBackoff,
      onCommand: _onCommand,
      commandTimeoutMs: _commandTimeoutMs,
      maxQueue,
      ...socketOptions
    } = options;
    this.#options = options;
    const parsed = safeParse(DeviceModel, device);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new MarqueeError(
        'BAD_REQUEST',
        `Invalid device${first ? `: ${first.message} at [${first.path.join('.')}]` : ''}`,
        { details: parsed.error.issues, cause: parsed.error },
      );
    }
    this.#device = parsed.data;
    const fetchImpl: typeof fetch = fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.tokens = new TokenManager({
      baseUrl,
      credentials,
      fetch: fetchImpl,
      ...(now ? { now } : {}),
      ...(tokens ? { tokens } : {}),
      ...(onTokens ? { onTokens } : {}),
      ...(refreshSkewMs === undefined ? {} : { refreshSkewMs }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
    this.#api = new DeviceApi(
      createHttpClient({
        baseUrl,
        fetch: fetchImpl,
        auth: this.tokens,
        errorShape: signageErrorShape,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      }),
    );
    this.#cache = new MediaCache(cacheDir);
    const downloader = new MediaDownloader({
      cache: this.#cache,
      baseUrl,
      fetch: fetchImpl,
      auth: this.tokens,
      retries: downloadRetries ?? 3,
      retryDelayMs: downloadRetryDelayMs ?? 1000,
      stallTimeoutMs: downloadStallTimeoutMs ?? 30_000,
      signal: this.#closing.signal,
      ...(openDownloadFile ? { openFile: openDownloadFile } : {}),
    });
    this.#library = new MediaLibrary(this.#cache, downloader, {
      report: (status) => {
        this.#send(status);
        this.emit('playlist-status', status);
      },
      media: (result) => this.emit('media', result),
      cancelled: () => this.#closed(),
    });
    this.socket = createDeviceSocket(baseUrl, this.#device.sn_number, this.tokens, {
      ...socketOptions,
      maxQueue: maxQueue ?? 1000,
      onConnect: () => this.#onConnect(),
    });
    this.#listen();
  }

  get state(): DeviceState {
    return this.#state;
  }

  /** What the device registers as, with the brightness and volume the server last set. */
  get device(): DeviceModel {
    return this.#device;
  }

  /** The last playlists answer (from the server, or the cache while it is away). */
  get screens(): DeviceScreens | undefined {
    return this.#screens;
  }

  /** Ids of the playlists whose every item is cached and verified. */
  get readyPlaylists(): number[] {
    return this.#library.readyIds(this.#screens);
  }

  /** The playlist of the screen last switched, else of the first screen that has one. */
  get currentPlaylist(): Playlist | undefined {
    return this.#current.main(this.#screens);
  }

  /** The playlist one screen plays. */
  currentPlaylistOf(screen: ScreenKey): Playlist | undefined {
    return this.#current.of(this.#screens, screen);
  }

  /** Where an item's file lives in the cache (`{media_id}_{media_name}`). */
  mediaPath(item: Pick<MediaItem, 'media_id' | 'media_name'>): string {
    return this.#cache.pathOf(item);
  }

  /** Whether an item's file was cached and verified by the last check. */
  isAvailable(item: Pick<MediaItem, 'media_id' | 'media_name'>): boolean {
    return this.#library.isAvailable(item);
  }

  /**
   * Runs the startup flow: sign in, register, playlists, downloads, control socket. Resolves
   * once the socket is connecting (`online` follows when it opens), or, when the server cannot
   * be reached, once the cached playlists are loaded (`offline`; the flow is retried with
   * backoff). Rejects on what retrying cannot fix (wrong credentials, a refused registration).
   */
  async start(): Promise<void> {
    if (this.#state !== 'idle') {
      throw new MarqueeError('CONFLICT', `The device client is already ${this.#state}`);
    }
    this.#setState('starting');
    try {
      await this.#cache.init();
    } catch (error) {
      this.#setState('idle');
      throw toMarqueeError(error);
    }
    try {
      await this.#serial(() => this.#goOnline());
    } catch (error) {
      const failure = toMarqueeError(error);
      if (this.#closed()) return;
      if (!serverAway(failure)) {
        this.#setState('idle');
        throw failure;
      }
      this.emit('error', failure);
      await this.#serial(() => this.#fromCache());
      this.#setState('offline');
      this.#scheduleRetry();
    }
  }

  /** Stops everything: downloads are abandoned (their parts kept), the socket is closed. */
  close(): void {
    if (this.#closed()) return;
    this.#setState('closed');
    clearTimeout(this.#retryTimer);
    this.#closing.abort();
    this.socket.close();
  }

  /**
   * What `reload_playlist` does: fetch the playlists, download what is missing, report each
   * playlist's status, then `ready_playlists`. Resolves with the ready playlist ids.
   */
  reload(): Promise<number[]> {
    return this.#serial(() => this.#reload());
  }

  /**
   * What `switch_playlist` does: download the playlist when it is not ready yet (fetching the
   * playlists first when it is not known), make it its screen's current playlist, then send
   * `ready_playlists`. Rejects when the playlist is not assigned or nothing of it downloads.
   */
  switchPlaylist(playlistId: number): Promise<Playlist> {
    return this.#serial(() => this.#switch(playlistId));
  }

  /** `POST /screenshot` with the JPEG of what is on screen. */
  uploadScreenshot(
    mediaId: number,
    image: ScreenshotImage,
    fileName?: string,
  ): Promise<ScreenshotResponse> {
    return this.#api.screenshot(
      { device_id: this.#device.sn_number, media_id: mediaId },
      image,
      fileName,
    );
  }

  /**
   * Sends the plays `queue` holds (see `flushPlays`): batches of at most MAX_PLAY_BATCH, each
   * dropped from the queue once the server stored it.
   */
  sendPlays(queue: PlayQueue): Promise<FlushResult> {
    return flushPlays(queue, (plays) => this.#api.proofOfPlay(this.#device.sn_number, plays));
  }

  #listen(): void {
    const socket = this.socket;
    routeActions(socket, this, (action, emit) => void this.#command(action, emit));
    socket.onMessage('error', (message) =>
      this.emit('error', new MarqueeError(message.code ?? 'BAD_REQUEST', message.message)),
    );
    socket.on('invalid-message', (invalid) => this.#invalid(invalid));
    socket.on('error', (error) => this.emit('error', error));
    let lastClose = { code: 0, reason: '' };
    socket.on('close', ({ code, reason }) => {
      lastClose = { code, reason };
    });
    socket.on('state', ({ state }) => {
      if (this.#closed()) return;
      if (state === 'closed') {
        // The socket gave up for good (the server ended this device's session): stop, say why.
        this.emit('error', endedError(lastClose.code, lastClose.reason));
        this.close();
      } else if (state === 'open') this.#setState('online');
      else if (state === 'reconnecting' || state === 'offline') this.#setState('offline');
    });
  }

  async #command(action: ServerAction, emit: () => void): Promise<void> {
    const id = action.command_id;
    const earlier = id === undefined ? undefined : this.#ledger.begin(id);
    if (earlier !== undefined) {
      // A re-delivery: not applied again. Its ack may be what was lost, so it goes out again.
      if (earlier !== 'running') this.#send(earlier);
      this.emit('redelivered', action);
      return;
    }
    try {
      const late = expiredAt(action, (this.#options.now ?? Date.now)());
      if (late !== undefined) {
        // Not applied, not emitted: its time has passed. The ack says so.
        const ack = expiredAck(action, late);
        if (ack) {
          this.#ledger.finish(ack.command_id, ack);
          this.#send(ack);
        }
        this.emit('command', action, {
          ok: false,
          error: ack?.error ?? 'expired',
          acked: ack !== undefined,
        });
        return;
      }
      const outcome = await runCommand(action, {
        emit,
        hook: this.#options.onCommand,
        hookTimeoutMs: this.#options.commandTimeoutMs ?? 10_000,
        builtIn: () => this.#apply(action),
      });
      const ack = ackFor(action, outcome);
      if (ack) {
        this.#ledger.finish(ack.command_id, ack);
        this.#send(ack);
      }
      this.emit('command', action, { ...outcome, acked: ack !== undefined });
    } catch (error) {
      this.emit('error', toMarqueeError(error));
    }
  }

  /** The client's own part of an action. */
  async #apply(action: ServerAction): Promise<void> {
    switch (action.action) {
      case 'reload_playlist':
        await this.reload();
        return;
      case 'switch_playlist':
        await this.switchPlaylist(action.playlist_id);
        return;
      case 'set_brightness':
        this.#device = { ...this.#device, brightness: action.brightness };
        return;
      case 'set_volume':
        this.#device = { ...this.#device, volume: action.volume };
        return;
      case 'play':
      case 'pause':
      case 'next':
      case 'previous':
      case 'play_media':
      case 'show_text_overlay':
      case 'hide_text_overlay':
      case 'take_screenshot':
        return;
    }
  }

  /** A server message the schema refused: reported, and refused when it carries a command_id. */
  #invalid(invalid: InvalidMessage): void {
    this.emit(
      'error',
      new MarqueeError(
        'INVALID_MESSAGE',
        `Unusable message from the server: ${invalid.error.message}`,
        { details: invalid.issues, cause: invalid.error },
      ),
    );
    const refusal = refusalFor(invalid);
    if (refusal) this.#send(refusal);
  }

  /** Seed flow steps 2–6. */
  async #goOnline(): Promise<void> {
    await this.tokens.getAccessToken();
    await this.#api.register(this.#device);
    const screens = await this.#api.playlists(this.#device.sn_number);
    await this.#useScreens(screens, 'server');
    await this.#library.download(allPlaylists(screens));
    this.#chooseCurrent(screens);
    this.#sendReady();
    this.#retryAttempt = 0;
    if (!this.#closed()) this.socket.connect();
  }

  async #reload(): Promise<number[]> {
    const screens = await this.#api.playlists(this.#device.sn_number);
    await this.#useScreens(screens, 'server');
    await this.#library.download(allPlaylists(screens));
    this.#chooseCurrent(screens);
    return this.#sendReady();
  }

  async #switch(playlistId: number): Promise<Playlist> {
    let found = this.#screens && findPlaylist(this.#screens, playlistId);
    if (!found) {
      // Assigned after the last fetch, perhaps.
      const screens = await this.#api.playlists(this.#device.sn_number);
      await this.#useScreens(screens, 'server');
      found = findPlaylist(screens, playlistId);
    }
    if (!found) {
      throw new MarqueeError('NOT_FOUND', `Playlist ${playlistId} is not assigned to this device`);
    }
    if (!this.#library.isReady(playlistId)) {
      const [final] = await this.#library.download([found.playlist]);
      if (!final || final.status === 'failed') {
        this.#sendReady();
        throw new MarqueeError(
          'INTERNAL',
          `Playlist ${playlistId} could not be downloaded${final?.error ? `: ${final.error}` : ''}`,
        );
      }
    }
    this.#current.switchTo(found.key, playlistId);
    this.emit('current-playlist', found.playlist, found.key);
    this.#sendReady();
    return found.playlist;
  }

  /** Plays from the last stored playlists, with what the cache holds. */
  async #fromCache(): Promise<void> {
    const screens = await this.#cache.loadScreens();
    if (!screens) return;
    await this.#useScreens(screens, 'cache');
    await this.#library.checkCached(screens);
    this.#chooseCurrent(screens);
  }

  async #useScreens(screens: DeviceScreens, source: ScreensSource): Promise<void> {
    this.#screens = screens;
    this.#library.retain(screens);
    if (source === 'server') {
      try {
        await this.#cache.saveScreens(screens);
      } catch (error) {
        this.emit('error', toMarqueeError(error));
      }
    }
    this.emit('screens', screens, source);
  }

  /** Announces each screen's current playlist after new playlists arrived. */
  #chooseCurrent(screens: DeviceScreens): void {
    for (const { key, playlist } of this.#current.choose(screens)) {
      this.emit('current-playlist', playlist, key);
    }
  }

  #sendReady(): number[] {
    const ids = this.readyPlaylists;
    this.#send({ type: 'ready_playlists', playlist_ids: ids });
    this.emit('ready-playlists', ids);
    return ids;
  }

  /** Sends, or queues until the socket opens; nothing after `close()`. */
  #send(message: ClientMessage): void {
    if (this.#closed()) return;
    try {
      this.socket.send(message);
    } catch (error) {
      this.emit('error', toMarqueeError(error));
    }
  }

  /**
   * Runs on every open before queued messages go out. The first open's `ready_playlists` is
   * already queued behind the startup statuses; a reconnect announces them again (the server may
   * have restarted) and downloads again when the last pass left something missing.
   */
  #onConnect(): void {
    this.#opens++;
    if (this.#opens === 1) return;
    this.socket.send({ type: 'ready_playlists', playlist_ids: this.readyPlaylists });
    if (this.#library.incomplete()) {
      this.reload().catch((error: unknown) => this.emit('error', toMarqueeError(error)));
    }
  }

  #scheduleRetry(): void {
    if (this.#closed()) return;
    const delay = backoffDelay(
      this.#retryAttempt++,
      this.#options.retryBackoff ?? { initialMs: 1000, maxMs: 60_000 },
      this.#options.random,
    );
    this.#retryTimer = setTimeout(() => void this.#retry(), delay);
  }

  async #retry(): Promise<void> {
    if (this.#closed()) return;
    try {
      await this.#serial(() => this.#goOnline());
    } catch (error) {
      if (this.#closed()) return;
      this.emit('error', toMarqueeError(error));
      this.#scheduleRetry();
    }
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#work.then(task, task);
    this.#work = run.catch(() => undefined);
    return run;
  }

  /** A method, not a comparison, so narrowing does not outlive an `await`. */
  #closed(): boolean {
    return this.#state === 'closed';
  }

  #setState(state: DeviceState): void {
    const previous = this.#state;
    if (previous === state) return;
    this.#state = state;
    this.emit('state', { state, previous });
  }
}

/** Creates a device client; call `start()` to run the startup flow. */
export function createDeviceClient(options: DeviceClientOptions): DeviceClient {
  return new DeviceClient(options);
}

/** Failures that waiting can fix: no answer, or the server failing on its side. */
function serverAway(error: MarqueeError): boolean {
  return error.code === 'NETWORK' || error.code === 'TIMEOUT' || error.status >= 500;
}

/** Why the server ended a device's session for good, from the socket's close code. */
function endedError(code: number, reason: string): MarqueeError {
  const details = { close_code: code, reason };
  if (code === CloseCodes.DEVICE_REMOVED) {
    return new MarqueeError(
      'NOT_FOUND',
      'An administrator removed this device; it must register again to come back',
      { details },
    );
  }
  if (code === CloseCodes.REPLACED) {
    return new MarqueeError(
      'CONFLICT',
      'Another connection for this sn_number replaced this one; this client stopped',
      { details },
    );
  }
  return new MarqueeError(
    'FORBIDDEN',
    `The server refused this device's control socket${reason === '' ? '' : `: ${reason}`}`,
    { details },
  );
}
