/**
 * Seed 000's "server-side thumbnail" (its Option 2): `GET /api/media/thumb/{path}` answers a small
 * baseline JPEG of a poster for displays that cannot decode a full-size or progressive one (ESP32
 * panels). Open like the rest of the LAN display API, but it only ever serves image files inside
 * the media roots the server is configured with (`MARQUEE_MEDIA_ROOTS`); with none configured the
 * route answers 404. Errors use the Now Playing surface's FastAPI shape.
 */
import * as z from 'zod';
import { defineRoute, queryInt, response } from './common';
import { nowPlayingErrorShape } from './now-playing';

/** Largest edge a thumbnail may be asked for, in pixels. */
export const THUMB_MAX_EDGE = 2048;
/** Smallest edge a thumbnail may be asked for, in pixels. */
export const THUMB_MIN_EDGE = 16;
/** The seed's poster box for ESP32 panels. */
export const THUMB_DEFAULT_WIDTH = 150;
export const THUMB_DEFAULT_HEIGHT = 225;

export const ThumbParams = z.object({
  path: z
    .string()
    .min(1, 'A media path is required')
    .max(4096)
    .describe(
      "The image's path relative to a media root, `/`-separated, each segment URL-encoded (the slashes stay literal). No `..` segments, absolute paths or NUL bytes. Roots are tried in configured order.",
    ),
});
export type ThumbParams = z.infer<typeof ThumbParams>;

/** The box the thumbnail must fit in; the aspect ratio is kept and the source never enlarged. */
export const ThumbQuery = z.object({
  width: queryInt(THUMB_MIN_EDGE, THUMB_MAX_EDGE).default(THUMB_DEFAULT_WIDTH),
  height: queryInt(THUMB_MIN_EDGE, THUMB_MAX_EDGE).default(THUMB_DEFAULT_HEIGHT),
});
export type ThumbQuery = z.infer<typeof ThumbQuery>;

/** A session's user, as `avatar_url` names it (`/api/media/avatar/{username}`, URL-encoded). */
export const AvatarParams = z.object({
  username: z.string().min(1, 'A user name is required').max(200),
});
export type AvatarParams = z.infer<typeof AvatarParams>;

/** Where a Now Playing session's `avatar_url` points for `username`. */
export function avatarPath(username: string): string {
  return `/api/media/avatar/${encodeURIComponent(username)}`;
}

const errorResponse = (description: string) => response(description, nowPlayingErrorShape.schema);

export const mediaRoutes = [
  defineRoute({
    id: 'media.thumb',
    method: 'GET',
    path: '/api/media/thumb/{path}',
    summary:
      'A baseline JPEG of an image inside a media root, fitted into width × height (aspect kept, never enlarged); cached on disk, with ETag and 304',
    auth: 'none',
    params: ThumbParams,
    query: ThumbQuery,
    responses: {
      200: response('The thumbnail (baseline JPEG)', null, 'image/jpeg'),
      304: response('Not modified: the If-None-Match ETag is current', null),
      400: errorResponse('Malformed path (`..`, absolute, NUL byte) or width/height out of range'),
      404: errorResponse(
        'No such file inside the media roots, or thumbnails are disabled (no media roots)',
      ),
      415: errorResponse('The file is not an image in a supported format'),
      422: errorResponse('The image is corrupt or truncated and cannot be decoded'),
    },
  }),
  defineRoute({
    id: 'media.avatar',
    method: 'GET',
    path: '/api/media/avatar/{username}',
    summary:
      "A user's avatar for Now Playing sessions (`avatar_url`): their initials on a colour derived from the name, as a square SVG; with ETag and 304",
    auth: 'none',
    params: AvatarParams,
    extension: true,
    responses: {
      200: response('The avatar (SVG)', null, 'image/svg+xml'),
      304: response('Not modified: the If-None-Match ETag is current', null),
      400: errorResponse('Empty or over-long user name'),
    },
  }),
] as const;
