/**
 * The limits route tables declare (`RouteDef.rateLimit`), counted by @fastify/rate-limit's
 * limiters (`createRateLimit`) in one bounded LimitStore. `mountRoutes` applies them where the
 * key is known earliest:
 *
 * - `per: 'ip'` in the route's `onRequest` hook, before the body is read or the caller
 *   authenticated, so a flood is refused at the cheapest point;
 * - `per: 'user'` in the handler right after authentication (the caller is resolved there), keyed
 *   by the user or display token; a refused authentication answers 401/403 without counting, and
 *   anonymous callers of an open route count per address.
 *
 * Every counted answer carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
 * `X-RateLimit-Reset` (seconds); a refusal is 429 `RATE_LIMITED` in the surface's error shape
 * with `Retry-After`.
 */
import rateLimit from '@fastify/rate-limit';
import type { protocol } from '@marquee/sdk';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../auth/types';
import { addressKey, isLoopback } from './keys';
import { RetryLaterError } from './retry-later';
import { bucketOf, type RouteRateLimits } from './settings';
import { LimitStore } from './store';

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by `registerRouteLimits`; `mountRoutes` builds each route's limiter from it. */
    marqueeRouteLimits: RouteLimits;
  }
}

export interface RouteLimitsOptions {
  readonly settings: RouteRateLimits;
  /** Loopback clients are not limited (tests only). */
  readonly exemptLoopback: boolean;
  /** Keys (bucket × caller) remembered at once. */
  readonly maxKeys: number;
  /** Monotonic millisecond clock for the windows. @default performance.now */
  readonly now?: () => number;
}

export interface RouteLimiter {
  readonly per: 'ip' | 'user';
  /** Counts the request and sets the headers; throws 429 once the caller is over the limit. */
  check(request: FastifyRequest, reply: FastifyReply, identity?: Identity): Promise<void>;
}

type Check = ReturnType<FastifyInstance['createRateLimit']>;

function callerKey(request: FastifyRequest, identity: Identity | undefined): string {
  if (identity === undefined) return `ip:${addressKey(request.ip)}`;
  switch (identity.kind) {
    case 'user':
      return `user:${identity.userId}`;
    case 'display':
      return `display:${identity.tokenId}`;
  }
}

export class RouteLimits {
  readonly #app: FastifyInstance;
  readonly #options: RouteLimitsOptions;
  readonly #buckets = new Map<string, { limit: protocol.RateLimitDef; limiter: RouteLimiter }>();
  /** The key of the request being checked, for the plugin's keyGenerator. */
  readonly #keys = new WeakMap<FastifyRequest, string>();

  constructor(app: FastifyInstance, options: RouteLimitsOptions) {
    this.#app = app;
    this.#options = options;
  }

  /** The limiter of `route`; undefined when it has no limit, or it is configured off. */
  limiterFor(route: protocol.RouteDef): RouteLimiter | undefined {
    const bucket = bucketOf(route);
    const declared = route.rateLimit;
    if (bucket === undefined || declared === undefined || !this.#options.settings.enabled) {
      return undefined;
    }
    const existing = this.#buckets.get(bucket);
    if (existing !== undefined) {
      const { limit } = existing;
      if (
        limit.max !== declared.max ||
        limit.windowSeconds !== declared.windowSeconds ||
        limit.per !== declared.per
      ) {
        throw new Error(`Routes sharing the rate-limit bucket ${bucket} declare different limits`);
      }
      return existing.limiter;
    }
    const override = this.#options.settings.overrides[bucket];
    const limiter =
      override === false ? undefined : this.#limiter(bucket, { ...declared, ...override });
    if (limiter !== undefined) this.#buckets.set(bucket, { limit: declared, limiter });
    return limiter;
  }

  #limiter(bucket: string, limit: protocol.RateLimitDef): RouteLimiter {
    const check: Check = this.#app.createRateLimit({
      max: limit.max,
      timeWindow: limit.windowSeconds * 1000,
      keyGenerator: (request) => this.#keys.get(request) ?? `ip:${addressKey(request.ip)}`,
      allowList: (request) => this.#options.exemptLoopback && isLoopback(request.ip),
    });
    const keys = this.#keys;
    return {
      per: limit.per,
      async check(request, reply, identity) {
        keys.set(request, `${bucket}\u0000${callerKey(request, identity)}`);
        const result = await check(request);
        if (result.isAllowed) return;
        void reply.header('x-ratelimit-limit', result.max);
        void reply.header('x-ratelimit-remaining', result.remaining);
        void reply.header('x-ratelimit-reset', result.ttlInSeconds);
        if (result.isExceeded) {
          throw new RetryLaterError(
            'RATE_LIMITED',
            `Rate limit exceeded: at most ${result.max} requests per ${limit.windowSeconds} s; try again in ${result.ttlInSeconds} s`,
            result.ttl,
          );
        }
      },
    };
  }
}

/** Registers @fastify/rate-limit (no global limit) and the table limits' `RouteLimits`. */
export async function registerRouteLimits(
  app: FastifyInstance,
  options: RouteLimitsOptions,
): Promise<void> {
  const shared = { now: options.now, maxKeys: options.maxKeys };
  class RouteLimitStore extends LimitStore {
    constructor() {
      super(shared);
    }
  }
  await app.register(rateLimit, { global: false, store: RouteLimitStore });
  app.decorate('marqueeRouteLimits', new RouteLimits(app, options));
}

/** `route`'s limiter in `app`; throws when it declares one and no limits were registered. */
export function routeLimiter(
  app: FastifyInstance,
  route: protocol.RouteDef,
): RouteLimiter | undefined {
  if (route.rateLimit === undefined) return undefined;
  if (!app.hasDecorator('marqueeRouteLimits')) {
    throw new Error(`${route.id} declares a rate limit: call registerRouteLimits before mounting`);
  }
  return app.marqueeRouteLimits.limiterFor(route);
}
