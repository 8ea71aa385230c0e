/**
 * The player: seed 002's startup flow with the SDK's device pieces in the browser — sign in and
 * refresh (TokenManager), register, playlists, downloads into the Cache API with the seed's
 * `playlist_status` flow (syncPlaylist), `ready_playlists`, the control socket with acks and
 * re-delivery de-duplication (CommandLedger) — and the renderer playing the current playlist.
 *
 * Offline: the last playlists answer is kept in localStorage; when the server cannot be reached
 * at start the player plays from it and the cache and retries with backoff. The socket reconnects
 * by itself and announces `ready_playlists` again on every reopen.
 */
import { MarqueeError, toMarqueeError } from '../../../../packages/sdk/src/errors';
import { routeActions } from '../../../../packages/sdk/src/clients/signage-device/action-events';
import { DeviceApi } from '../../../../packages/sdk/src/clients/signage-device/api';
import {
  createDeviceSocket,
  type DeviceSocket,
} from '../../../../packages/sdk/src/clients/signage-device/channel';
import {
  ackFor,
  CommandLedger,
  refusalFor,
} from '../../../../packages/sdk/src/clients/signage-device/commands';
import { CurrentPlaylists } from '../../../../packages/sdk/src/clients/signage-device/current-playlists';
import type { DeviceActionEvents } from '../../../../packages/sdk/src/clients/signage-device/options';
import { syncPlaylist } from '../../../../packages/sdk/src/clients/signage-device/playlist-sync';
import { flushPlays } from '../../../../packages/sdk/src/clients/signage-device/proof-of-play';
import {
  allPlaylists,
  assignedScreens,
  findPlaylist,
} from '../../../../packages/sdk/src/clients/signage-device/screens';
import { DeviceScreens as DeviceScreensSchema } from '../../../../packages/sdk/src/protocol/signage/playlist';
import type {
  ClientMessage,
  HealthMessage,
} from '../../../../packages/sdk/src/protocol/signage/client-messages';
import type { DeviceModel } from '../../../../packages/sdk/src/protocol/signage/device';
import { signageErrorShape } from '../../../../packages/sdk/src/protocol/signage/errors';
import { backoffDelay } from '../../../../packages/sdk/src/transport/backoff';
import { Emitter } from '../../../../packages/sdk/src/transport/emitter';
import { createHttpClient } from '../../../../packages/sdk/src/transport/http-client';
import { TokenManager } from '../../../../packages/sdk/src/transport/token-manager';
import type { Bridge } from './bridge';
import { wantedFiles } from './cache-policy';
import { anyScheduled, nextCheckIn, playingNow } from './daypart';
import { planCommand, type Effect } from './commands';
import { MediaStore } from './media-store';
import { playRecord, type StoredPlayQueue } from './play-queue';
import { sameSchedule } from './schedule';
import type { Provisioning } from './provision';
import type { Recovery } from './recovery';
import type { Play, Renderer } from './renderer';
import type { DeviceScreens, MediaItem, Playlist, ServerAction } from './types';

export const APP_VERSION = '0.1.0';
const SCREENS_KEY = 'marquee.tv.screens';
/** A playlists answer larger than this is not kept for offline starts. */
const MAX_SCREENS_BYTES = 2 * 1024 * 1024;
/** Entries each diagnostics list keeps. */
const LOG_LIMIT = 500;
/**
 * Plays are sent at most this long after one ended, in one batch with those that ended
 * meanwhile: a playlist of 1 s items sends a batch every 5 s, well inside the server's
 * per-device limit (MARQUEE_PROOF_OF_PLAY_BATCHES_PER_MINUTE, 60), not one per play.
 */
const PLAY_SEND_DELAY_MS = 5000;
/** While plays wait for the server, sending is tried again this often. */
const PLAY_RETRY_MS = 15_000;
/** A health report goes out when the socket opens and then this often. */
const HEALTH_INTERVAL_MS = 5 * 60_000;
/** After an item failed, a health report goes out at most this often (the error report). */
const ERROR_REPORT_MS = 30_000;
/** Between the report of a self-reload and the reload, for the socket to write it. */
const RELOAD_DELAY_MS = 500;

export type PlayerState = 'starting' | 'online' | 'offline' | 'stopped';

