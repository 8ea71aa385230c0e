/**
 * Fleet admin API: playlists. An admin writes a playlist as a name, a canvas size, ordered media
 * items and a playback config; the server fills each item's media fields from the library,
 * computes `duration`, and answers with the items exactly as devices will receive them.
 */
import * as z from 'zod/mini';
import { isoDateTime, nonNegativeInt, positiveInt } from '../primitives';
import { idParam } from './admin-media';
import { MediaEffects, MediaLayout, MediaTiming } from './media';
import { PlaybackConfig, PlaylistSchedule, playlistFields } from './playlist';

/** Defaults applied to a playlist written without a playback config. */
export const DEFAULT_PLAYBACK_CONFIG = {
  repeat: true,
  repeat_count: -1,
  background_color: '#000000',
} as const satisfies PlaybackConfig;

/** Defaults applied to an item written without timing (ten seconds, no loop). */
export const DEFAULT_MEDIA_TIMING = {
  start_time: 0,
  duration: 10,
  loop: false,
} as const satisfies MediaTiming;

/** Defaults applied to an item written without effects. */
export const DEFAULT_MEDIA_EFFECTS = {
  fade_in: false,
  fade_out: false,
  transition: 'none',
} as const satisfies MediaEffects;

/** One item as an admin writes it; everything but `media_id` has a default. */
export const PlaylistItemInput = z
  .object({
    /** A file of the media library. */
    media_id: positiveInt,
    /** Playback position. @default the item's 1-based position in `media_items` */
    order: z.optional(nonNegativeInt),
    /** @default the whole canvas: x 0, y 0, the playlist's width and height, z_index 1 */
    layout: z.optional(MediaLayout),
    /** @default { start_time: 0, duration: 10, loop: false } */
    timing: z.optional(MediaTiming),
    /** @default { fade_in: false, fade_out: false, transition: 'none' } */
    effects: z.optional(MediaEffects),
    /** @default 1 */
    n_time_play: z._default(nonNegativeInt, 1),
  })
  .register(z.globalRegistry, { id: 'SignagePlaylistItemInput' });
export type PlaylistItemInput = z.input<typeof PlaylistItemInput>;

/** Body of `POST playlists/` and `PUT playlists/{id}/` (a PUT replaces the whole playlist). */
export const PlaylistInput = z
  .object({
    name: z.string().check(z.minLength(1), z.maxLength(255)),
    width: positiveInt,
    height: positiveInt,
    /** Played in ascending `order`; items with equal `order` keep their position here. */
    media_items: z._default(z.array(PlaylistItemInput).check(z.maxLength(1000)), []),
    /** @default { repeat: true, repeat_count: -1, background_color: '#000000' } */
    playback_config: z._default(PlaybackConfig, DEFAULT_PLAYBACK_CONFIG),
    /** Day-parting windows in the device's time zone; `null` or absent: always. @default null */
    schedule: z._default(z.nullable(PlaylistSchedule), null),
  })
  .check(
    z.refine((playlist) => Number.isSafeInteger(totalDuration(playlist.media_items)), {
      path: ['media_items'],
      message: `The playlist's total duration (timing.duration × n_time_play, summed over items) is over ${Number.MAX_SAFE_INTEGER} seconds`,
    }),
  )
  .register(z.globalRegistry, { id: 'SignagePlaylistInput' });

/** Seconds: the sum over items of `timing.duration × n_time_play` (items without timing: 10 s). */
function totalDuration(
  items: readonly { timing?: { duration: number } | undefined; n_time_play: number }[],
): number {
  return items.reduce(
    (sum, item) =>
      sum + (item.timing?.duration ?? DEFAULT_MEDIA_TIMING.duration) * item.n_time_play,
    0,
  );
}
export type PlaylistInput = z.input<typeof PlaylistInput>;

/**
 * A playlist as the admin API returns it. `media_items` are exactly what devices receive;
 * `duration` is computed: the sum over items of `timing.duration × n_time_play`, in seconds.
 */
export const AdminPlaylist = z
  .object({
    ...playlistFields,
    created_at: isoDateTime,
    updated_at: isoDateTime,
    /** Devices with a screen that carries this playlist (they get `reload_playlist` on change). */
    sn_numbers: z.array(z.string()),
  })
  .register(z.globalRegistry, { id: 'SignageAdminPlaylist' });
export type AdminPlaylist = z.infer<typeof AdminPlaylist>;

export const PlaylistList = z
  .object({ count: nonNegativeInt, results: z.array(AdminPlaylist) })
  .register(z.globalRegistry, { id: 'SignagePlaylistList' });
export type PlaylistList = z.infer<typeof PlaylistList>;

export const PlaylistIdParams = z.object({ playlist_id: idParam() });
export type PlaylistIdParams = z.infer<typeof PlaylistIdParams>;
