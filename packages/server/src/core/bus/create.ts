/** The bus a server's config asks for: Redis with `MARQUEE_REDIS_URL`, else the local one. */
import type { Config } from '../config';
import { LocalBus } from './local-bus';
import { RedisBus, type RedisBusLogger } from './redis-bus';
import type { ClusterBus } from './types';

export function createBus(
  config: Pick<Config, 'redisUrl' | 'redisPrefix' | 'redisMaxQueued'>,
  logger: RedisBusLogger,
  now: () => number,
): ClusterBus {
  if (config.redisUrl === undefined) return new LocalBus();
  return new RedisBus({
    url: config.redisUrl,
    prefix: config.redisPrefix,
    maxQueued: config.redisMaxQueued,
    logger,
    now,
  });
}
