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
/** The seed's poster box for ESP32 panels (firmware/esp32/limits.json: posterWidth × posterHeight). */
export const THUMB_DEFAULT_WIDTH = 150;
export const THUMB_DEFAULT_HEIGHT = 225;

/** A thumbnail's box: the image is fitted inside it. */
export interface ThumbSize {
  readonly width: number;
  readonly height: number;
}

/**
 * The only boxes thumbnails are rendered in. A request names any width × height; the server
 * renders the nearest of these, so one image has at most this many renderings, whatever is asked
 * (an open route must not render and store every size a stranger can type).
 *
 * - 150×225: the ESP32 panel's poster (2:3), also what `poster_thumb` links to;
 * - 300×450, 600×900: the same poster for 2× and 4× screens (tablets, kiosk dashboards);
 * - 128×128, 256×256, 512×512: square art (album covers, channel logos).
 */
export const THUMB_SIZES: readonly ThumbSize[] = [
  { width: THUMB_DEFAULT_WIDTH, height: THUMB_DEFAULT_HEIGHT },
  { width: 300, height: 450 },
  { width: 600, height: 900 },
  { width: 128, height: 128 },
  { width: 256, height: 256 },
  { width: 512, height: 512 },
];

/**
 * The documented size a request gets: nearest by the ratio of each given edge to the size's
 * (|ln(w/W)| + |ln(h/H)|, over the edges that were asked), the larger size on a tie. Neither
 * edge asked: the panel's 150×225.
 */
export function snapThumbSize(width?: number, height?: number): ThumbSize {
  if (width === undefined && height === undefined) {
    return { width: THUMB_DEFAULT_WIDTH, height: THUMB_DEFAULT_HEIGHT };
  }
  const distance = (size: ThumbSize) =>
    (width === undefined ? 0 : Math.abs(Math.log(width / size.width))) +
    (height === undefined ? 0 : Math.abs(Math.log(height / size.height)));
  let best = THUMB_SIZES[0] as ThumbSize;
  for (const size of THUMB_SIZES) {
    const [d, b] = [distance(size), distance(best)];
    if (
      d < b - 1e-9 ||
      (Math.abs(d - b) <= 1e-9 && size.width * size.height > best.width * best.height)
    ) {
      best = size;
    }
  }
  return best;
}

const sizeList = THUMB_SIZES.map((s) => `${s.width}×${s.height}`).join(', ');

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

/**
 * The box asked for; the server renders the nearest documented size (`THUMB_SIZES`, see
 * `snapThumbSize`), keeping the aspect ratio and never enlarging the source.
 */
export const ThumbQuery = z.object({
  width: queryInt(THUMB_MIN_EDGE, THUMB_MAX_EDGE)
    .optional()
    .describe(`Snapped with height to the nearest of ${sizeList}`),
  height: queryInt(THUMB_MIN_EDGE, THUMB_MAX_EDGE)
    .optional()
    .describe(`Snapped with width to the nearest of ${sizeList}; neither given: 150×225`),
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

/** A Plex or Jellyfin session's poster, by the session's `session_id` (`plex-12`). */
export const UpstreamPosterParams = z.object({
  session_id: z.string().min(1, 'A session id is required').max(200),
});
export type UpstreamPosterParams = z.infer<typeof UpstreamPosterParams>;

/** Largest poster Marquee relays from a media server. */
export const UPSTREAM_POSTER_MAX_BYTES = 4 * 1024 * 1024;

const errorResponse = (description: string) => response(description, nowPlayingErrorShape.schema);

export const mediaRoutes = [
  defineRoute({
    id: 'media.thumb',
    method: 'GET',
    path: '/api/media/thumb/{path}',
    summary: `A baseline JPEG of an image inside a media root, fitted into the documented size nearest to width × height (${sizeList}; 150×225 when neither is given; aspect kept, never enlarged); cached on disk (bounded, least recently used evicted), with ETag and 304`,
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
      503: errorResponse(
        'Too many thumbnails are being rendered and queued (MARQUEE_THUMB_MAX_RENDERS, MARQUEE_THUMB_MAX_QUEUE); retry after `Retry-After` seconds',
      ),
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
  defineRoute({
    id: 'media.upstreamPoster',
    method: 'GET',
    path: '/api/media/upstream-poster/{session_id}',
    summary:
      "The poster of a Now Playing session read from Plex or Jellyfin (its `poster_url`), relayed from the media server with the server's credential, which never reaches the client; only sessions playing now have one. Open like the Now Playing socket; with MARQUEE_NOW_PLAYING_WS_AUTH=token it needs the socket's credential too (a user, or a display token scoped `now-playing`, as Bearer or the session cookie: 401/403). With `width` or `height` (its `poster_thumb` asks 150×225), a baseline JPEG fitted into the nearest documented thumbnail size instead. Kept in memory (16 MiB, least recently used evicted, 10 minutes), so many screens showing one poster cost the media server one fetch; with ETag and 304",
    auth: 'none',
    params: UpstreamPosterParams,
    query: ThumbQuery,
    // Each answer is a fetch from the media server: bounded per address, so an open LAN route
    // cannot be used to hammer Plex or Jellyfin.
    rateLimit: { max: 120, windowSeconds: 60, per: 'ip' },
    extension: true,
    responses: {
      200: response('The poster, as the media server sends it (JPEG or PNG)', null, 'image/jpeg'),
      304: response('Not modified: the If-None-Match ETag is current', null),
      400: errorResponse('Empty or over-long session id, or width/height out of range'),
      401: errorResponse(
        'MARQUEE_NOW_PLAYING_WS_AUTH=token and no valid credential (`UNAUTHORIZED`, `TOKEN_EXPIRED`)',
      ),
      403: errorResponse(
        'MARQUEE_NOW_PLAYING_WS_AUTH=token and a display token not scoped `now-playing`',
      ),
      404: errorResponse('No media-server session with this id plays now, or it has no poster'),
      422: errorResponse('A thumbnail was asked and the poster cannot be decoded'),
      429: errorResponse('Over 120 poster requests a minute from this address (`Retry-After`)'),
      502: errorResponse(
        `The media server refused, failed, sent something that is not an image or more than ${UPSTREAM_POSTER_MAX_BYTES / 1024 / 1024} MiB`,
      ),
      503: errorResponse('The media server is not reachable'),
      504: errorResponse(
        'The media server did not answer in time (MARQUEE_UPSTREAM_TIMEOUT_SECONDS)',
      ),
    },
  }),
] as const;
