/**
 * Sets up every HTTP rate limit of a server from its Config: @fastify/rate-limit with the route
 * tables' limits (route-limits.ts), and the sign-in limits the token and session routes use
 * (login.ts). WebSocket connects are limited in the gateway.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';
import { LoginLimits } from './login';
import { registerRouteLimits } from './route-limits';

export type RateLimitConfig = Pick<
  Config,
  | 'loginMaxFailuresPerIp'
  | 'loginMaxFailuresPerUsername'
  | 'loginFailureWindowSeconds'
  | 'loginConcurrency'
  | 'maxQueuedLogins'
  | 'routeRateLimits'
  | 'rateLimitMaxKeys'
  | 'rateLimitExemptLoopback'
>;

export async function registerRateLimits(
  app: FastifyInstance,
  config: RateLimitConfig,
  /** Monotonic millisecond clock for the windows (core/clock.ts). */
  now: () => number,
): Promise<{ logins: LoginLimits }> {
  await registerRouteLimits(app, {
    settings: config.routeRateLimits,
    exemptLoopback: config.rateLimitExemptLoopback,
    maxKeys: config.rateLimitMaxKeys,
    now,
  });
  const logins = new LoginLimits({
    now,
    maxFailuresPerIp: config.loginMaxFailuresPerIp,
    maxFailuresPerUsername: config.loginMaxFailuresPerUsername,
    windowSeconds: config.loginFailureWindowSeconds,
    concurrency: config.loginConcurrency,
    maxQueued: config.maxQueuedLogins,
    maxKeys: config.rateLimitMaxKeys,
    exemptLoopback: config.rateLimitExemptLoopback,
  });
  return { logins };
}
