/** Rate limits: sign-ins, the route tables' documented limits and WebSocket connects. */
export { Gate, type GateOptions, type Release } from './gate';
export { addressKey, isLoopback } from './keys';
export { LoginLimits, type LoginLimitsOptions, type SignInAttempt } from './login';
export { registerRateLimits, type RateLimitConfig } from './register';
export { RetryLaterError, retryAfterOf } from './retry-later';
export {
  registerRouteLimits,
  routeLimiter,
  RouteLimits,
  type RouteLimiter,
  type RouteLimitsOptions,
} from './route-limits';
export {
  bucketOf,
  RouteRateLimitsSetting,
  type LimitOverride,
  type RouteRateLimits,
} from './settings';
export { LimitStore, type LimitStoreOptions, type WindowState } from './store';
