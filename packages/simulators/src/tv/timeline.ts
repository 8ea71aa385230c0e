/**
 * One screen's playback: steps through its current playlist by the items' timing and logs proof
 * of play. Time is passed in (ms on the TV's monotonic clock), so the same code runs on real
 * timers and on virtual time.
 *
 * - Order: `order`, then the server's order. Each item shows `timing.duration` seconds,
 *   `n_time_play` times in a row. `start_time` (an offset into the media) and `loop` (within its
 *   slot) do not change the schedule. Items with no duration or no plays are skipped.
 * - Only files the TV holds play: a missing item is skipped when its turn comes; when nothing is
 *   playable the screen waits (`wake()` after a download).
 * - Repeat: after the last item the playlist starts over when `playback_config.repeat` is set,
 *   `repeat_count` more times (-1: forever); otherwise the screen stops (`finished`).
 * - Control: `pause` / `play`; `next` / `previous` go to the next / previous item (its first
 *   play, wrapping around); `jump` to an item by id or 0-based index. A play cut short is logged
 *   with `completed: false`.
 */
import type { MediaItem, Playlist, ScreenKey } from '@marquee/sdk/device';

/** One showing of one item. */
export interface ProofOfPlay {
  readonly screen: ScreenKey;
  readonly playlistId: number;
  readonly mediaId: number;
  readonly mediaName: string;
  /** Which of the item's `n_time_play` showings this was, from 1. */
  readonly play: number;
  readonly plays: number;
  /** Start and end on the TV's wall clock (ms since the epoch, clock skew included). */
  readonly start: number;
  readonly end: number;
  /** Time on screen in ms, pauses excluded. */
  readonly durationMs: number;
  /** False when cut short: next, previous, play_media, another playlist, the TV switched off. */
  readonly completed: boolean;
}

/** What is on a screen now. */
export interface NowPlaying {
  readonly playlistId: number;
  readonly mediaId: number;
  readonly mediaName: string;
  readonly play: number;
  readonly plays: number;
  readonly paused: boolean;
}

export interface TimelineHooks {
  /** Whether the TV holds the item's verified file. */
  readonly isAvailable: (item: MediaItem) => boolean;
  /** The TV's wall clock at a monotonic time. */
  readonly wall: (at: number) => number;
  readonly log: (entry: ProofOfPlay) => void;
}

interface Slot {
  readonly item: MediaItem;
  /** Index of the item in playback order. */
  readonly itemIndex: number;
  readonly play: number;
  readonly plays: number;
  readonly durationMs: number;
}

interface Showing {
  readonly slot: Slot;
  /** On the wall clock. */
  readonly start: number;
  /** Shown before the last resume, ms. */
  shownMs: number;
  /** When it last resumed; undefined while paused. */
  resumedAt: number | undefined;
}

export class Timeline {
  readonly playlist: Playlist;
  readonly screen: ScreenKey;
  readonly #hooks: TimelineHooks;
  readonly #slots: Slot[];
  readonly #itemCount: number;
  #index = -1;
  #pass = 0;
  #showing: Showing | undefined;
  #paused = false;
  #finished = false;

