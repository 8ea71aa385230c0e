/**
 * Plays a playlist in the page: one absolutely placed box per zone (see schedule.ts), each with
 * two layers so the next item is loaded while the current one shows and then swapped in: an
 * image is decoded before it is shown, a video is loaded (`loadeddata`) ahead and started at the
 * swap, the old layer hidden only once the new one is ready, so there is no black frame between
 * items. Each showing is timed by the item's duration on `performance.now()` and logged as a play.
 */
import {
  findTarget,
  nextItemStart,
  nextStep,
  placeOnScreen,
  previousItemStart,
  zonesOf,
  type Slot,
  type Zone,
} from './schedule';
import { cacheKey } from './cache-policy';
import { ENTRANCE_MS, entranceOf, type Entrance } from './transitions';
import { STALL_MS, StallDetector } from './watchdog';
import type { MediaItem, Playlist, TextOverlay } from './types';

/** One showing, as it ended (or now, for the one on screen). */
export interface Play {
  readonly id: string;
  readonly playlistId: number;
  readonly mediaId: number;
  readonly zone: string;
  /** Which of the item's `n_time_play` showings, from 1. */
  readonly play: number;
  /** Wall clock, ms since the epoch. */
  readonly start: number;
  readonly end: number;
  /** Time on screen, pauses excluded. */
  readonly durationMs: number;
  readonly completed: boolean;
}

export interface RendererHooks {
  /** A blob: URL of the item's verified file, or undefined when it is not cached. */
  readonly url: (item: MediaItem) => Promise<string | undefined>;
  readonly isAvailable: (item: MediaItem) => boolean;
  readonly played: (play: Play) => void;
  readonly error: (message: string) => void;
}

type Shown = HTMLImageElement | HTMLVideoElement;

class ZonePlayer {
  readonly box: HTMLDivElement;
  readonly #zone: Zone;
  readonly #playlist: Playlist;
  readonly #renderer: Renderer;
  #index = -1;
  #pass = 0;
  #current: { slot: Slot; el: Shown; start: number; shownMs: number; since: number } | undefined;
  #preloaded: { index: number; el: Shown; ready: Promise<void> } | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #watch: ReturnType<typeof setInterval> | undefined;
  #generation = 0;
  #stopped = false;
  #waiting = false;

  constructor(zone: Zone, playlist: Playlist, renderer: Renderer, stage: HTMLElement) {
    this.#zone = zone;
    this.#playlist = playlist;
    this.#renderer = renderer;
    this.box = document.createElement('div');
    this.box.className = 'zone';
    this.box.dataset['zone'] = zone.key;
    const place = placeOnScreen(zone.layout, playlist);
    this.box.style.left = `${place.x * 100}%`;
    this.box.style.top = `${place.y * 100}%`;
    this.box.style.width = `${place.width * 100}%`;
    this.box.style.height = `${place.height * 100}%`;
    this.box.style.zIndex = String(zone.zIndex);
    stage.append(this.box);
  }

  get current(): { slot: Slot; el: Shown } | undefined {
    return this.#current;
  }

  get zone(): Zone {
    return this.#zone;
  }

  start(): void {
    void this.#goTo(0, 0);
  }

