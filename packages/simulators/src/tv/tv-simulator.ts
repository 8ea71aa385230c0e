/**
 * A simulated signage TV (seed 002): the SDK's device client (`@marquee/sdk/device`) on a real
 * cache directory and real sockets, behind a link and a disk that can fail on command, playing
 * its screens' current playlists on a timeline and logging proof of play.
 *
 *   const tv = new TvSimulator({ server, credentials, snNumber: 'LOBBY-1', virtualTime: true });
 *   await tv.start();             // sign in, register, playlists, downloads, control socket
 *   tv.advance(60_000);           // virtual time: a minute of playlist
 *   tv.proofOfPlay;               // [{ playlistId, mediaId, start, end, durationMs, ... }]
 *   await tv.sendProofOfPlay();   // the queued plays to the server, in de-duplicated batches
 *   tv.onCommand((action) => (action.action === 'next' ? { refuse: 'busy' } : undefined));
 *   tv.dropNetwork(); tv.restoreNetwork();
 *   tv.slowLink(50_000); tv.corruptNextDownload(); tv.diskFull(true);
 *   tv.clockSkew(3_600_000); tv.refuseAcks(true);
 *   tv.received; tv.sent; tv.requests; tv.stats;
 *   await tv.stop();
 *
 * Pieces: link.ts / link-socket.ts (everything on the wire: network faults, the `sent` log,
 * withheld acks), disk.ts (the device client's `openDownloadFile`: storage faults), clock.ts
 * (virtual time and skew), timeline.ts / player.ts (what the screens show, proof of play),
 * options.ts (the options, log entries and counters).
 *
 * To extend:
 * - a fault: put it where a real one would act (a link fault in link.ts, a storage fault in
 *   disk.ts, a clock fault in clock.ts), and add a method here that switches it. When the device
 *   client has no seam for it, add the smallest option to the SDK's signage-device `options.ts`
 *   (that is how `openDownloadFile` came about) rather than reaching into the client.
 * - a hook: a `Set` of listeners, an `onX()` here that returns its removal (`addHook`), and a
 *   call where the event happens; a hook that may change the outcome (like `onCommand`) runs
 *   before the TV acts.
 * - playback behaviour: timeline.ts, one screen's state machine, tested on virtual time.
 */
import { mkdtempSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { protocol } from '@marquee/sdk';
import {
  SCREEN_KEYS,
  SCREENS_FILE,
  createDeviceClient,
  MemoryPlayQueue,
  type DeviceClient,
  type FlushResult,
  type DeviceModelInput,
  type DeviceScreens,
  type DeviceState,
  type ScreenKey,
  type ScreensSource,
  type ServerAction,
} from '@marquee/sdk/device';
import { addHook } from '../hooks';
import { VERSION } from '../version';
import { TvClock } from './clock';
import { Disk } from './disk';
import { Link, type LinkRequest } from './link';
import type {
  TvCommand,
  TvCommandHook,
  TvReceived,
  TvSent,
  TvSimulatorOptions,
  TvStats,
} from './options';
import { Player, type TextOverlay } from './player';
import { screenshotPng } from './screenshot';
import type { NowPlaying, ProofOfPlay } from './timeline';

/** The numbers the simulator counts itself; `bytes` comes from the link. */
type Counters = {
  -readonly [
    K in keyof TvStats as TvStats[K] extends number ? (K extends 'bytes' ? never : K) : never
  ]: TvStats[K];
};

export class TvSimulator {
  readonly snNumber: string;
  readonly cacheDir: string;
  /** The SDK device client inside, for anything the simulator does not wrap. */
  readonly client: DeviceClient;
  readonly #clock: TvClock;
  readonly #link: Link;
  readonly #disk = new Disk();
  readonly #player: Player;
  readonly #ownsCache: boolean;
  readonly #limit: number;
  readonly #received: TvReceived[] = [];
  readonly #sent: TvSent[] = [];
  readonly #requests: LinkRequest[] = [];
  readonly #commands: TvCommand[] = [];
  readonly #proofOfPlay: ProofOfPlay[] = [];
  /** Plays the server has not acknowledged yet. */
  readonly #unsentPlays: MemoryPlayQueue;
  #playTimer: ReturnType<typeof setInterval> | undefined;
  #healthTimer: ReturnType<typeof setInterval> | undefined;
  readonly #healthEvery: number | false;
  readonly #screen: { readonly width: number; readonly height: number };
  readonly #startedAt: number;
  #sending: Promise<FlushResult> | undefined;
  readonly #withheld: string[] = [];
  readonly #playlists: Record<number, string> = {};
  readonly #commandHooks = new Set<TvCommandHook>();
  readonly #playlistHooks = new Set<
    (screens: DeviceScreens, source: ScreensSource, tv: TvSimulator) => void
  >();
  readonly #playHooks = new Set<(entry: ProofOfPlay, tv: TvSimulator) => void>();
  readonly #stateHooks = new Set<(state: DeviceState, tv: TvSimulator) => void>();
  readonly #count: Counters = {
    connects: 0,
    drops: 0,
    received: 0,
    sent: 0,
    acks: 0,
    withheldAcks: 0,
    commands: 0,
    screenshots: 0,
    refused: 0,
    errors: 0,
    downloaded: 0,
    cached: 0,
    failedDownloads: 0,
    plays: 0,
  };
  #refuseAcks = false;
  #lastError: string | undefined;
  #startError: string | undefined;
  #stopped: Promise<void> | undefined;

  constructor(options: TvSimulatorOptions) {
    this.snNumber = options.snNumber ?? `SIM-TV-${randomUUID().slice(0, 8)}`;
    this.#ownsCache = options.cacheDir === undefined;
    this.cacheDir = options.cacheDir ?? mkdtempSync(join(tmpdir(), 'marquee-tv-'));
    this.#limit = options.logLimit ?? 1000;
    this.#unsentPlays = new MemoryPlayQueue(options.maxQueuedPlays ?? 10_000);
    const virtual = options.virtualTime;
    this.#clock = new TvClock(
      virtual === true ? Date.now() : virtual === false ? undefined : virtual,
    );
    this.#link = new Link({
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      now: () => this.#clock.now(),
      onRequest: (request) => this.#log(this.#requests, request),
      outgoing: (text) => this.#outgoing(text),
    });
    this.client = createDeviceClient({
      ...options.client,
      baseUrl: options.server,
      credentials: options.credentials,
      device: { ...defaultDevice(this.snNumber), ...options.device },
      cacheDir: this.cacheDir,
      fetch: this.#link.fetch,
      WebSocket: this.#link.WebSocket,
      network: this.#link.network,
      now: () => this.#clock.now(),
      openDownloadFile: this.#disk.open,
      onCommand: (action) => this.#onCommand(action),
    });
    this.#player = new Player({
      clock: this.#clock,
      currentPlaylistOf: (screen) => this.client.currentPlaylistOf(screen),
      isAvailable: (item) => this.client.isAvailable(item),
      log: (entry) => {
        this.#count.plays++;
        this.#log(this.#proofOfPlay, entry);
        this.#unsentPlays.add({
          id: randomUUID(),
          media_id: entry.mediaId,
          playlist_id: entry.playlistId,
          zone: entry.screen,
          started_at: new Date(entry.start).toISOString(),
          ended_at: new Date(Math.max(entry.start, entry.end)).toISOString(),
          duration_ms: Math.max(0, Math.round(entry.durationMs)),
          completed: entry.completed,
        });
        for (const hook of this.#playHooks) hook(entry, this);
      },
    });
    this.#healthEvery = options.healthIntervalMs ?? HEALTH_INTERVAL_MS;
    this.#screen = screenSize(options.device?.screen_resolution);
    this.#startedAt = this.#clock.now();
    this.#listen();
    const every = options.proofOfPlayIntervalMs;
    if (every !== undefined) {
      this.#playTimer = setInterval(() => {
        this.sendProofOfPlay().catch(() => undefined);
      }, every);
      this.#playTimer.unref();
    }
  }

  /**
   * Runs the startup flow. Resolves once the socket is connecting, or once the TV plays from its
   * cache because the server is unreachable (it keeps retrying); rejects on what retrying cannot
   * fix (wrong credentials, a refused registration).
   */
  async start(): Promise<void> {
    try {
      await this.client.start();
    } catch (error) {
      this.#startError = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  /** Switches the TV off: the showing on screen is logged as cut short, sockets are closed. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#player.stop();
      clearInterval(this.#playTimer);
      clearInterval(this.#healthTimer);
      await this.#sending?.catch(() => undefined);
      this.client.close();
      await this.#link.shutdown();
      if (this.#ownsCache) await rm(this.cacheDir, { recursive: true, force: true });
    })();
    return this.#stopped;
  }

  /** Virtual time: moves the TV's clocks `ms` ahead and plays what falls due meanwhile. */
  advance(ms: number): void {
    this.#clock.advance(ms);
    this.#player.advance();
  }

  get state(): DeviceState {
    return this.client.state;
  }

  /** The TV's wall clock, ms since the epoch (virtual time and skew included). */
  now(): number {
    return this.#clock.now();
  }

  /** What a screen shows (by default the screen of the client's `currentPlaylist`). */
  nowPlaying(screen?: ScreenKey): NowPlaying | undefined {
    if (screen !== undefined) return this.#player.nowPlaying(screen);
    const main = this.client.currentPlaylist;
    const key = SCREEN_KEYS.find((k) => this.client.currentPlaylistOf(k)?.id === main?.id);
    return key && this.#player.nowPlaying(key);
  }

  get overlay(): TextOverlay | undefined {
    return this.#player.overlay;
  }

  /** Server messages on the control socket, oldest first. */
  get received(): readonly TvReceived[] {
    return this.#received;
  }

  /** What the TV wrote to its socket (statuses, ready playlists, acks), oldest first. */
  get sent(): readonly TvSent[] {
    return this.#sent;
  }

  /** The `playlist_status` and `ready_playlists` messages among `sent`. */
  get statuses(): readonly TvSent[] {
    return this.#sent.filter((s) => s.message.type !== 'ack');
  }

  /** HTTP exchanges (sign-in, registration, playlists, downloads), oldest first. */
  get requests(): readonly LinkRequest[] {
    return this.#requests;
  }

  /** Control actions and how they ended, oldest first. */
  get commands(): readonly TvCommand[] {
    return this.#commands;
  }

  /** Every showing, oldest first. */
  get proofOfPlay(): readonly ProofOfPlay[] {
    return this.#proofOfPlay;
  }

  /** Plays the server has not acknowledged yet (see `sendProofOfPlay`). */
  get unsentPlays(): number {
    return this.#unsentPlays.size;
  }

  /** Plays dropped because the queue was full while the server was away. */
  get droppedPlays(): number {
    return this.#unsentPlays.dropped;
  }

  /**
   * Sends the queued plays in batches (`POST /api/v1/cloud/proof-of-play/`); each batch leaves
   * the queue once the server stored it, so a failure (the link down) keeps the rest for the
   * next call. One send at a time: a call while one runs waits for it, then sends what is left.
   */
  async sendProofOfPlay(): Promise<FlushResult> {
    while (this.#sending) await this.#sending.catch(() => undefined);
    const sending = this.client.sendPlays(this.#unsentPlays);
    this.#sending = sending;
    try {
      return await sending;
    } finally {
      this.#sending = undefined;
    }
  }

  /**
   * The `health` report the TV sends: app version, uptime on the TV's clock, screen size, its
   * cache (bytes and files in `cacheDir`) and the plays not yet acknowledged.
   */
  async health(): Promise<protocol.signage.HealthMessage> {
    const cache = await folderUsage(this.cacheDir);
    return {
      type: 'health',
      app_version: VERSION,
      uptime_s: Math.max(0, Math.floor((this.#clock.now() - this.#startedAt) / 1000)),
      screen_width: this.#screen.width,
      screen_height: this.#screen.height,
      cache_bytes: cache.bytes,
      cached_files: cache.files,
      unsent_plays: this.#unsentPlays.size,
      webview_version: `MarqueeTvSimulator/${VERSION}`,
    };
  }

  /** Sends a `health` report now (queued until the socket opens). */
  async sendHealth(): Promise<protocol.signage.HealthMessage> {
    const report = await this.health();
    if (this.#stopped === undefined) this.client.socket.send(report);
    return report;
  }

  #startHealth(): void {
    if (this.#healthEvery === false) return;
    const send = () => {
      this.sendHealth().catch((error: unknown) => {
        this.#count.errors++;
        this.#lastError = `Health report failed: ${String(error)}`;
      });
    };
    send();
    clearInterval(this.#healthTimer);
    this.#healthTimer = setInterval(send, this.#healthEvery);
    this.#healthTimer.unref();
  }

  /** `command_id`s whose ack `refuseAcks(true)` kept back. */
  get withheldAcks(): readonly string[] {
    return this.#withheld;
  }

  /** Files that `corruptNextDownload()` damaged. */
  get corrupted(): readonly string[] {
    return this.#disk.corrupted;
  }

  get stats(): TvStats {
    return {
      ...this.#count,
      state: this.client.state,
      bytes: this.#link.bytes,
      lastError: this.#lastError,
      startError: this.#startError,
      playlists: { ...this.#playlists },
    };
  }

  /**
   * Sees each control action before the TV applies it; return `{ refuse: reason }` (or throw) to
   * refuse it. Returns the removal.
   */
  onCommand(hook: TvCommandHook): () => void {
    return addHook(this.#commandHooks, hook);
  }

  /** Sees each playlists answer (from the server, or the cache while it is away). */
  onPlaylists(
    hook: (screens: DeviceScreens, source: ScreensSource, tv: TvSimulator) => void,
  ): () => void {
    return addHook(this.#playlistHooks, hook);
  }

  /** Sees each proof-of-play entry as a showing ends. */
  onProofOfPlay(hook: (entry: ProofOfPlay, tv: TvSimulator) => void): () => void {
    return addHook(this.#playHooks, hook);
  }

  onState(hook: (state: DeviceState, tv: TvSimulator) => void): () => void {
    return addHook(this.#stateHooks, hook);
  }

  /** Fault: the cable is pulled (see link.ts for what fails and how). */
  dropNetwork(): void {
    this.#link.drop();
  }

  restoreNetwork(): void {
    this.#link.restore();
  }

  get networkUp(): boolean {
    return this.#link.up;
  }

  /** Fault: response bodies arrive at `bytesPerSecond`; undefined lifts the limit. */
  slowLink(bytesPerSecond: number | undefined): void {
    this.#link.pace(bytesPerSecond);
  }

  /** Fault: the next file written gets a flipped byte; the MD5 check makes the TV fetch it again. */
  corruptNextDownload(): void {
    this.#disk.corruptNextDownload();
  }

  /** Fault: every download write fails with ENOSPC (a playlist with nothing stored: `failed`). */
  diskFull(full: boolean): void {
    this.#disk.setFull(full);
  }

  /** Fault: the TV's wall clock is `ms` off (token lifetimes, proof-of-play times). */
  clockSkew(ms: number): void {
    this.#clock.setSkew(ms);
  }

  /** Fault: the TV applies commands but its acks never leave it. */
  refuseAcks(refuse: boolean): void {
    this.#refuseAcks = refuse;
  }

  #listen(): void {
    const client = this.client;
    client.socket.on('message', (message) => {
      this.#count.received++;
      this.#log(this.#received, { at: this.#clock.now(), valid: true, message });
    });
    client.socket.on('invalid-message', (invalid) => {
      this.#count.received++;
      this.#log(this.#received, {
        at: this.#clock.now(),
        valid: false,
        raw: invalid.raw,
        error: invalid.error.message,
      });
    });
    client.socket.on('open', () => {
      this.#count.connects++;
      this.#startHealth();
    });
    client.on('state', ({ state, previous }) => {
      if (previous === 'online' && state === 'offline') this.#count.drops++;
      for (const hook of this.#stateHooks) hook(state, this);
    });
    client.on('screens', (screens, source) => {
      for (const hook of this.#playlistHooks) hook(screens, source, this);
    });
    client.on('media', (result) => {
      if (result.outcome === 'downloaded') this.#count.downloaded++;
      else if (result.outcome === 'cached') this.#count.cached++;
      else this.#count.failedDownloads++;
      this.#player.sync();
    });
    client.on('playlist-status', (status) => {
      this.#playlists[status.playlist_id] = status.status;
    });
    client.on('current-playlist', () => this.#player.sync());
    client.on('ready-playlists', () => this.#player.sync());
    client.on('command', (action, outcome) => {
      this.#count.commands++;
      if (!outcome.ok) this.#count.refused++;
      this.#log(this.#commands, {
        at: this.#clock.now(),
        action,
        ok: outcome.ok,
        ...(outcome.error === undefined ? {} : { error: outcome.error }),
      });
    });
    client.on('error', (error) => {
      this.#count.errors++;
      this.#lastError = error.message;
    });
  }

  async #onCommand(action: ServerAction): Promise<void> {
    for (const hook of this.#commandHooks) {
      const verdict = await hook(action, this);
      if (verdict) throw new Error(verdict.refuse);
    }
    this.#player.apply(action);
    if (action.action === 'take_screenshot') await this.#screenshot();
  }

  /** `take_screenshot`: uploads a picture of the item on screen; refused when none plays. */
  async #screenshot(): Promise<void> {
    const playing = this.nowPlaying();
    if (playing === undefined) throw new Error('Nothing is on screen to capture');
    await this.client.uploadScreenshot(
      playing.mediaId,
      screenshotPng(playing.mediaId),
      'screenshot.png',
    );
    this.#count.screenshots++;
  }

  /** Each frame the TV writes: logged, and an ack kept back while acks are refused. */
  #outgoing(text: string): boolean {
    const parsed = protocol.signage.ClientMessage.safeParse(parseJson(text));
    if (!parsed.success) return true;
    const message = parsed.data;
    if (message.type === 'ack') {
      if (this.#refuseAcks) {
        this.#count.withheldAcks++;
        this.#log(this.#withheld, message.command_id);
        return false;
      }
      this.#count.acks++;
    }
    this.#count.sent++;
    this.#log(this.#sent, { at: this.#clock.now(), message, lost: !this.#link.up });
    return true;
  }

  #log<T>(list: T[], entry: T): void {
    list.push(entry);
    if (list.length > this.#limit) list.splice(0, list.length - this.#limit);
  }
}

const HEALTH_INTERVAL_MS = 5 * 60_000;

/** `1920x1080` to its numbers; 1920×1080 when it does not read as a size. */
function screenSize(resolution: string | undefined): { width: number; height: number } {
  const match = /^(\d{1,5})\s*[x×]\s*(\d{1,5})$/.exec(resolution ?? '');
  const width = Number(match?.[1] ?? 0);
  const height = Number(match?.[2] ?? 0);
  return width > 0 && height > 0 ? { width, height } : { width: 1920, height: 1080 };
}

/**
 * Bytes and media files directly in `dir` (the cache is flat): not the saved screens nor a
 * download's `.part` files; zero when it is gone.
 */
async function folderUsage(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile() || entry.name === SCREENS_FILE || entry.name.includes('.part')) continue;
    const info = await stat(join(dir, entry.name)).catch(() => undefined);
    if (info === undefined) continue;
    bytes += info.size;
    files++;
  }
  return { bytes, files };
}

function defaultDevice(snNumber: string): DeviceModelInput {
  return {
    sn_number: snNumber,
    brand: 'Marquee',
    model: 'Simulated TV',
    manufacturer: 'Marquee',
    os_version: 'Android 11 (simulated)',
    screen_resolution: '1920x1080',
    total_storage: '32GB',
    free_storage: '20GB',
    app_version: VERSION,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
