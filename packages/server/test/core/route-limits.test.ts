/**
 * The route tables' `rateLimit`, applied by `mountRoutes`, on a test-only surface served by a
 * real Fastify server on port 0 with an injected clock: per-address limits before authentication
 * (shared buckets), per-user limits after it (anonymous callers per address), the X-RateLimit-*
 * headers and 429 + Retry-After in the surface's error shape, overrides and `off`, the loopback
 * exemption, and the start-up errors. `MARQUEE_ROUTE_RATE_LIMITS` parsing is checked here too.
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/core/auth/types';
import { ConfigError, loadConfig } from '../../src/core/config';
import { registerRouteLimits } from '../../src/core/rate-limit/route-limits';
import type { RouteRateLimits } from '../../src/core/rate-limit/settings';
import { mountRoutes, type Authenticator } from '../../src/core/routes';
import { call } from '../helpers/server';

const { defineRoute, defineSurface, response } = protocol;
const ok = { 200: response('ok', null) };
const perAddress = { max: 3, windowSeconds: 60, per: 'ip', bucket: 'shared' } as const;

const routes = [
  defineRoute({
    id: 'test.a',
    method: 'GET',
    path: '/a',
    summary: 'a',
    auth: 'user',
    responses: ok,
    rateLimit: perAddress,
  }),
  defineRoute({
    id: 'test.b',
    method: 'GET',
    path: '/b',
    summary: 'b',
    auth: 'user',
    responses: ok,
    rateLimit: perAddress,
  }),
  defineRoute({
    id: 'test.mine',
    method: 'GET',
    path: '/mine',
    summary: 'per user',
    auth: 'user',
    responses: ok,
    rateLimit: { max: 2, windowSeconds: 30, per: 'user' },
  }),
  defineRoute({
    id: 'test.open',
    method: 'GET',
    path: '/open',
    summary: 'open, per user',
    auth: 'none',
    responses: ok,
    rateLimit: { max: 2, windowSeconds: 30, per: 'user' },
  }),
  defineRoute({
    id: 'test.free',
    method: 'GET',
    path: '/free',
    summary: 'no limit',
    auth: 'user',
    responses: ok,
  }),
] as const;

const surface = defineSurface({
  ...protocol.monitoring.monitoringSurface,
  routes,
  channels: [],
});

/** `Bearer user-<id>` is that user; `Bearer display-<id>` that display token. */
const authenticate: Authenticator = (request, policy) => {
  const match = /^Bearer (user|display)-(\d+)$/.exec(request.headers.authorization ?? '');
  let identity: Identity | undefined;
  if (match?.[1] === 'user') {
    identity = { kind: 'user', userId: Number(match[2]), username: 'u', role: 'admin' };
  } else if (match?.[1] === 'display') {
    identity = { kind: 'display', tokenId: match[2] ?? '', name: 'd', scopes: ['*'] };
  }
  if (policy !== 'none' && identity === undefined) {
    return Promise.reject(new MarqueeError('UNAUTHORIZED', 'Authentication required'));
  }
  return Promise.resolve(identity);
};

const ON: RouteRateLimits = { enabled: true, overrides: {} };
let app: FastifyInstance | undefined;
let clock: number;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(
  settings: RouteRateLimits = ON,
  exemptLoopback = false,
  table: readonly protocol.RouteDef[] = routes,
): Promise<string> {
  clock = 1_000_000;
  app = Fastify();
  await registerRouteLimits(app, { settings, exemptLoopback, maxKeys: 1000, now: () => clock });
  const handlers = Object.fromEntries(table.map((r) => [r.id, () => undefined]));
  mountRoutes(app, table, { surface, authenticate, handlers });
  return app.listen({ port: 0, host: '127.0.0.1' });
}

const get = (url: string, token?: string) => call(url, token === undefined ? {} : { token });