  /** A file arrived: a zone that had nothing playable tries again. */
  wake(): void {
    if (this.#waiting && !this.#stopped) void this.#goTo(Math.max(this.#index, 0), this.#pass);
  }

  stop(): void {
    this.#end(false);
    this.#stopped = true;
    this.#generation++;
    clearTimeout(this.#timer);
    clearInterval(this.#watch);
    this.#dropPreload();
    this.box.remove();
  }

  pause(): void {
    const current = this.#current;
    if (!current || this.#renderer.paused) return;
    clearTimeout(this.#timer);
    current.shownMs += performance.now() - current.since;
    if (current.el instanceof HTMLVideoElement) current.el.pause();
  }

  resume(): void {
    const current = this.#current;
    if (!current) return;
    current.since = performance.now();
    if (current.el instanceof HTMLVideoElement) void this.#renderer.playVideo(current.el);
    this.#arm(current.slot.durationMs - current.shownMs);
  }

  next(): void {
    void this.#goTo(nextItemStart(this.#zone, Math.max(this.#index, 0)), this.#pass, false);
  }

  previous(): void {
    void this.#goTo(previousItemStart(this.#zone, Math.max(this.#index, 0)), this.#pass, false);
  }

  jump(target: { mediaId?: number; mediaIndex?: number }): boolean {
    const index = findTarget(this.#zone, target);
    if (index === undefined) return false;
    void this.#goTo(index, this.#pass, false);
    return true;
  }

  #arm(ms: number): void {
    clearTimeout(this.#timer);
    const generation = this.#generation;
    this.#timer = setTimeout(
      () => {
        if (generation !== this.#generation) return;
        const step = nextStep(this.#playlist, this.#zone, this.#index, this.#pass);
        if (step === 'done') {
          this.#end(true);
          this.#current = undefined;
          return;
        }
        void this.#goTo(step.index, step.pass);
      },
      Math.max(0, ms),
    );
  }

  /** Shows the first playable slot from `index` on (one lap at most). */
  async #goTo(index: number, pass: number, completed = true): Promise<void> {
    const generation = ++this.#generation;
    clearTimeout(this.#timer);
    const slots = this.#zone.slots;
    let chosen = -1;
    for (let i = 0; i < slots.length; i++) {
      const at = (index + i) % slots.length;
      const slot = slots[at];
      if (slot && this.#renderer.hooks.isAvailable(slot.item)) {
        chosen = at;
        break;
      }
    }
    if (chosen < 0) {
      // Nothing playable yet: keep what is shown, wait for a download.
      this.#waiting = true;
      return;
    }
    this.#waiting = false;
    const slot = slots[chosen];
    if (!slot) return;
    let el: Shown | undefined;
    const preloaded = this.#preloaded;
    if (preloaded && preloaded.index === chosen) {
      this.#preloaded = undefined;
      await preloaded.ready.catch(() => undefined);
      el = preloaded.el;
    } else if (this.#current && this.#current.slot.item === slot.item) {
      // The same item again (its next play): the element on screen restarts.
      el = this.#current.el;
    } else {
      this.#dropPreload();
      el = await this.#load(slot.item).catch((error: unknown) => {
        this.#renderer.hooks.error(error instanceof Error ? error.message : String(error));
        return undefined;
      });
    }
    if (generation !== this.#generation || this.#stopped) {
      if (el && el !== this.#current?.el) el.remove();
      return;
    }
    if (!el) {
      // Unplayable file: skip it after a moment rather than spin.
      this.#index = chosen;
      this.#arm(1000);
      return;
    }
    this.#end(completed);
    const previous = this.#current?.el;
    if (el instanceof HTMLVideoElement) {
      el.currentTime = 0;
      el.loop = slot.item.timing.loop;
      await this.#renderer.playVideo(el);
    }
    el.classList.add('on');
    this.#enter(el, previous, entranceOf(slot.item.effects));
    this.#index = chosen;
    this.#pass = pass;
    const now = performance.now();
    this.#current = { slot, el, start: Date.now(), shownMs: 0, since: now };
    this.#renderer.started(this, slot);
    this.#watchVideo(el, slot, generation);
    if (this.#renderer.paused) {
      if (el instanceof HTMLVideoElement) el.pause();
    } else {
      this.#arm(slot.durationMs);
    }
    this.#preloadNext();
  }

  /**
   * The watchdog of a video on screen: one that errors, or whose position has not moved for
   * STALL_MS while it should play (shown, not paused, not at its end), is reported and skipped.
   */
  #watchVideo(el: Shown, slot: Slot, generation: number): void {
    clearInterval(this.#watch);
    if (!(el instanceof HTMLVideoElement)) return;
    const detector = new StallDetector(STALL_MS);
    const skip = (why: string) => {
      if (generation !== this.#generation) return;
      clearInterval(this.#watch);
      this.#renderer.hooks.error(`Skipped ${slot.item.media_name}: ${why}`);
      void this.#goTo(nextItemStart(this.#zone, this.#index), this.#pass, false);
    };
    el.addEventListener('error', () => skip('the video failed while playing'), { once: true });
    this.#watch = setInterval(() => {
      if (generation !== this.#generation) {
        clearInterval(this.#watch);
        return;
      }
      const shouldPlay = !this.#renderer.paused && !el.ended;
      if (detector.sample(performance.now(), el.currentTime, shouldPlay)) {
        skip(`no progress for ${STALL_MS / 1000} s`);
      }
    }, 1000);
  }

  #preloadNext(): void {
    const step = nextStep(this.#playlist, this.#zone, this.#index, this.#pass);
    if (step === 'done') return;
    const slot = this.#zone.slots[step.index];
    if (!slot || slot.item === this.#current?.slot.item) return;
    if (!this.#renderer.hooks.isAvailable(slot.item)) return;
    this.#dropPreload();
    const holder: { el?: Shown } = {};
    const ready = this.#load(slot.item).then((el) => {
      holder.el = el;
    });
    const index = step.index;
    this.#preloaded = {
      index,
      get el() {
        return holder.el as Shown;
      },
      ready,
    };
  }

  #dropPreload(): void {
    const preloaded = this.#preloaded;
    this.#preloaded = undefined;
    if (preloaded)
      void preloaded.ready.then(
        () => preloaded.el.remove(),
        () => undefined,
      );
  }

  /** A hidden element in the zone with the item loaded and decoded, ready to show. */
  async #load(item: MediaItem): Promise<Shown> {
    const url = await this.#renderer.hooks.url(item);
    if (url === undefined) throw new Error(`${item.media_name} is not cached`);
    if (item.media_type === 'video') {
      const video = document.createElement('video');
      video.muted = this.#renderer.volume === 0;
      video.volume = this.#renderer.volume / 100;
      video.preload = 'auto';
      video.playsInline = true;
      video.dataset['mediaId'] = String(item.media_id);
      video.className = 'media';
      const loaded = new Promise<void>((resolve, reject) => {
        video.addEventListener('loadeddata', () => resolve(), { once: true });
        video.addEventListener(
          'error',
          () => reject(new Error(`${item.media_name} cannot be played`)),
          { once: true },
        );
      });
      video.src = url;
      this.box.append(video);
      await loaded;
      return video;
    }
    const img = document.createElement('img');
    img.alt = '';
    img.className = 'media';
    img.dataset['mediaId'] = String(item.media_id);
    img.src = url;
    this.box.append(img);
    await img.decode();
    return img;
  }

  /** Logs the showing on screen as ended. */
  /**
   * `el` is on screen: a cut removes the item before it at once; a fade or slide animates `el`
   * in above it (player.css) and removes it when the entrance is over.
   */
  #enter(el: Shown, previous: Shown | undefined, entrance: Entrance): void {
    const replaced = previous !== undefined && previous !== el ? previous : undefined;
    if (entrance === 'cut' || (replaced === undefined && previous === el)) {
      replaced?.remove();
      return;
    }
    const entering = `enter-${entrance}`;
    el.classList.add(entering);
    setTimeout(() => {
      el.classList.remove(entering);
      replaced?.remove();
    }, ENTRANCE_MS);
  }

  #end(completed: boolean): void {
    const current = this.#current;
    if (!current) return;
    const shown = current.shownMs + (this.#renderer.paused ? 0 : performance.now() - current.since);
    this.#renderer.hooks.played({
      id: crypto.randomUUID(),
      playlistId: this.#playlist.id,
      mediaId: current.slot.item.media_id,
      zone: this.#zone.key,
      play: current.slot.play,
      start: current.start,
      end: Date.now(),
      durationMs: Math.round(shown),
      completed,
    });
  }
}

export class Renderer {
  readonly hooks: RendererHooks;
  readonly #stage: HTMLElement;
  readonly #overlay: HTMLElement;
  #zones: ZonePlayer[] = [];
  #playlist: Playlist | undefined;
  #urls = new Map<string, string>();
  #paused = false;
  #volume = 100;
  #listeners = new Set<(zone: string, slot: Slot) => void>();

