/**
 * Seed 001, the media-stack dashboard API, as a surface module: statistics, service status and
 * notifications under `/api/v1/dashboard`, in the seed's `{ success, data, metadata }` envelope,
 * fed by the configured upstreams (src/integrations/media). Every answer carries
 * `Cache-Control`, `X-Cache-Status`, `X-Cache-Age` and `X-Response-Time`; see
 * docs/media-stack.md for the caching and the choices where the seed is silent.
 */
import { protocol } from '@marquee/sdk';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../../core/auth/types';
import { mountRoutes } from '../../core/routes';
import { defineSurfaceModule } from '../../core/surface';
import type { Cached } from './cache';
import { mountMediaStackChannel } from './channel';
import {
  STATS_TTL_MS,
  STATUS_TTL_MS,
  createMediaStackService,
  type MediaStackService,
  type Sourced,
} from './service';
import { mediaStackStore, type MediaStackRepositories } from './store';

export interface MediaStackApi {
  readonly service: MediaStackService;
}

/** Who reads: each user and each display token has its own read marks. */
export function readerOf(identity: Identity | undefined): string {
  if (identity === undefined) return 'anonymous';
  return identity.kind === 'user' ? `user:${identity.userId}` : `display:${identity.tokenId}`;
}

function requestIdOf(request: FastifyRequest): string {
  return request.id.startsWith('req-') ? request.id : `req-${request.id}`;
}

/** Sets the cache headers of a cached answer and wraps it in the envelope with its metadata. */
function cachedAnswer<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  cached: Cached<Sourced<T>>,
  ttlMs: number,
  clock: { readonly now: number; readonly monotonic: number },
) {
  // The age is a duration (`cached.at` is on the monotonic clock); the times are wall times.
  const ageMs = Math.max(0, clock.monotonic - cached.at);
  const ageSeconds = Math.floor(ageMs / 1000);
  const now = clock.now;
  const maxAge = Math.max(0, Math.floor(ttlMs / 1000) - ageSeconds);
  void reply
    .header('cache-control', `private, max-age=${maxAge}`)
    .header('x-cache-status', cached.hit ? 'HIT' : 'MISS')
    .header('x-cache-age', String(ageSeconds));
  const { missing } = cached.value;
  return {
    success: true as const,
    data: cached.value.data,
    metadata: {
      timestamp: new Date(now).toISOString(),
      requestId: requestIdOf(request),
      cacheAge: ageSeconds,
      nextUpdate: new Date(now + Math.max(0, ttlMs - ageMs)).toISOString(),
      ...(missing.length === 0 ? {} : { missing: [...missing] }),
    },
  };
}

export const mediaStackModule = defineSurfaceModule<MediaStackApi, MediaStackRepositories>({
  name: 'media-stack',
  errorShape: protocol.mediaStack.mediaStackErrorShape,
  prefixes: ['/api/v1/dashboard/'],
  store: mediaStackStore,
  mount({
    app,
    repositories,
    auth,
    authenticate,
    validateResponses,
    sampler,
    gateway,
    hub,
    mediaStack: stack,
    now,
    monotonic,
    logger,
  }) {
    const service = createMediaStackService({
      stack,
      repositories,
      sampler,
      now,
      monotonic,
      logger,
    });
    const clock = () => ({ now: now(), monotonic: monotonic() });

    // Every answer of the surface, errors included, says how long it took and whether it came
    // from a cache; uncached answers (notifications, errors) say so.
    app.addHook('onSend', async (_request, reply, payload) => {
      if (!reply.hasHeader('cache-control')) {
        void reply
          .header('cache-control', 'no-store')
          .header('x-cache-status', 'BYPASS')
          .header('x-cache-age', '0');
      }
      void reply.header('x-response-time', `${Math.round(reply.elapsedTime)}ms`);
      return payload;
    });
    app.addHook('onResponse', async (_request, reply) => {
      service.recordResponse(reply.elapsedTime, reply.statusCode);
    });

    mountRoutes(app, protocol.mediaStack.mediaStackRoutes, {
      surface: protocol.mediaStack.mediaStackSurface,
      authenticate,
      validateResponses,
      handlers: {
        'mediaStack.stats': async ({ request, reply }) =>
          cachedAnswer(request, reply, await service.stats(), STATS_TTL_MS, clock()),
        'mediaStack.status': async ({ request, reply }) =>
          cachedAnswer(request, reply, await service.status(), STATUS_TTL_MS, clock()),
        'mediaStack.serviceStatus': async ({ params, request, reply }) =>
          cachedAnswer(
            request,
            reply,
            await service.detail(params.service),
            STATUS_TTL_MS,
            clock(),
          ),
        'mediaStack.notifications': async ({ query, identity, request }) => ({
          success: true as const,
          data: await service.notifications(readerOf(identity), query),
          metadata: { timestamp: new Date(now()).toISOString(), requestId: requestIdOf(request) },
        }),
        'mediaStack.acknowledgeNotification': async ({ params, identity, request }) => ({
          success: true as const,
          data: await service.acknowledge(readerOf(identity), params.id),
          metadata: { timestamp: new Date(now()).toISOString(), requestId: requestIdOf(request) },
        }),
      },
    });

    const stopChannel = mountMediaStackChannel({
      gateway,
      hub,
      auth,
      service,
      onError: (error) => logger.error({ err: error }, 'media-stack: first stats_update failed'),
    });
    service.start();
    return {
      api: { service },
      stop: () => {
        stopChannel();
        service.stop();
      },
    };
  },
});
