/**
 * Redis for tests: the machines' service at 127.0.0.1:6379, or `MARQUEE_TEST_REDIS_URL`. Each test
 * takes a key prefix of its own (`marquee-test-<random>:`) and deletes its keys after. When Redis
 * cannot be reached the suites that need it are skipped with how to start it; under `CI=true`
 * they fail.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_HELP =
  'Redis is not reachable at %URL%. These tests need a Redis server: on Debian ' +
  '`apt-get install redis-server && service redis-server start`, or set MARQUEE_TEST_REDIS_URL.';

export interface RedisForTests {
  readonly available: boolean;
  readonly reason: string;
  readonly url: string;
  /** A fresh key prefix. */
  prefix(): string;
  /** Deletes every key under `prefix`. */
  clean(prefix: string): Promise<void>;
  /** The keys under `prefix`. */
  keys(prefix: string): Promise<string[]>;
}

export async function redisForTests(): Promise<RedisForTests> {
  const url = process.env.MARQUEE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const client = () =>
    new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let reason = '';
  const probe = client();
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    reason = `${REDIS_HELP.replace('%URL%', url)} (${why})`;
    if (process.env.CI === 'true') throw new Error(reason, { cause: error });
    console.warn(`[skipped] ${reason}`);
  } finally {
    probe.disconnect();
  }
  const keys = async (prefix: string): Promise<string[]> => {
    const redis = client();
    await redis.connect();
    try {
      const found: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        found.push(...batch);
      } while (cursor !== '0');
      return found;
    } finally {
      redis.disconnect();
    }
  };
  return {
    available: reason === '',
    reason,
    url,
    prefix: () => `marquee-test-${randomBytes(6).toString('hex')}:`,
    keys,
    async clean(prefix) {
      const found = await keys(prefix);
      if (found.length === 0) return;
      const redis = client();
      await redis.connect();
      try {
        await redis.del(...found);
      } finally {
        redis.disconnect();
      }
    },
  };
}
