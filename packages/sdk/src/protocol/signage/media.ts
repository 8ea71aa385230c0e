/**
 * One media item of a playlist, as the playlists response carries it, and the same item as a
 * device caches it after download (the seed's `MediaItemModel`).
 */
import * as z from 'zod/mini';
import { isoDateTime, nonNegativeInt, positiveInt } from '../primitives';

/** The seed allows exactly these two: "image" or "video". */
export const MediaType = z.enum(['image', 'video']);
export type MediaType = z.infer<typeof MediaType>;

/**
 * Where the item sits on the playlist canvas. `x`/`y` may be negative so an item can start
 * partly off-canvas (the seed only says "position in pixels").
 */
export const MediaLayout = z
  .object({
    x: z.number().check(z.int()),
    y: z.number().check(z.int()),
    width: nonNegativeInt,
    height: nonNegativeInt,
    /** Layer order; higher is drawn on top. */
    z_index: z.number().check(z.int()),
  })
  .register(z.globalRegistry, { id: 'SignageMediaLayout' });
export type MediaLayout = z.infer<typeof MediaLayout>;

/** When and how long the item shows, in whole seconds. */
export const MediaTiming = z
  .object({
    start_time: nonNegativeInt,
    duration: nonNegativeInt,
    loop: z.boolean(),
  })
  .register(z.globalRegistry, { id: 'SignageMediaTiming' });
export type MediaTiming = z.infer<typeof MediaTiming>;

/**
 * Visual effects. `transition` stays an open string: the seed lists "none", "slide", "fade",
 * "etc.", so a player must fall back for names it does not know rather than fail to parse.
 */
export const MediaEffects = z
  .object({
    fade_in: z.boolean(),
    fade_out: z.boolean(),
    transition: z.string().check(z.minLength(1)),
  })
  .register(z.globalRegistry, { id: 'SignageMediaEffects' });
export type MediaEffects = z.infer<typeof MediaEffects>;

/** An MD5 digest in hex, which devices compare after download. */
export const md5Hex = z
  .string()
  .check(z.regex(/^[0-9a-fA-F]{32}$/, 'Expected an MD5 digest (32 hex digits)'));

const mediaItemFields = {
  media_id: positiveInt,
  /** Playback position in the playlist (the seed's examples start at 1). */
  order: nonNegativeInt,
  /** File name; devices cache the file as `{media_id}_{media_name}`. */
  media_name: z.string().check(z.minLength(1)),
  media_type: MediaType,
  /** e.g. `image/jpeg`, `video/mp4`. */
  mimetype: z.string().check(z.minLength(1)),
  /** Relative (`/media/images/logo1.jpg`, resolved against the server origin) or absolute. */
  media_url: z.string().check(z.minLength(1)),
  /** Size in bytes. */
  file_size: nonNegativeInt,
  checksum: md5Hex,
  layout: MediaLayout,
  timing: MediaTiming,
  effects: MediaEffects,
  /** How many times to play this item per pass. */
  n_time_play: nonNegativeInt,
};

/** A media item as `GET /admin/cloud/playlists` returns it. */
export const MediaItem = z
  .object(mediaItemFields)
  .register(z.globalRegistry, { id: 'SignageMediaItem' });
export type MediaItem = z.infer<typeof MediaItem>;

/**
 * The seed's `MediaItemModel`: a media item plus the device's download bookkeeping. The server
 * never sends these extra fields; device clients and the simulator use this for their cache.
 */
export const MediaItemModel = z
  .object({
    ...mediaItemFields,
    /** Where the cached file lives on the device, once downloaded. */
    local_path: z.optional(z.string().check(z.minLength(1))),
    downloaded: z.boolean(),
    /** When the file was downloaded. */
    download_date: z.optional(isoDateTime),
  })
  .register(z.globalRegistry, { id: 'SignageMediaItemModel' });
export type MediaItemModel = z.infer<typeof MediaItemModel>;