/** What the page exposes on `window.marqueeTv` for support and tests. */
export interface Diagnostics {
  state: PlayerState;
  snNumber: string;
  bridge: Bridge['kind'];
  brightness: number | undefined;
  volume: number;
  readonly plays: Play[];
  readonly acks: ClientMessage[];
  readonly statuses: ClientMessage[];
  readonly errors: string[];
  screenshots: number;
  playlistId: number | undefined;
  /** The device's time zone, in which playlist schedules are read (daypart.ts). */
  timeZone: string;
  /** Plays waiting for the server (proof of play). */
  unsentPlays: number;
  /** Plays the server acknowledged since the page loaded. */
  sentPlays: number;
  /** Where unsent plays are kept: IndexedDB, or memory where it is unavailable. */
  playQueue: 'indexeddb' | 'memory';
  /** The last health report sent. */
  health: HealthMessage | undefined;
  /** Items that failed to show since the page loaded (see `playbackError`). */
  playbackErrors: number;
  /** Times the page reloaded itself after repeated failures, this session. */
  selfReloads: number;
  /** The service worker that lets the page start offline (see sw.ts). */
  offlineStart: 'pending' | 'registered' | 'unsupported' | 'failed';
}

export interface PlayerOptions {
  readonly provisioning: Provisioning;
  readonly renderer: Renderer;
  readonly bridge: Bridge;
  readonly storage: Storage;
  readonly diagnostics: Diagnostics;
  /** Where plays wait until the server has them. */
  readonly plays: StoredPlayQueue;
  /** Decides when repeated playback failures call for a reload. */
  readonly recovery: Recovery;
  /** Reloads the page (`location.reload`). */
  readonly reload: () => void;
  readonly onState?: (state: PlayerState) => void;
}

function push<T>(list: T[], entry: T): void {
  list.push(entry);
  if (list.length > LOG_LIMIT) list.splice(0, list.length - LOG_LIMIT);
}

export class TvPlayer {
  readonly #options: PlayerOptions;
  readonly #tokens: TokenManager;
  readonly #api: DeviceApi;
  readonly #store: MediaStore;
  readonly #socket: DeviceSocket;
  readonly #ledger = new CommandLedger();
  readonly #current = new CurrentPlaylists();
  readonly #events = new Emitter<DeviceActionEvents>();
  readonly #diag: Diagnostics;
  #screens: DeviceScreens | undefined;
  #work: Promise<unknown> = Promise.resolve();
  #opens = 0;
  #retry = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #playTimer: ReturnType<typeof setTimeout> | undefined;
  #sendingPlays: Promise<void> | undefined;
  #playsAgain = false;
  #healthTimer: ReturnType<typeof setInterval> | undefined;
  #screenshotTimer: ReturnType<typeof setInterval> | undefined;
  /** The next day-parting check (a minute boundary), while a playlist has a schedule. */
  #daypartTimer: ReturnType<typeof setTimeout> | undefined;
  #lastPlaybackError: string | undefined;
  /** When the last error report (a health report after a failure) went out; performance.now. */
  #errorReportAt = Number.NEGATIVE_INFINITY;

