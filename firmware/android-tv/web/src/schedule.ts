/**
 * What a playlist plays, as pure data: its items cut into zones and each zone's sequence of
 * showings. The same rules as the TV simulator's timeline, so both devices play a playlist alike:
 *
 * - Order: `order`, then the server's order. Each item shows `timing.duration` seconds,
 *   `n_time_play` times in a row. Items with no duration or no plays are left out.
 * - Zones: items that share a layout rectangle (x, y, width, height, z_index) form a zone, placed
 *   on the screen scaled from the playlist's canvas (width × height); each zone steps through its
 *   own items. A playlist whose items are all full-canvas has one zone.
 * - Repeat: after the last showing a zone starts over when `playback_config.repeat` is set,
 *   `repeat_count` more times (-1: forever); otherwise it stops on its last item.
 */
import type { MediaItem, Playlist } from './types';

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** One showing of one item in a zone. */
export interface Slot {
  readonly item: MediaItem;
  /** Which of the item's `n_time_play` showings this is, from 1. */
  readonly play: number;
  readonly plays: number;
  readonly durationMs: number;
}

export interface Zone {
  /** `x,y,w,h,z` of the layout, unique within the playlist. */
  readonly key: string;
  readonly layout: Rect;
  readonly zIndex: number;
  readonly slots: readonly Slot[];
}

export function zoneKey(item: MediaItem): string {
  const { x, y, width, height, z_index } = item.layout;
  return `${x},${y},${width},${height},${z_index}`;
}

/** Items in playing order (`order`, then their place in the answer). */
export function orderedItems(playlist: Playlist): MediaItem[] {
  return playlist.media_items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => a.item.order - b.item.order || a.index - b.index)
    .map(({ item }) => item);
}

/** Each zone of the playlist with its slots, lowest z first (then first appearance). */
export function zonesOf(playlist: Playlist): Zone[] {
  const zones = new Map<string, { layout: Rect; zIndex: number; slots: Slot[] }>();
  for (const item of orderedItems(playlist)) {
    const durationMs = Math.round(item.timing.duration * 1000);
    if (durationMs <= 0 || item.n_time_play <= 0) continue;
    const key = zoneKey(item);
    let zone = zones.get(key);
    if (!zone) {
      const { x, y, width, height, z_index } = item.layout;
      zone = { layout: { x, y, width, height }, zIndex: z_index, slots: [] };
      zones.set(key, zone);
    }
    for (let play = 1; play <= item.n_time_play; play++) {
      zone.slots.push({ item, play, plays: item.n_time_play, durationMs });
    }
  }
  return [...zones.entries()]
    .map(([key, zone]) => ({ key, ...zone }))
    .sort((a, b) => a.zIndex - b.zIndex);
}

/**
 * A zone's rectangle on a screen of `screen` size, as fractions of it (0–1), from the layout on
 * the playlist's canvas. A canvas of 0 (unknown) counts as the layout itself filling the screen.
 */
export function placeOnScreen(layout: Rect, canvas: { width: number; height: number }): Rect {
  const cw = canvas.width > 0 ? canvas.width : layout.width || 1;
  const ch = canvas.height > 0 ? canvas.height : layout.height || 1;
  return {
    x: layout.x / cw,
    y: layout.y / ch,
    width: layout.width / cw,
    height: layout.height / ch,
  };
}

/** Where a zone's play head goes after slot `index` of pass `pass` (0-based), or `done`. */
export type Step = { readonly index: number; readonly pass: number } | 'done';

/** The slot after `index`, wrapping into a new pass while the repeat settings allow. */
export function nextStep(playlist: Playlist, zone: Zone, index: number, pass: number): Step {
  if (index + 1 < zone.slots.length) return { index: index + 1, pass };
  const { repeat, repeat_count } = playlist.playback_config;
  if (repeat && (repeat_count < 0 || pass < repeat_count)) return { index: 0, pass: pass + 1 };
  return 'done';
}

/** The first play of the item before the one at `index` (wrapping), for `previous`. */
export function previousItemStart(zone: Zone, index: number): number {
  const n = zone.slots.length;
  if (n === 0) return 0;
  const current = zone.slots[index]?.item.media_id;
  let i = (index - ((zone.slots[index]?.play ?? 1) - 1) + n) % n; // first play of the current item
  i = (i - 1 + n) % n; // last play of the one before
  const before = zone.slots[i];
  if (before === undefined || before.item.media_id === current) return i;
  return i - (before.play - 1);
}

/** The first play of the next item after `index` (wrapping), for `next`. */
export function nextItemStart(zone: Zone, index: number): number {
  const n = zone.slots.length;
  if (n === 0) return 0;
  const slot = zone.slots[index];
  const remaining = slot === undefined ? 1 : slot.plays - slot.play + 1;
  return (index + remaining) % n;
}

/** The slot index of `play_media`'s target: by media id, else by 0-based item index. */
export function findTarget(
  zone: Zone,
  target: { mediaId?: number | undefined; mediaIndex?: number | undefined },
): number | undefined {
  if (target.mediaId !== undefined) {
    const i = zone.slots.findIndex((s) => s.item.media_id === target.mediaId);
    return i < 0 ? undefined : i;
  }
  if (target.mediaIndex !== undefined) {
    const starts = zone.slots.flatMap((s, i) => (s.play === 1 ? [i] : []));
    return starts[target.mediaIndex];
  }
  return undefined;
}

/**
 * Whether two answers for a playlist play the same: a fresh playlists answer for the playlist on
 * screen (a reload, a `last_verified` that moved) keeps it playing rather than starting over.
 */
export function sameSchedule(a: Playlist, b: Playlist): boolean {
  return a.id === b.id && scheduleKey(a) === scheduleKey(b);
}

function scheduleKey(playlist: Playlist): string {
  return JSON.stringify([
    playlist.width,
    playlist.height,
    playlist.playback_config,
    orderedItems(playlist).map((item) => [
      item.media_id,
      item.checksum,
      zoneKey(item),
      item.timing,
      item.n_time_play,
      item.media_type,
    ]),
  ]);
}
