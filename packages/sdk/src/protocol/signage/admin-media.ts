/**
 * Fleet admin API (Marquee's extension of seed 002): the media library. An admin uploads a file
 * once; the server computes its size and MD5 and serves it at `media_url`, which is what devices
 * download and verify (see `MediaItem`).
 */
import * as z from 'zod/mini';
import { isoDateTime, nonNegativeInt, positiveInt, queryInt } from '../primitives';
import { MediaType, md5Hex } from './media';

/** Multipart field name of the uploaded media file. */
export const MEDIA_FILE_FIELD = 'file';

/** A database id in a path (`/media/{media_id}/`): digits, coerced to a number. */
export const idParam = () => queryInt(1, Number.MAX_SAFE_INTEGER);

/**
 * Optional text fields of `POST media/` (multipart; the file itself is the `file` part). Without
 * `media_name`, the uploaded file's name is used. Either way the name is reduced to a plain file
 * name (no folders, no control characters), since devices cache it as `{media_id}_{media_name}`.
 */
export const MediaUploadFields = z
  .object({
    media_name: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  })
  .register(z.globalRegistry, { id: 'SignageMediaUploadFields' });
export type MediaUploadFields = z.infer<typeof MediaUploadFields>;

/** One file of the media library. */
export const MediaRecord = z
  .object({
    media_id: positiveInt,
    media_name: z.string().check(z.minLength(1)),
    /** From the upload's MIME type: `image/*` is an image, `video/*` a video. */
    media_type: MediaType,
    mimetype: z.string().check(z.minLength(1)),
    /** Size in bytes, counted by the server. */
    file_size: nonNegativeInt,
    /** MD5 of the stored bytes, computed by the server while receiving the upload. */
    checksum: md5Hex,
    /** Where devices download it (relative to the server origin; needs a Bearer token). */
    media_url: z.string().check(z.minLength(1)),
    created_at: isoDateTime,
    /** Playlists that use this file; while any does, it cannot be deleted (409). */
    playlist_ids: z.array(positiveInt),
  })
  .register(z.globalRegistry, { id: 'SignageMediaRecord' });
export type MediaRecord = z.infer<typeof MediaRecord>;

export const MediaList = z
  .object({ count: nonNegativeInt, results: z.array(MediaRecord) })
  .register(z.globalRegistry, { id: 'SignageMediaList' });
export type MediaList = z.infer<typeof MediaList>;

export const MediaIdParams = z.object({ media_id: idParam() });
export type MediaIdParams = z.infer<typeof MediaIdParams>;