  constructor(stage: HTMLElement, overlay: HTMLElement, hooks: RendererHooks) {
    this.#stage = stage;
    this.#overlay = overlay;
    this.hooks = {
      ...hooks,
      url: async (item) => {
        const key = cacheKey(item);
        const known = this.#urls.get(key);
        if (known) return known;
        const url = await hooks.url(item);
        if (url) this.#urls.set(key, url);
        return url;
      },
    };
  }

  get paused(): boolean {
    return this.#paused;
  }

  get volume(): number {
    return this.#volume;
  }

  get playlist(): Playlist | undefined {
    return this.#playlist;
  }

  /** Calls `listener` whenever a zone starts a showing. */
  onStart(listener: (zone: string, slot: Slot) => void): void {
    this.#listeners.add(listener);
  }

  started(zone: ZonePlayer, slot: Slot): void {
    for (const listener of this.#listeners) listener(zone.zone.key, slot);
  }

  /** Plays `playlist` from its start (undefined: a blank screen). */
  show(playlist: Playlist | undefined): void {
    for (const zone of this.#zones) zone.stop();
    this.#zones = [];
    this.#playlist = playlist;
    const keep = new Set(playlist?.media_items.map(cacheKey) ?? []);
    for (const [key, url] of this.#urls) {
      if (!keep.has(key)) {
        URL.revokeObjectURL(url);
        this.#urls.delete(key);
      }
    }
    this.#stage.style.backgroundColor = playlist?.playback_config.background_color ?? '#000000';
    if (!playlist) return;
    this.#zones = zonesOf(playlist).map(
      (zone) => new ZonePlayer(zone, playlist, this, this.#stage),
    );
    for (const zone of this.#zones) zone.start();
  }

  /** New files are available: zones that were waiting start. */
  wake(): void {
    for (const zone of this.#zones) zone.wake();
  }

  pause(): void {
    for (const zone of this.#zones) zone.pause();
    this.#paused = true;
  }

  play(): void {
    if (!this.#paused) return;
    this.#paused = false;
    for (const zone of this.#zones) zone.resume();
  }

  next(): void {
    for (const zone of this.#zones) zone.next();
  }

  previous(): void {
    for (const zone of this.#zones) zone.previous();
  }

  /** `play_media`: by media id in whichever zone has it, or by 0-based item index. */
  jump(target: { mediaId?: number; mediaIndex?: number }): boolean {
    let mediaId = target.mediaId;
    if (mediaId === undefined && target.mediaIndex !== undefined && this.#playlist) {
      const ordered = [...this.#playlist.media_items].sort((a, b) => a.order - b.order);
      mediaId = ordered[target.mediaIndex]?.media_id;
    }
    if (mediaId === undefined) return false;
    const found = this.#zones.filter((zone) => zone.jump({ mediaId }));
    return found.length > 0;
  }

  setVolume(level: number): void {
    this.#volume = level;
    for (const video of this.#stage.querySelectorAll('video')) {
      video.volume = level / 100;
      video.muted = level === 0;
    }
  }

  /** Starts a video; where autoplay with sound is refused, muted. */
  async playVideo(video: HTMLVideoElement): Promise<void> {
    try {
      await video.play();
    } catch {
      video.muted = true;
      await video.play().catch(() => undefined);
    }
  }

  setOverlay(overlay: TextOverlay | undefined): void {
    const box = this.#overlay;
    box.replaceChildren();
    box.className = 'overlay';
    if (!overlay) {
      box.hidden = true;
      return;
    }
    const text = document.createElement('span');
    text.textContent = overlay.text;
    box.classList.add(overlay.position, overlay.animation);
    if (overlay.font_size !== undefined) box.style.fontSize = `${overlay.font_size}px`;
    box.style.backgroundColor = overlay.background_color ?? '';
    box.style.color = overlay.text_color ?? '';
    box.append(text);
    box.hidden = false;
    if (overlay.animation === 'scroll') {
      const vertical = overlay.position === 'left' || overlay.position === 'right';
      const distance = vertical
        ? box.clientHeight + text.offsetHeight
        : box.clientWidth + text.offsetWidth;
      const seconds = overlay.speed > 0 ? distance / overlay.speed : 0;
      text.style.animationDuration = `${Math.max(seconds, 0.1)}s`;
      if (overlay.speed <= 0) text.style.animationPlayState = 'paused';
    }
  }

  /** The media id on screen in the top zone, for the screenshot upload. */
  get onScreen(): number | undefined {
    const zones = [...this.#zones].reverse();
    return zones.find((zone) => zone.current)?.current?.slot.item.media_id;
  }

  /**
   * What the screen shows, drawn onto a canvas: background, each zone's current image or video
   * frame in its box (z order), then the overlay's text. Resolves with a JPEG.
   */
  async capture(maxWidth = 1280): Promise<Blob> {
    const rect = this.#stage.getBoundingClientRect();
    const scale = Math.min(1, maxWidth / Math.max(rect.width, 1));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(rect.width * scale));
    canvas.height = Math.max(1, Math.round(rect.height * scale));
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('No 2D canvas to capture with');
    ctx.fillStyle = this.#playlist?.playback_config.background_color ?? '#000000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    for (const zone of this.#zones) {
      const el = zone.current?.el;
      if (!el) continue;
      const box = zone.box.getBoundingClientRect();
      ctx.drawImage(
        el,
        (box.left - rect.left) * scale,
        (box.top - rect.top) * scale,
        box.width * scale,
        box.height * scale,
      );
    }
    if (!this.#overlay.hidden) {
      const box = this.#overlay.getBoundingClientRect();
      const style = getComputedStyle(this.#overlay);
      ctx.fillStyle = style.backgroundColor;
      ctx.fillRect(
        (box.left - rect.left) * scale,
        (box.top - rect.top) * scale,
        box.width * scale,
        box.height * scale,
      );
      ctx.fillStyle = style.color;
      ctx.font = `${parseFloat(style.fontSize) * scale}px sans-serif`;
      ctx.textBaseline = 'middle';
      ctx.fillText(
        this.#overlay.textContent ?? '',
        (box.left - rect.left + 8) * scale,
        (box.top - rect.top + box.height / 2) * scale,
      );
    }
    return new Promise((resolve, reject) => {
      canvas.toBlob(
        (blob) => (blob ? resolve(blob) : reject(new Error('The capture produced no image'))),
        'image/jpeg',
        0.85,
      );
    });
  }

  stop(): void {
    this.show(undefined);
  }
}
