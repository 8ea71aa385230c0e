/**
 * `GET /api/media/upstream-poster/{session_id}`: the poster of a session read from Plex or
 * Jellyfin, fetched from the media server with its credential (in a header, never in a URL the
 * client sees) and relayed. Only sessions listed now have one, so the route cannot be used to read
 * anything else from the media server; only image types a browser renders without scripts pass.
 * Where the Now Playing socket needs a token (MARQUEE_NOW_PLAYING_WS_AUTH=token) so does this
 * route: a poster says what someone is watching.
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import { mountRoutes, pickRoutes, type Authenticator } from '../../core/routes';
import type { MediaStack } from '../../integrations/media';
import { UpstreamError } from '../../integrations/upstream';
import { etagMatches } from './thumb-cache';
import { PosterRelayCache, type CachedPoster } from './poster-relay-cache';
import { renderThumb } from './thumb-render';
import type { NowPlayingService } from './service';

const { media, nowPlaying } = protocol;

/** Image types relayed as they come; anything else (SVG, HTML) is refused. */
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);

export interface UpstreamPosterOptions {
  readonly service: NowPlayingService;
  readonly stack: MediaStack;
  readonly authenticate: Authenticator;
  readonly validateResponses: boolean;
  /**
   * `token` (MARQUEE_NOW_PLAYING_WS_AUTH=token): the relay asks for the same credential as the
   * socket that lists the sessions (a user, or a display token scoped `now-playing`), sent as
   * Bearer or the session cookie. `open`: anyone on the LAN, like the socket.
   */
  readonly access: 'open' | 'token';
  readonly now?: () => number;
}

export function mountUpstreamPosters(
  app: FastifyInstance,
  options: UpstreamPosterOptions,
): PosterRelayCache {
  const cache = new PosterRelayCache(options.now === undefined ? {} : { now: options.now });
  mountRoutes(app, pickRoutes(media.mediaRoutes, ['media.upstreamPoster']), {
    surface: nowPlaying.nowPlayingSurface,
    authenticate: options.authenticate,
    validateResponses: options.validateResponses,
    handlers: {
      'media.upstreamPoster': async ({ params, query, request, reply }) => {
        if (options.access === 'token') {
          await options.authenticate(request, 'display', nowPlaying.nowPlayingSurface.name);
        }
        const found = options.service.upstreamSession(params.session_id);
        const source = found?.session.source;
        const upstream = source === undefined ? undefined : options.stack.get(source);
        if (found?.posterPath === undefined || upstream === undefined) {
          throw new MarqueeError('NOT_FOUND', `No poster for session ${params.session_id}`);
        }
        const send = (poster: CachedPoster) => {
          reply
            .header('cache-control', 'private, max-age=300')
            .header('x-content-type-options', 'nosniff')
            .header('etag', poster.etag);
          if (etagMatches(request.headers['if-none-match'], poster.etag)) {
            return reply.code(304).send();
          }
          return reply.type(poster.type).send(poster.bytes);
        };
        // Keyed by the media server and its own path for the image, which names its version.
        const key = `${source}\n${found.posterPath}`;
        const thumbBox =
          query.width === undefined && query.height === undefined
            ? undefined
            : media.snapThumbSize(query.width, query.height);
        const thumbKey =
          thumbBox === undefined ? undefined : `${key}\n${thumbBox.width}x${thumbBox.height}`;
        // The thumbnail (poster_thumb): rendered once from the relayed poster, kept beside it.
        const thumbOf = async (poster: CachedPoster) =>
          thumbBox === undefined || thumbKey === undefined
            ? poster
            : (cache.get(thumbKey) ??
              cache.set(thumbKey, await renderThumb(poster.bytes, thumbBox), 'image/jpeg'));
        if (thumbKey !== undefined) {
          const thumb = cache.get(thumbKey);
          if (thumb !== undefined) return send(thumb);
        }
        const cached = cache.get(key);
        if (cached !== undefined) return send(await thumbOf(cached));
        const { http } = upstream.adapter;
        const answer = await http.send({
          path: found.posterPath,
          headers: { accept: 'image/jpeg, image/png, image/webp, image/gif' },
          what: `the poster of session ${params.session_id}`,
        });
        const type = (answer.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
        const refused =
          answer.status < 200 || answer.status >= 300
            ? `HTTP ${answer.status}`
            : type === undefined || !IMAGE_TYPES.has(type)
              ? `a ${type || 'typeless'} body, not an image`
              : answer.bytes.byteLength > media.UPSTREAM_POSTER_MAX_BYTES
                ? `${answer.bytes.byteLength} bytes (at most ${media.UPSTREAM_POSTER_MAX_BYTES})`
                : undefined;
        if (refused !== undefined) {
          throw new UpstreamError(
            http.name,
            'http',
            `${http.name} answered the poster of session ${params.session_id} with ${refused}`,
          );
        }
        return send(
          await thumbOf(cache.set(key, answer.bytes, type ?? 'application/octet-stream')),
        );
      },
    },
  });
  return cache;
}
