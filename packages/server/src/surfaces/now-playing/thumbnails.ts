/**
 * Mounts `GET /api/media/thumb/{path}` (seed 000's server-side thumbnails) from the SDK's route
 * table: a baseline JPEG of an image inside the configured media roots, fitted into the documented
 * size nearest to the width × height asked for (`THUMB_SIZES`), cached on disk under
 * `<dataDir>/cache/thumbs/`. Open like the other LAN display routes, since ESP32 panels fetch it
 * without credentials; it never reads outside the media roots, and with no roots configured it
 * answers 404.
 *
 * Bounds, since anyone on the network may call it: renderings per image (one per documented
 * size), the cache's bytes (least recently used evicted, MARQUEE_THUMB_CACHE_BYTES), renders at
 * once (MARQUEE_THUMB_MAX_RENDERS) and renders waiting (MARQUEE_THUMB_MAX_QUEUE): past those the
 * answer is 503 with Retry-After, and the request holds nothing but its open file.
 *
 * Caching: the ETag is the cache key (real path, mtime, size, box), so a matching If-None-Match
 * answers 304 without reading the image; a hit is served from disk; concurrent misses for one key
 * render once. `x-cache: HIT | MISS` says which.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ConcurrencyLimit } from '../../core/concurrency-limit';
import type { Config } from '../../core/config';
import { validationError } from '../../core/http-errors';
import { mountRoutes, type Authenticator } from '../../core/routes';
import { MediaRoots } from './media-roots';
import { PosterThumbs } from './poster-thumb';
import { ThumbCache, etagMatches, etagOf, thumbKey } from './thumb-cache';
import { renderThumb, type ThumbBox } from './thumb-render';

const { media, nowPlaying } = protocol;

/** Browsers and panels may reuse a thumbnail this long before revalidating with its ETag. */
const CACHE_CONTROL = 'public, max-age=3600';

/** Images larger than this are refused (422) rather than read into memory. */
const MAX_SOURCE_BYTES = 64 * 1024 * 1024;

/** What a busy answer tells the client to wait, in seconds: about one render. */
const RETRY_AFTER_SECONDS = 1;

export interface ThumbnailsOptions {
  readonly config: Pick<
    Config,
    'mediaRoots' | 'dataDir' | 'thumbCacheBytes' | 'thumbMaxRenders' | 'thumbMaxQueue'
  >;
  readonly authenticate: Authenticator;
  /** Check responses against their schemas (tests). @default false */
  readonly validateResponses?: boolean;
  /** Where relative media roots and data dirs are resolved from. @default process.cwd() */
  readonly cwd?: string;
  /** Makes a thumbnail from a source image's bytes (tests slow it down). @default renderThumb */
  readonly render?: (source: Buffer, box: ThumbBox) => Promise<Buffer>;
  /** Unix ms clock, for the cache's recency. @default Date.now */
  readonly now?: () => number;
}

export interface Thumbnails {
  readonly roots: MediaRoots;
  readonly cache: ThumbCache;
  /** Renders running and waiting. */
  readonly renders: ConcurrencyLimit;
  /** Resolves `poster_thumb` for Now Playing sessions. */
  readonly posters: PosterThumbs;
}

export function mountThumbnails(app: FastifyInstance, options: ThumbnailsOptions): Thumbnails {
  const { config } = options;
  const cwd = options.cwd ?? process.cwd();
  const render = options.render ?? renderThumb;
  const roots = new MediaRoots(config.mediaRoots, cwd);
  const cache = new ThumbCache({
    dir: join(resolve(cwd, config.dataDir), 'cache', 'thumbs'),
    maxBytes: config.thumbCacheBytes,
    ...(options.now ? { now: options.now } : {}),
  });
  const renders = new ConcurrencyLimit(config.thumbMaxRenders, config.thumbMaxQueue);
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
        const box = media.snapThumbSize(query.width, query.height);
        const file = await roots.open(parsed.data.path);
        try {
          const { size, mtimeMs } = file.stats;
          const key = thumbKey({ realPath: file.realPath, mtimeMs, size, ...box });
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
            // The source is read only once a slot is free, so waiting costs no memory.
            pending = renders.tryRun(async () => render(await readFile(file.handle), box));
            if (!pending) {
              void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
              throw new MarqueeError(
                'SERVICE_UNAVAILABLE',
                'Too many thumbnails are being rendered; try again shortly',
              );
            }
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

  return { roots, cache, renders, posters: new PosterThumbs(roots) };
}