  constructor(playlist: Playlist, screen: ScreenKey, hooks: TimelineHooks, at: number) {
    this.playlist = playlist;
    this.screen = screen;
    this.#hooks = hooks;
    const items = playlist.media_items
      .map((item, index) => ({ item, index }))
      .sort((a, b) => a.item.order - b.item.order || a.index - b.index)
      .map(({ item }) => item);
    this.#itemCount = items.length;
    this.#slots = items.flatMap((item, itemIndex) =>
      Array.from({ length: item.n_time_play }, (_, play) => ({
        item,
        itemIndex,
        play: play + 1,
        plays: item.n_time_play,
        durationMs: item.timing.duration * 1000,
      })),
    );
    this.#startNext(at);
  }

  get nowPlaying(): NowPlaying | undefined {
    const showing = this.#showing;
    if (!showing) return undefined;
    const { item, play, plays } = showing.slot;
    return {
      playlistId: this.playlist.id,
      mediaId: item.media_id,
      mediaName: item.media_name,
      play,
      plays,
      paused: this.#paused,
    };
  }

  /** The playlist ran out of repeats. */
  get finished(): boolean {
    return this.#finished;
  }

  /** When the current showing ends; undefined when nothing is due (paused, waiting, finished). */
  dueAt(): number | undefined {
    const showing = this.#showing;
    if (!showing || showing.resumedAt === undefined) return undefined;
    return showing.resumedAt + showing.slot.durationMs - showing.shownMs;
  }

  /** Plays everything due up to `at`. */
  advanceTo(at: number): void {
    for (let due = this.dueAt(); due !== undefined && due <= at; due = this.dueAt()) {
      this.#end(due, true);
      this.#startNext(due);
    }
  }

  /** Starts playing when the screen was waiting for a file that has arrived since. */
  wake(at: number): void {
    if (!this.#showing && !this.#finished) this.#startNext(at);
  }

  pause(at: number): void {
    this.#paused = true;
    const showing = this.#showing;
    if (showing?.resumedAt === undefined) return;
    showing.shownMs += at - showing.resumedAt;
    showing.resumedAt = undefined;
  }

  play(at: number): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.#showing) this.#showing.resumedAt = at;
    else this.wake(at);
  }

  next(at: number): void {
    const current = this.#showing?.slot.itemIndex ?? this.#slots[this.#index]?.itemIndex ?? -1;
    this.#goToItem(at, (current + 1) % Math.max(1, this.#itemCount));
  }

  previous(at: number): void {
    const current = this.#showing?.slot.itemIndex ?? this.#slots[this.#index]?.itemIndex ?? 0;
    const count = Math.max(1, this.#itemCount);
    this.#goToItem(at, (current - 1 + count) % count);
  }

  /** Jumps to an item by media id, else by 0-based index; false when the playlist has neither. */
  jump(at: number, target: { readonly mediaId?: number; readonly mediaIndex?: number }): boolean {
    const byId =
      target.mediaId === undefined
        ? -1
        : this.#slots.findIndex((slot) => slot.item.media_id === target.mediaId);
    const byIndex =
      target.mediaIndex === undefined
        ? -1
        : this.#slots.findIndex((slot) => slot.itemIndex === target.mediaIndex);
    const index = byId >= 0 ? byId : byIndex;
    const slot = this.#slots[index];
    if (!slot) return false;
    this.#goToItem(at, slot.itemIndex);
    return true;
  }

  /** Ends the current showing early (the TV is switched off or plays another playlist). */
  stop(at: number): void {
    this.#end(at, false);
    this.#finished = true;
  }

  #goToItem(at: number, itemIndex: number): void {
    this.#end(at, false);
    this.#paused = false;
    this.#finished = false;
    const first = this.#slots.findIndex((slot) => slot.itemIndex === itemIndex);
    if (first < 0) return;
    this.#startNext(at, first, false);
  }

  /**
   * Starts the first playable slot from `from`, wrapping to the start as a new pass (allowed by
   * the repeat settings, unless the viewer asked for it). Nothing playable: the screen waits.
   */
  #startNext(at: number, from = this.#index + 1, automatic = true): void {
    const count = this.#slots.length;
    for (let step = 0; step < count; step++) {
      const index = (from + step) % count;
      const slot = this.#slots[index];
      if (!slot || slot.durationMs <= 0 || !this.#hooks.isAvailable(slot.item)) continue;
      if (automatic && from + step >= count) {
        if (!this.#mayRepeat()) {
          this.#finished = true;
          return;
        }
        this.#pass++;
      }
      this.#index = index;
      this.#showing = {
        slot,
        start: this.#hooks.wall(at),
        shownMs: 0,
        resumedAt: this.#paused ? undefined : at,
      };
      return;
    }
  }

  #mayRepeat(): boolean {
    const { repeat, repeat_count } = this.playlist.playback_config;
    return repeat && (repeat_count < 0 || this.#pass < repeat_count);
  }

  #end(at: number, completed: boolean): void {
    const showing = this.#showing;
    if (!showing) return;
    this.#showing = undefined;
    const shown = showing.shownMs + (showing.resumedAt === undefined ? 0 : at - showing.resumedAt);
    const { item, play, plays } = showing.slot;
    this.#hooks.log({
      screen: this.screen,
      playlistId: this.playlist.id,
      mediaId: item.media_id,
      mediaName: item.media_name,
      play,
      plays,
      start: showing.start,
      end: this.#hooks.wall(at),
      durationMs: completed ? showing.slot.durationMs : shown,
      completed,
    });
  }
}