describe('route-table rate limits', () => {
  it('counts per address before authentication, one bucket for routes that share it', async () => {
    const url = await serve();
    const first = await get(`${url}/a`, 'user-1');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe('3');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('2');
    expect(first.headers.get('x-ratelimit-reset')).toBe('60');
    // Anonymous requests count too: the address is all there is before authentication.
    expect((await get(`${url}/b`)).status).toBe(401);
    clock += 15_000;
    expect((await get(`${url}/b`, 'user-2')).headers.get('x-ratelimit-remaining')).toBe('0');

    const refused = await get(`${url}/a`, 'user-3');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      error: {
        code: 'RATE_LIMITED',
        message: 'Rate limit exceeded: at most 3 requests per 60 s; try again in 45 s',
      },
    });
    expect(refused.headers.get('retry-after')).toBe('45');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    // Refused before authentication: no token at all gets 429, not 401.
    expect((await get(`${url}/b`)).status).toBe(429);
    // Routes without a limit are not counted and carry no headers.
    const free = await get(`${url}/free`, 'user-1');
    expect(free.status).toBe(200);
    expect(free.headers.get('x-ratelimit-limit')).toBeNull();

    clock += 45_000;
    expect((await get(`${url}/b`, 'user-1')).status).toBe(200);
  });

  it('counts per caller after authentication; anonymous callers per address', async () => {
    const url = await serve();
    for (let i = 0; i < 2; i++) expect((await get(`${url}/mine`, 'user-1')).status).toBe(200);
    const refused = await get(`${url}/mine`, 'user-1');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    // Another user and a display token have their own counters, from the same address.
    expect((await get(`${url}/mine`, 'user-2')).status).toBe(200);
    expect((await get(`${url}/mine`, 'display-1')).status).toBe(200);
    // A refused authentication is not counted.
    for (let i = 0; i < 5; i++) expect((await get(`${url}/mine`)).status).toBe(401);
    expect((await get(`${url}/mine`, 'user-3')).headers.get('x-ratelimit-remaining')).toBe('1');

    for (let i = 0; i < 2; i++) expect((await get(`${url}/open`)).status).toBe(200);
    expect((await get(`${url}/open`)).status).toBe(429);
    // The signed-in caller of the open route counts apart from the address.
    expect((await get(`${url}/open`, 'user-1')).status).toBe(200);
    clock += 30_000;
    expect((await get(`${url}/mine`, 'user-1')).status).toBe(200);
    expect((await get(`${url}/open`)).status).toBe(200);
  });

  it('applies overrides by bucket, and nothing when off', async () => {
    let url = await serve({
      enabled: true,
      overrides: { shared: { max: 1, windowSeconds: 10 }, 'test.mine': false },
    });
    expect((await get(`${url}/a`, 'user-1')).headers.get('x-ratelimit-limit')).toBe('1');
    const refused = await get(`${url}/b`, 'user-1');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('10');
    for (let i = 0; i < 5; i++) {
      const mine = await get(`${url}/mine`, 'user-1');
      expect(mine.status).toBe(200);
      expect(mine.headers.get('x-ratelimit-limit')).toBeNull();
    }
    await app?.close();

    url = await serve({ enabled: false, overrides: {} });
    for (let i = 0; i < 5; i++) expect((await get(`${url}/a`, 'user-1')).status).toBe(200);
  });

  it('exempts loopback only when asked', async () => {
    const url = await serve(ON, true);
    for (let i = 0; i < 6; i++) expect((await get(`${url}/a`, 'user-1')).status).toBe(200);
  });

  it('refuses at start-up a shared bucket with two limits, and limits without registration', async () => {
    const clash = [
      routes[0],
      { ...routes[1], rateLimit: { ...perAddress, max: 4 } },
    ] as const satisfies readonly protocol.RouteDef[];
    await expect(serve(ON, false, clash)).rejects.toThrow(/bucket shared declare different/);
    await app?.close();

    app = Fastify();
    const bare = app;
    expect(() =>
      mountRoutes(bare, [routes[2]], {
        surface,
        authenticate,
        handlers: { 'test.mine': () => undefined },
      }),
    ).toThrow(/registerRouteLimits/);
  });
});

describe('MARQUEE_ROUTE_RATE_LIMITS', () => {
  const parse = (value: string | undefined) =>
    loadConfig({ env: { MARQUEE_ROUTE_RATE_LIMITS: value }, cwd: '/nonexistent' }).routeRateLimits;

  it('is on by default, and takes off and overrides by bucket', () => {
    expect(parse(undefined)).toEqual({ enabled: true, overrides: {} });
    expect(parse('off')).toEqual({ enabled: false, overrides: {} });
    expect(parse('monitoring=300/60, mediaStack.stats=off')).toEqual({
      enabled: true,
      overrides: { monitoring: { max: 300, windowSeconds: 60 }, 'mediaStack.stats': false },
    });
  });

  it('refuses unknown buckets and malformed entries', () => {
    expect(() => parse('monitorin=300/60')).toThrow(ConfigError);
    expect(() => parse('monitorin=300/60')).toThrow(/unknown rate-limit bucket "monitorin"/);
    expect(() => parse('monitoring=fast')).toThrow(/bucket=max\/seconds/);
    expect(() => parse('monitoring=0/60')).toThrow(ConfigError);
  });
});

describe('the documented limits in the route tables', () => {
  const limitOf = (routes: readonly protocol.RouteDef[], id: string) =>
    routes.find((r) => r.id === id)?.rateLimit;

  it('seed 001: 60, 120 and 300 requests per minute per user', () => {
    const table = protocol.mediaStack.mediaStackRoutes;
    const perUser = (max: number, bucket: string) => ({
      max,
      windowSeconds: 60,
      per: 'user',
      bucket,
    });
    expect(limitOf(table, 'mediaStack.stats')).toEqual(perUser(60, 'mediaStack.stats'));
    expect(limitOf(table, 'mediaStack.status')).toEqual(perUser(120, 'mediaStack.status'));
    expect(limitOf(table, 'mediaStack.serviceStatus')).toEqual(perUser(120, 'mediaStack.status'));
    for (const id of ['mediaStack.notifications', 'mediaStack.acknowledgeNotification']) {
      expect(limitOf(table, id)).toEqual(perUser(300, 'mediaStack.notifications'));
    }
  });

  it('seed 003: 100 requests per minute per address, the whole API together', () => {
    const table = protocol.monitoring.monitoringRoutes;
    expect(table.length).toBeGreaterThan(0);
    for (const route of table) {
      expect(route.rateLimit).toEqual({
        max: 100,
        windowSeconds: 60,
        per: 'ip',
        bucket: 'monitoring',
      });
    }
  });
});
