/**
 * The monitoring repositories that keep the server's log and the audit trail, on SQLite and on
 * PostgreSQL: log lines in order with their level, context and filters, trimmed to the row cap on
 * every write; the LogKeeper writing a burst in order on either engine and on close; and
 * `settings.record` (an action that changes no setting) in the audit trail beside `put`.
 */
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Store } from '../../src/core/store';
import { LogKeeper } from '../../src/surfaces/monitoring/logs';
import { monitoringStore, type MonitoringRepositories } from '../../src/surfaces/monitoring/store';
import type { MonitoringLogRecord } from '../../src/surfaces/monitoring/store/types';
import { describeEachEngine } from '../helpers/engines';
import { postgresForTests } from '../helpers/postgres';

const pg = await postgresForTests();
const T = 1_767_225_600_000;

function line(n: number, level: MonitoringLogRecord['level'] = 'info'): MonitoringLogRecord {
  return { ts: T + n, level, message: `line ${n}`, context: n % 2 === 0 ? { n } : null };
}

/** A pino line as the log tap hands it over. */
function pinoLine(n: number, level = 30): string {
  return JSON.stringify({ level, time: T + n, pid: 1, hostname: 'h', msg: `line ${n}`, n });
}

describeEachEngine(pg, 'monitoring logs and audit', (engine) => {
  let store: Store;
  let repositories: MonitoringRepositories;
  beforeEach(async () => {
    store = await engine.open({ migrations: monitoringStore.migrations });
    repositories = monitoringStore.open(store.engine);
  });

  describe('logs repository', () => {
    it('keeps lines newest first with level, context and filters, trimmed to the row cap', async () => {
      const { logs } = repositories;
      expect(logs.idle()).toBe(true);
      await logs.append([line(0), line(1, 'warn'), line(2, 'error'), line(3)], 10);
      await logs.append([], 10);
      expect(await logs.count()).toBe(4);
      expect(await logs.list({ limit: 10 })).toEqual([
        line(3),
        line(2, 'error'),
        line(1, 'warn'),
        line(0),
      ]);
      expect((await logs.list({ level: 'warn', limit: 10 })).map((l) => l.message)).toEqual([
        'line 1',
      ]);
      expect((await logs.list({ since: T + 2, limit: 10 })).map((l) => l.message)).toEqual([
        'line 3',
        'line 2',
      ]);
      expect((await logs.list({ limit: 1 })).map((l) => l.message)).toEqual(['line 3']);

      await logs.append(
        Array.from({ length: 8 }, (_, n) => line(4 + n)),
        5,
      );
      expect(await logs.count()).toBe(5);
      expect((await logs.list({ limit: 100 })).map((l) => l.message)).toEqual([
        'line 11',
        'line 10',
        'line 9',
        'line 8',
        'line 7',
      ]);
    });
  });

  describe('LogKeeper', () => {
    it('writes a burst in the order it was logged, and what waits on close', async () => {
      const logger = pino({ level: 'silent' });
      const keeper = new LogKeeper(repositories.logs, 10_000, logger);
      // Beyond one batch, in one synchronous burst: every line lands, in order.
      for (let n = 0; n < 900; n += 1) keeper.ingest(pinoLine(n, n % 3 === 0 ? 40 : 30));
      const listed = await keeper.list({ limit: 1000 });
      expect(listed).toHaveLength(900);
      expect(listed.map((l) => l.message)).toEqual(
        Array.from({ length: 900 }, (_, n) => `line ${899 - n}`),
      );
      expect(listed[1]).toMatchObject({ level: 'info', context: { n: 898 } });
      expect(listed[2]).toMatchObject({ level: 'warn', message: 'line 897' });
      expect(keeper.dropped).toBe(0);
      // A request line at info and a debug line are not kept.
      keeper.ingest(JSON.stringify({ level: 30, time: T, msg: 'request completed', res: {} }));
      keeper.ingest(JSON.stringify({ level: 20, time: T, msg: 'debug' }));
      keeper.ingest(pinoLine(5000, 50));
      await keeper.close();
      expect(await repositories.logs.count()).toBe(901);
      expect((await repositories.logs.list({ limit: 1 }))[0]).toMatchObject({
        level: 'error',
        message: 'line 5000',
      });
    });
  });

  describe('audit', () => {
    it('records actions that change no setting beside setting changes, newest first', async () => {
      const { settings } = repositories;
      await settings.put(
        'config',
        { domain: 'a' },
        { actor: 'user:ann', at: 'T1', action: 'config.update' },
      );
      await settings.record(
        { actor: 'user:op', at: 'T2', action: 'service.restart' },
        { name: 'plex' },
      );
      expect(await settings.get('config')).toEqual({
        value: { domain: 'a' },
        updatedAt: 'T1',
        updatedBy: 'user:ann',
      });
      expect(await settings.audit(10)).toMatchObject([
        {
          actor: 'user:op',
          at: 'T2',
          action: 'service.restart',
          before: null,
          after: { name: 'plex' },
        },
        {
          actor: 'user:ann',
          at: 'T1',
          action: 'config.update',
          before: null,
          after: { domain: 'a' },
        },
      ]);
      expect(await settings.audit(1)).toHaveLength(1);
    });
  });
});
