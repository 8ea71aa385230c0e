/** What `create()` in src/watt.ts refuses before it builds a server: unit checks of its rules. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/config';
import { checkWorkers, wattWorkers } from '../../src/watt';

describe('Watt workers', () => {
  it('reads the worker count Watt gives its threads, 1 outside Watt', () => {
    expect(wattWorkers(undefined)).toBe(1);
    expect(wattWorkers({ applicationConfig: { workers: { static: 3 } } })).toBe(3);
    expect(wattWorkers({ runtimeConfig: { workers: 2 } })).toBe(2);
    expect(wattWorkers({ applicationConfig: { workers: 0 } })).toBe(1);
  });

  it('lets one worker run on the embedded store', () => {
    expect(() =>
      checkWorkers(1, {
        databaseUrl: undefined,
        redisUrl: undefined,
        metricsListen: undefined,
        monitoringWsPort: undefined,
      }),
    ).not.toThrow();
  });

  it('asks several workers for PostgreSQL and Redis, and refuses a metrics listener of their own', () => {
    expect(() =>
      checkWorkers(2, {
        databaseUrl: 'postgres://db/x',
        redisUrl: undefined,
        metricsListen: undefined,
        monitoringWsPort: undefined,
      }),
    ).toThrow(
      new ConfigError(
        'Watt runs Marquee with 2 workers; they must share a store and a bus: set MARQUEE_REDIS_URL (PostgreSQL and Redis). Or run one worker (MARQUEE_WORKERS=1). See docs/deploy.md.',
      ),
    );
    expect(() =>
      checkWorkers(4, {
        databaseUrl: 'postgres://db/x',
        redisUrl: 'redis://r',
        metricsListen: { host: '127.0.0.1', port: 9100 },
        monitoringWsPort: undefined,
      }),
    ).toThrow(/MARQUEE_METRICS_LISTEN cannot be bound by each of them/);
    expect(() =>
      checkWorkers(2, {
        databaseUrl: 'postgres://db/x',
        redisUrl: 'redis://r',
        metricsListen: undefined,
        monitoringWsPort: 8001,
      }),
    ).toThrow(/MARQUEE_MONITORING_WS_PORT cannot be bound by each of them/);
    expect(() =>
      checkWorkers(4, {
        databaseUrl: 'postgres://db/x',
        redisUrl: 'redis://r',
        metricsListen: undefined,
        monitoringWsPort: undefined,
      }),
    ).not.toThrow();
  });
});
