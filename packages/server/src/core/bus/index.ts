export type { BusHandler, BusStats, ClusterBus, Lease } from './types';
export { LocalBus } from './local-bus';
export { RedisBus, backoff, type RedisBusOptions } from './redis-bus';
export { busMetrics } from './metrics';
export { createBus } from './create';