  constructor(options: PlayerOptions) {
    this.#options = options;
    this.#diag = options.diagnostics;
    const { server, username, password, snNumber } = options.provisioning;
    this.#diag.snNumber = snNumber;
    this.#diag.bridge = options.bridge.kind;
    this.#diag.playQueue = options.plays.persistent ? 'indexeddb' : 'memory';
    this.#diag.selfReloads = options.recovery.reloads;
    this.#tokens = new TokenManager({ baseUrl: server, credentials: { username, password } });
    this.#api = new DeviceApi(
      createHttpClient({ baseUrl: server, auth: this.#tokens, errorShape: signageErrorShape }),
    );
    this.#store = new MediaStore({
      server,
      token: () => this.#token(),
      refresh: async (stale) => {
        await this.#tokens.refresh(stale);
        return this.#token();
      },
    });
    this.#socket = createDeviceSocket(server, snNumber, this.#tokens, {
      maxQueue: 1000,
      onConnect: () => this.#onConnect(),
    });
    routeActions(this.#socket, this.#events, (action) => void this.#command(action));
    this.#socket.on('invalid-message', (invalid) => {
      this.#error(`Unusable message from the server: ${invalid.error.message}`);
      const refusal = refusalFor(invalid);
      if (refusal) this.#send(refusal);
    });
    this.#socket.on('state', ({ state }) => {
      if (state === 'open') this.#setState('online');
      else if (state === 'reconnecting' || state === 'offline') this.#setState('offline');
    });
  }

  async #token(): Promise<string> {
    const token = await this.#tokens.getAccessToken();
    if (token === undefined) throw new MarqueeError('UNAUTHORIZED', 'No access token');
    return token;
  }

  /** The startup flow; on a server that cannot be reached, plays from the cache and retries. */
  async start(): Promise<void> {
    this.#setState('starting');
    await this.#countUnsent();
    try {
      await this.#serial(() => this.#goOnline());
    } catch (error) {
      const failure = toMarqueeError(error);
      this.#error(failure.message);
      if (this.#screens === undefined) await this.#serial(() => this.#fromStorage());
      this.#setState('offline');
      this.#scheduleRetry();
    }
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#playTimer);
    clearInterval(this.#healthTimer);
    clearInterval(this.#screenshotTimer);
    clearTimeout(this.#daypartTimer);
    this.#socket.close();
    this.#options.renderer.stop();
    this.#setState('stopped');
  }

  async #device(): Promise<DeviceModel> {
    const facts = this.#options.bridge.deviceInfo();
    let total = '';
    let free = '';
    try {
      const estimate = await navigator.storage.estimate();
      total = gb(estimate.quota ?? 0);
      free = gb((estimate.quota ?? 0) - (estimate.usage ?? 0));
    } catch {
      // No estimate: reported as unknown.
    }
    return {
      sn_number: this.#options.provisioning.snNumber,
      brand: facts.brand ?? 'Marquee',
      model: facts.model ?? 'Web player',
      manufacturer: facts.manufacturer ?? 'Marquee',
      os_version: (facts.os_version ?? navigator.userAgent).slice(0, 255),
      screen_resolution: `${screen.width}x${screen.height}`,
      total_storage: facts.total_storage ?? (total || 'unknown'),
      free_storage: facts.free_storage ?? (free || 'unknown'),
      app_version: APP_VERSION,
      ...(facts.mac_address ? { mac_address: facts.mac_address } : {}),
      brightness: this.#diag.brightness ?? 50,
      volume: this.#diag.volume,
    };
  }

  async #goOnline(): Promise<void> {
    await this.#token();
    await this.#api.register(await this.#device());
    await this.#reload();
    this.#retry = 0;
    if (!this.#stopped) this.#socket.connect();
    this.#schedulePlays(0);
  }

  /** Playlists, downloads with their statuses, eviction, current playlist, `ready_playlists`. */
  async #reload(): Promise<number[]> {
    const screens = await this.#api.playlists(this.#options.provisioning.snNumber);
    this.#screens = screens;
    this.#keepScreens(screens);
    const ready = await this.#download(screens);
    await this.#store.evict(wantedFiles(screens)).catch((error: unknown) => {
      this.#error(`Evicting stale files failed: ${String(error)}`);
    });
    this.#choose(screens);
    this.#sendReady(ready);
    return ready;
  }

  /** Downloads every assigned playlist; answers the ids of those fully cached. */
  async #download(screens: DeviceScreens): Promise<number[]> {
    const ready: number[] = [];
    for (const playlist of allPlaylists(screens)) {
      const final = await this.#sync(playlist);
      if (final?.status === 'ready') ready.push(playlist.id);
    }
    return ready;
  }

  /** One playlist's downloads and the seed's `playlist_status` reports; the final status. */
  #sync(playlist: Playlist): ReturnType<typeof syncPlaylist> {
    return syncPlaylist(playlist, {
      ensure: async (item) => {
        const result = await this.#store.ensure(item);
        if (result.outcome !== 'failed') this.#options.renderer.wake();
        return {
          item,
          path: '',
          outcome: result.outcome,
          requests: result.requests,
          resumed: false,
          ...(result.error === undefined
            ? {}
            : { error: new MarqueeError('INTERNAL', result.error) }),
        };
      },
      report: (status) => {
        push(this.#diag.statuses, status);
        this.#send(status);
      },
      cancelled: () => this.#stopped,
    });
  }

  #readyIds(): number[] {
    if (!this.#screens) return [];
    return allPlaylists(this.#screens)
      .filter((p) => p.media_items.every((item) => this.#store.isAvailable(item)))
      .map((p) => p.id);
  }

  #sendReady(ids = this.#readyIds()): void {
    const message: ClientMessage = { type: 'ready_playlists', playlist_ids: ids };
    push(this.#diag.statuses, message);
    this.#send(message);
  }

  /** Each screen's current playlist; the page shows the main one, day-parted. */
  #choose(screens: DeviceScreens): void {
    this.#current.choose(screens);
    this.#playNow(true);
  }

  /**
   * Plays what the main screen plays now by the schedules of its playlists, in the device's time
   * zone (daypart.ts), and checks again at the next minute boundary while any is scheduled.
   * `changed`: the playlists were just fetched or switched (else only a different pick is shown).
   */
  #playNow(changed: boolean): void {
    clearTimeout(this.#daypartTimer);
    const screens = this.#screens;
    const current = this.#current.main(screens);
    const screen =
      screens === undefined
        ? undefined
        : current === undefined
          ? assignedScreens(screens)[0]?.screen
          : screens[findPlaylist(screens, current.id)?.key ?? 'front_screen'];
    const playlists = screen?.playlists ?? [];
    const at = Date.now();
    const playlist = playingNow(playlists, current, at, this.#diag.timeZone);
    if (changed || playlist?.id !== this.#options.renderer.playlist?.id) this.#play(playlist);
    if (anyScheduled(playlists) && !this.#stopped) {
      this.#daypartTimer = setTimeout(() => this.#playNow(false), nextCheckIn(at));
    }
  }

  #play(playlist: Playlist | undefined): void {
    const renderer = this.#options.renderer;
    const showing = renderer.playlist;
    if (showing && playlist && sameSchedule(showing, playlist)) {
      renderer.wake();
      return;
    }
    this.#diag.playlistId = playlist?.id;
    renderer.show(playlist);
  }

  async #fromStorage(): Promise<void> {
    const text = this.#options.storage.getItem(SCREENS_KEY);
    if (text === null) return;
    let screens: DeviceScreens;
    try {
      screens = DeviceScreensSchema.parse(JSON.parse(text));
    } catch {
      return;
    }
    this.#screens = screens;
    for (const playlist of allPlaylists(screens)) {
      for (const item of playlist.media_items) await this.#store.ensure(item);
    }
    this.#choose(screens);
  }

  #keepScreens(screens: DeviceScreens): void {
    const text = JSON.stringify(screens);
    if (text.length > MAX_SCREENS_BYTES) return;
    try {
      this.#options.storage.setItem(SCREENS_KEY, text);
    } catch {
      // Storage full: the offline start then uses an older answer, or none.
    }
  }

  async #command(action: ServerAction): Promise<void> {
    const id = action.command_id;
    const earlier = id === undefined ? undefined : this.#ledger.begin(id);
    if (earlier !== undefined) {
      if (earlier !== 'running') this.#send(earlier);
      return;
    }
    const plan = planCommand(action, Date.now(), {
      brightness: this.#options.bridge.canSetBrightness,
    });
    let outcome: { ok: boolean; error?: string };
    if (plan.kind === 'expired') {
      if (plan.ack) this.#finish(plan.ack);
      return;
    } else if (plan.kind === 'unsupported') {
      outcome = { ok: false, error: plan.error };
    } else {
      try {
        await this.#apply(plan.effect);
        outcome = { ok: true };
      } catch (error) {
        outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    }
    const ack = ackFor(action, outcome);
    if (ack) this.#finish(ack);
  }

  #finish(ack: Extract<ClientMessage, { type: 'ack' }>): void {
    this.#ledger.finish(ack.command_id, ack);
    push(this.#diag.acks, ack);
    this.#send(ack);
  }

  async #apply(effect: Effect): Promise<void> {
    const renderer = this.#options.renderer;
    switch (effect.kind) {
      case 'play':
        renderer.play();
        return;
      case 'pause':
        renderer.pause();
        return;
      case 'next':
        renderer.next();
        return;
      case 'previous':
        renderer.previous();
        return;
      case 'jump':
        if (!renderer.jump(effect)) {
          throw new Error(
            effect.mediaId === undefined
              ? `No item at index ${String(effect.mediaIndex)} in the current playlist`
              : `No media ${effect.mediaId} in the current playlist`,
          );
        }
        return;
      case 'reload':
        await this.#serial(() => this.#reload());
        return;
      case 'switch':
        await this.#serial(() => this.#switch(effect.playlistId));
        return;
      case 'overlay':
        renderer.setOverlay(effect.overlay);
        return;
      case 'brightness':
        if (!this.#options.bridge.setBrightness(effect.level)) {
          throw new Error('The device refused the brightness change');
        }
        this.#diag.brightness = effect.level;
        return;
      case 'volume':
        renderer.setVolume(effect.level);
        this.#options.bridge.setVolume(effect.level);
        this.#diag.volume = effect.level;
        return;
      case 'screenshot':
        await this.screenshot();
        return;
    }
  }

  async #switch(playlistId: number): Promise<void> {
    let found = this.#screens && findPlaylist(this.#screens, playlistId);
    if (!found) {
      const screens = await this.#api.playlists(this.#options.provisioning.snNumber);
      this.#screens = screens;
      this.#keepScreens(screens);
      this.#current.choose(screens);
      found = findPlaylist(screens, playlistId);
    }
    if (!found) throw new Error(`Playlist ${playlistId} is not assigned to this device`);
    if (!found.playlist.media_items.every((item) => this.#store.isAvailable(item))) {
      const final = await this.#sync(found.playlist);
      if (!final || final.status === 'failed') {
        this.#sendReady();
        throw new Error(`Playlist ${playlistId} could not be downloaded`);
      }
    }
    this.#current.switchTo(found.key, playlistId);
    this.#playNow(true);
    this.#sendReady();
  }

  /** A blob: URL of the item's cached file (the renderer revokes it). */
  mediaUrl(item: MediaItem): Promise<string | undefined> {
    return this.#store.objectUrl(item);
  }

  isAvailable(item: MediaItem): boolean {
    return this.#store.isAvailable(item);
  }

  /**
   * The periodic screenshot of the provisioning's `screenshotEverySeconds`: from the first
   * connect on, one upload that often while something is on screen (a failed one is recorded
   * and the next comes on time).
   */
  #startScreenshots(): void {
    const every = this.#options.provisioning.screenshotEverySeconds;
    if (every === undefined || this.#screenshotTimer !== undefined || this.#stopped) return;
    this.#screenshotTimer = setInterval(() => {
      if (this.#options.renderer.onScreen === undefined || this.#diag.state !== 'online') return;
      this.screenshot().catch((error: unknown) => {
        this.#error(`Periodic screenshot failed: ${toMarqueeError(error).message}`);
      });
    }, every * 1000);
  }

  /** Captures the screen and uploads it with the media id on screen. */
  async screenshot(): Promise<void> {
    const renderer = this.#options.renderer;
    const mediaId = renderer.onScreen;
    if (mediaId === undefined) throw new Error('Nothing is on screen to capture');
    const image = await renderer.capture();
    await this.#api.screenshot(
      { device_id: this.#options.provisioning.snNumber, media_id: mediaId },
      image,
      'screenshot.jpg',
    );
    this.#diag.screenshots++;
  }

  /**
   * Keeps a play for the server (IndexedDB) and sends the queue shortly after; a failure leaves
   * it queued for the next try (every PLAY_RETRY_MS, and on every reconnect).
   */
  async recordPlay(play: Play): Promise<void> {
    try {
      await this.#options.plays.add(playRecord(play));
    } catch (error) {
      this.#error(`Keeping a play failed: ${String(error)}`);
    }
    await this.#countUnsent();
    this.#schedulePlays(PLAY_SEND_DELAY_MS, false);
  }

  /** Sends every queued play now; resolves when the queue is empty or a batch failed. */
  sendPlays(): Promise<void> {
    if (this.#sendingPlays) {
      this.#playsAgain = true;
      return this.#sendingPlays;
    }
    const run = (async () => {
      do {
        this.#playsAgain = false;
        try {
          const result = await flushPlays(this.#options.plays, (plays) =>
            this.#api.proofOfPlay(this.#options.provisioning.snNumber, plays),
          );
          this.#diag.sentPlays += result.sent;
        } catch (error) {
          this.#error(`Sending plays failed: ${toMarqueeError(error).message}`);
        }
        await this.#countUnsent();
      } while (this.#playsAgain && !this.#stopped);
    })();
    this.#sendingPlays = run.finally(() => {
      this.#sendingPlays = undefined;
      if (this.#diag.unsentPlays > 0) this.#schedulePlays(PLAY_RETRY_MS, false);
    });
    return this.#sendingPlays;
  }

  /** Sends the queue in `delayMs`; `replace` false keeps an earlier send already planned. */
  #schedulePlays(delayMs: number, replace = true): void {
    if (this.#stopped) return;
    if (!replace && this.#playTimer !== undefined) return;
    clearTimeout(this.#playTimer);
    this.#playTimer = setTimeout(() => {
      this.#playTimer = undefined;
      void this.sendPlays();
    }, delayMs);
  }

  async #countUnsent(): Promise<void> {
    try {
      this.#diag.unsentPlays = await this.#options.plays.size();
    } catch {
      // The count is diagnostics only.
    }
  }

  /** What the `health` message reports: versions, screen, uptime, storage, cache, queue. */
  async health(): Promise<HealthMessage> {
    const report: HealthMessage = {
      type: 'health',
      app_version: APP_VERSION,
      uptime_s: Math.floor(performance.now() / 1000),
      screen_width: Math.max(1, Math.round(screen.width)),
      screen_height: Math.max(1, Math.round(screen.height)),
      unsent_plays: this.#diag.unsentPlays,
      playback_errors: this.#diag.playbackErrors,
      self_reloads: this.#diag.selfReloads,
    };
    if (this.#lastPlaybackError !== undefined) {
      report.last_error = this.#lastPlaybackError.slice(0, 500);
    }
    const browser = /(?:Chrome|Chromium|Firefox|Version)\/[\d.]+/.exec(navigator.userAgent);
    if (browser) report.webview_version = browser[0];
    try {
      const estimate = await navigator.storage.estimate();
      if (estimate.usage !== undefined) report.storage_used_bytes = Math.round(estimate.usage);
      if (estimate.quota !== undefined) report.storage_quota_bytes = Math.round(estimate.quota);
    } catch {
      // No estimate in this browser: left out.
    }
    try {
      const usage = await this.#store.usage();
      report.cache_bytes = usage.bytes;
      report.cached_files = usage.files;
    } catch {
      // The Cache API is unavailable: left out.
    }
    return report;
  }

  /**
   * An item could not be shown (the renderer skipped it): kept for diagnostics, reported to the
   * server in a health report at most every ERROR_REPORT_MS, and past the recovery's threshold
   * the page reloads itself (after that report went out).
   */
  playbackError(message: string): void {
    push(this.#diag.errors, message);
    this.#diag.playbackErrors++;
    this.#lastPlaybackError = message;
    if (this.#options.recovery.failure(Date.now())) {
      this.#diag.selfReloads = this.#options.recovery.reloads;
      void this.#sendHealth().finally(() => {
        setTimeout(() => this.#options.reload(), RELOAD_DELAY_MS);
      });
      return;
    }
    const now = performance.now();
    if (now - this.#errorReportAt < ERROR_REPORT_MS) return;
    this.#errorReportAt = now;
    void this.#sendHealth();
  }

  async #sendHealth(): Promise<void> {
    try {
      const report = await this.health();
      this.#diag.health = report;
      this.#send(report);
    } catch (error) {
      this.#error(`Health report failed: ${String(error)}`);
    }
  }

  #onConnect(): void {
    this.#schedulePlays(0);
    this.#startScreenshots();
    void this.#sendHealth();
    clearInterval(this.#healthTimer);
    this.#healthTimer = setInterval(() => void this.#sendHealth(), HEALTH_INTERVAL_MS);
    this.#opens++;
    if (this.#opens === 1) return;
    this.#socket.send({ type: 'ready_playlists', playlist_ids: this.#readyIds() });
  }

  #send(message: ClientMessage): void {
    if (this.#stopped) return;
    try {
      this.#socket.send(message);
    } catch (error) {
      this.#error(toMarqueeError(error).message);
    }
  }

  #scheduleRetry(): void {
    if (this.#stopped) return;
    const delay = backoffDelay(this.#retry++, { initialMs: 1000, maxMs: 60_000 });
    this.#retryTimer = setTimeout(() => {
      this.#serial(() => this.#goOnline()).catch((error: unknown) => {
        this.#error(toMarqueeError(error).message);
        this.#scheduleRetry();
      });
    }, delay);
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#work.then(task, task);
    this.#work = run.catch(() => undefined);
    return run;
  }

  #error(message: string): void {
    push(this.#diag.errors, message);
  }

  #setState(state: PlayerState): void {
    if (this.#diag.state === state) return;
    this.#diag.state = state;
    this.#options.onState?.(state);
  }
}

function gb(bytes: number): string {
  return `${(Math.max(0, bytes) / 1e9).toFixed(1)}GB`;
}
