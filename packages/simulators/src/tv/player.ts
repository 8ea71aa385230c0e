/**
 * What the TV shows: one `Timeline` per screen that has a current playlist, kept in step with the
 * device client (a new or changed playlist starts over, an unchanged one keeps playing across
 * reloads), the playback actions applied to them, and the text overlay. On real time it wakes
 * itself when the next item is due; on virtual time `advance()` moves it.
 */
import {
  SCREEN_KEYS,
  type MediaItem,
  type Playlist,
  type ScreenKey,
  type ServerAction,
} from '@marquee/sdk/device';
import type { TvClock } from './clock';
import { Timeline, type NowPlaying, type ProofOfPlay } from './timeline';

export type TextOverlay = Extract<ServerAction, { action: 'show_text_overlay' }>['text_overlay'];

export interface PlayerHooks {
  readonly clock: TvClock;
  readonly currentPlaylistOf: (screen: ScreenKey) => Playlist | undefined;
  readonly isAvailable: (item: MediaItem) => boolean;
  readonly log: (entry: ProofOfPlay) => void;
}

export class Player {
  readonly #hooks: PlayerHooks;
  readonly #timelines = new Map<ScreenKey, Timeline>();
  #overlay: TextOverlay | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(hooks: PlayerHooks) {
    this.#hooks = hooks;
  }

  get overlay(): TextOverlay | undefined {
    return this.#overlay;
  }

  nowPlaying(screen: ScreenKey): NowPlaying | undefined {
    return this.#timelines.get(screen)?.nowPlaying;
  }

  /** Follows the client's current playlists and starts screens that were waiting for files. */
  sync(): void {
    if (this.#stopped) return;
    const at = this.#hooks.clock.elapsed();
    this.#catchUp(at);
    for (const screen of SCREEN_KEYS) {
      const playlist = this.#hooks.currentPlaylistOf(screen);
      const timeline = this.#timelines.get(screen);
      if (timeline && playlist && sameSchedule(timeline.playlist, playlist)) {
        timeline.wake(at);
        continue;
      }
      timeline?.stop(at);
      this.#timelines.delete(screen);
      if (playlist) this.#timelines.set(screen, this.#timeline(playlist, screen, at));
    }
    this.#schedule();
  }

  /** Applies a playback action to every screen; throws to refuse it (the ack says why). */
  apply(action: ServerAction): void {
    const at = this.#hooks.clock.elapsed();
    this.#catchUp(at);
    const timelines = [...this.#timelines.values()];
    switch (action.action) {
      case 'play':
        for (const t of timelines) t.play(at);
        break;
      case 'pause':
        for (const t of timelines) t.pause(at);
        break;
      case 'next':
        for (const t of timelines) t.next(at);
        break;
      case 'previous':
        for (const t of timelines) t.previous(at);
        break;
      case 'play_media': {
        const target = { mediaId: action.media_id, mediaIndex: action.media_index };
        const found = timelines.filter((t) => t.jump(at, target));
        if (found.length === 0) {
          const what =
            action.media_id === undefined
              ? `index ${String(action.media_index)}`
              : `media ${action.media_id}`;
          throw new Error(`No current playlist has ${what}`);
        }
        break;
      }
      case 'show_text_overlay':
        this.#overlay = action.text_overlay;
        break;
      case 'hide_text_overlay':
        this.#overlay = undefined;
        break;
      case 'reload_playlist':
      case 'switch_playlist':
      case 'set_brightness':
      case 'set_volume':
      case 'take_screenshot':
        // The device client (or the simulator, for a screenshot) does these; a new current playlist arrives through `sync()`.
        break;
    }
    this.#schedule();
  }

  /** Plays what is due by now (virtual time: after the clock moved). */
  advance(): void {
    this.#catchUp(this.#hooks.clock.elapsed());
    this.#schedule();
  }

  /** Ends every screen's showing (logged as cut short) and stops the timer. */
  stop(): void {
    const at = this.#hooks.clock.elapsed();
    this.#catchUp(at);
    for (const timeline of this.#timelines.values()) timeline.stop(at);
    this.#timelines.clear();
    clearTimeout(this.#timer);
    this.#stopped = true;
  }

  #timeline(playlist: Playlist, screen: ScreenKey, at: number): Timeline {
    const { clock, isAvailable, log } = this.#hooks;
    return new Timeline(
      playlist,
      screen,
      { isAvailable, log, wall: (elapsed) => elapsed + clock.skewMs },
      at,
    );
  }

  /** Steps every screen to `at`, boundary by boundary across screens, so the log stays in order. */
  #catchUp(at: number): void {
    for (;;) {
      let next: { timeline: Timeline; due: number } | undefined;
      for (const timeline of this.#timelines.values()) {
        const due = timeline.dueAt();
        if (due !== undefined && due <= at && (next === undefined || due < next.due)) {
          next = { timeline, due };
        }
      }
      if (!next) return;
      next.timeline.advanceTo(next.due);
    }
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    if (this.#stopped || this.#hooks.clock.virtual) return;
    const dues = [...this.#timelines.values()]
      .map((t) => t.dueAt())
      .filter((due) => due !== undefined);
    if (dues.length === 0) return;
    const delay = Math.max(0, Math.min(...dues) - this.#hooks.clock.elapsed());
    this.#timer = setTimeout(() => this.advance(), delay);
  }
}

/** Whether a playlist from a new answer plays the same as the one on screen. */
function sameSchedule(a: Playlist, b: Playlist): boolean {
  return a.id === b.id && scheduleKey(a) === scheduleKey(b);
}

function scheduleKey(playlist: Playlist): string {
  return JSON.stringify([
    playlist.playback_config,
    playlist.media_items.map((item) => [
      item.media_id,
      item.order,
      item.checksum,
      item.timing.duration,
      item.n_time_play,
    ]),
  ]);
}
