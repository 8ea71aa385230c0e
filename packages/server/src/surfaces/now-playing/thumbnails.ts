/**
 * Mounts `GET /api/media/thumb/{path}` (seed 000's server-side thumbnails) from the SDK's route
 * table: a baseline JPEG of an image inside the configured media roots, fitted into width ×
 * height, cached on disk under `<dataDir>/cache/thumbs/`. Open like the other LAN display routes,
 * since ESP32 panels fetch it without credentials; it never reads outside the media roots, and
 * with no roots configured it answers 404.
 *
 * Caching: the ETag is the cache key (real path, mtime, size, box), so a matching If-None-Match
 * answers 304 without reading the image; a hit is served from disk; concurrent misses for one key
 * render once. `x-cache: HIT | MISS` says which.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from '../../core/config';
import { validationError } from '../../core/http-errors';
import { mountRoutes, type Authenticator } from '../../core/routes';
import { MediaRoots } from './media-roots';
import { PosterThumbs } from './poster-thumb';
import { ThumbCache, etagMatches, etagOf, thumbKey } from './thumb-cache';
import { renderThumb } from './thumb-render';

const { media, nowPlaying } = protocol;

/** Browsers and panels may reuse a thumbnail this long before revalidating with its ETag. */
const CACHE_CONTROL = 'public, max-age=3600';

/** Images larger than this are refused (422) rather than read into memory. */
const MAX_SOURCE_BYTES = 64 * 1024 * 1024;

export interface ThumbnailsOptions {
  readonly config: Pick<Config, 'mediaRoots' | 'dataDir'>;
  readonly authenticate: Authenticator;
  /** Check responses against their schemas (tests). @default false */
  readonly validateResponses?: boolean;
  /** Where relative media roots and data dirs are resolved from. @default process.cwd() */
  readonly cwd?: string;
}

export interface Thumbnails {
  readonly roots: MediaRoots;
  readonly cache: ThumbCache;
  /** Resolves `poster_thumb` for Now Playing sessions. */
  readonly posters: PosterThumbs;
}

export function mountThumbnails(app: FastifyInstance, options: ThumbnailsOptions): Thumbnails {
  const cwd = options.cwd ?? process.cwd();
  const roots = new MediaRoots(options.config.mediaRoots, cwd);
  const cache = new ThumbCache(join(resolve(cwd, options.config.dataDir), 'cache', 'thumbs'));
  const rendering = new Map<string, Promise<Buffer>>();

  // Fastify's wildcard carries the slashes of `{path}`; the table's params schema still checks it.
  const [table] = media.mediaRoutes;
  const { params: paramsSchema, ...rest } = table;
  const route = { ...rest, path: table.path.replace('{path}', '*') };

  const send = (reply: FastifyReply, etag: string, body: Buffer, hit: boolean) =>
    reply
      .header('etag', etag)
      .header('cache-control', CACHE_CONTROL)
      .header('x-cache', hit ? 'HIT' : 'MISS')
      .type('image/jpeg')
      .send(body);

  mountRoutes(app, [route] as const, {
    surface: nowPlaying.nowPlayingSurface,
    authenticate: options.authenticate,
    validateResponses: options.validateResponses ?? false,
    handlers: {
      'media.thumb': async ({ query, request, reply }) => {
        if (!roots.enabled) {
          throw new MarqueeError(
            'NOT_FOUND',
            'Thumbnails are disabled: no media roots are configured (MARQUEE_MEDIA_ROOTS)',
          );
        }
        const parsed = paramsSchema.safeParse({ path: (request.params as { '*'?: unknown })['*'] });
        if (!parsed.success) throw validationError(parsed.error, 'params');
        const file = await roots.open(parsed.data.path);
        try {
          const { size, mtimeMs } = file.stats;
          const key = thumbKey({ realPath: file.realPath, mtimeMs, size, ...query });
          const etag = etagOf(key);
          if (etagMatches(request.headers['if-none-match'], etag)) {
            return reply
              .code(304)
              .header('etag', etag)
              .header('cache-control', CACHE_CONTROL)
              .send();
          }
          const cached = await cache.read(key);
          if (cached) return send(reply, etag, cached, true);

          let pending = rendering.get(key);
          if (!pending) {
            if (size > MAX_SOURCE_BYTES) {
              throw new MarqueeError(
                'UNPROCESSABLE_IMAGE',
                `The image is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MiB`,
                { status: 422 },
              );
            }
            pending = readFile(file.handle).then((source) => renderThumb(source, query));
            rendering.set(key, pending);
            // In flight until the cache holds it, so no request in between renders it again.
            void pending
              .then(
                (thumb) => cache.write(key, thumb),
                () => undefined,
              )
              .catch((error: unknown) =>
                request.log.warn({ err: error }, 'could not cache a thumbnail'),
              )
              .finally(() => rendering.delete(key));
          }
          return send(reply, etag, await pending, false);
        } finally {
          await file.handle.close();
        }
      },
    },
  });

  return { roots, cache, posters: new PosterThumbs(roots) };
}
