/**
 * The tiered history on a real SQLite file and on PostgreSQL: exact roll-ups (sum, min, max, count), continuation
 * across a restart, retention per tier, the tier a query picks and the bound on points.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type Store } from '../../src/core/store';
import { TieredHistory, type HistoryRetention } from '../../src/surfaces/monitoring/history';
import { monitoringStore } from '../../src/surfaces/monitoring/store';
import type { HistorySample } from '../../src/surfaces/monitoring/store/types';
import { describeEachEngine } from '../helpers/engines';
import { postgresForTests } from '../helpers/postgres';

const pg = await postgresForTests();

/** A sample at `ts` whose CPU is `cpu` tenths of a percent; the rest fixed. */
function sample(ts: number, cpu: number, temp: number | null = 500): HistorySample {
  return {
    ts,
    cpu,
    temp,
    mem: 1000 + cpu,
    memTotal: 4096,
    disk: 50_000,
    diskTotal: 100_000,
    rx: cpu * 10,
    tx: 5,
  };
}

/** 00:00:00 UTC of some day: minute and hour boundaries fall on round numbers. */
const T0 = 1_767_225_600;

describeEachEngine(pg, 'tiered history', (engine) => {
  let store: Store;
  const open = async () => {
    store = await engine.open({ migrations: monitoringStore.migrations });
    return store;
  };
  const repositories = (handle: Store) => monitoringStore.open(handle.engine);
  let db: Store;
  beforeEach(async () => {
    db = await open();
  });

  describe('roll-up', () => {
    it('writes each finished minute once with exact sum, min, max and count', async () => {
      const repo = repositories(db);
      const history = new TieredHistory(repo.history);
      // Two minutes of 2-second samples, CPU 0.0 … 59.8 % in the first, the first one missing a sensor.
      for (let s = 0; s < 120; s += 2)
        await history.ingest(sample(T0 + s, s * 10, s === 0 ? null : 500));
      expect(await repo.history.newest('minute')).toBe(T0);
      const [minute] = await repo.history.buckets('minute', T0, T0 + 60, 60);
      expect(minute).toMatchObject({
        ts: T0,
        n: 30,
        cpu: { sum: (0 + 580) * 15, min: 0, max: 580 },
        tempN: 29,
        temp: { sum: 29 * 500, min: 500, max: 500 },
        memTotal: 4096,
      });
      // The query answer from the seconds tier equals the roll-up.
      expect((await repo.history.buckets('second', T0, T0 + 60, 60))[0]).toEqual(minute);
    });

    it('rolls minutes into hours, and an hour without samples leaves no row', async () => {
      const repo = repositories(db);
      const history = new TieredHistory(repo.history);
      for (let m = 0; m < 61; m++) await history.ingest(sample(T0 + m * 60, m));
      // Three hours later: the hour in progress closes, nothing in between.
      await history.ingest(sample(T0 + 3 * 3600 + 120, 7));
      await history.ingest(sample(T0 + 3 * 3600 + 180, 7));
      const hours = await repo.history.buckets('hour', T0, T0 + 5 * 3600, 3600);
      expect(hours.map((h) => [h.ts, h.n, h.cpu.sum, h.cpu.max])).toEqual([
        [T0, 60, (59 * 60) / 2, 59],
        [T0 + 3600, 1, 60, 60],
      ]);
    });

    it('continues the minute and the hour in progress across a restart (nothing to flush)', async () => {
      const first = new TieredHistory(repositories(db).history);
      for (let s = 0; s < 30; s++) await first.ingest(sample(T0 + s, 100));
      await db.close();
      db = await open();
      const repo = repositories(db);
      const second = new TieredHistory(repo.history);
      for (let s = 30; s < 61; s++) await second.ingest(sample(T0 + s, 300));
      const [minute] = await repo.history.buckets('minute', T0, T0 + 60, 60);
      expect(minute).toMatchObject({
        n: 60,
        cpu: { sum: 30 * 100 + 30 * 300, min: 100, max: 300 },
      });
      // A second already recorded is not counted twice.
      await second.ingest(sample(T0 + 60, 999));
      expect((await repo.history.buckets('second', T0 + 60, T0 + 61, 1))[0]?.cpu.max).toBe(300);
    });

    it('deletes each tier past its retention as it rolls up', async () => {
      const retention: HistoryRetention = { second: 120, minute: 2 * 3600, hour: 3 * 3600 };
      const repo = repositories(db);
      const history = new TieredHistory(repo.history, retention);
      for (let m = 0; m <= 6 * 60; m++) await history.ingest(sample(T0 + m * 60, 10));
      const end = T0 + 6 * 3600 + 60;
      expect((await repo.history.buckets('second', T0, end, 60)).length).toBeLessThanOrEqual(3);
      const minutes = await repo.history.buckets('minute', T0, end, 60);
      expect(minutes[0]?.ts).toBeGreaterThanOrEqual(T0 + 4 * 3600);
      const hours = await repo.history.buckets('hour', T0, end, 3600);
      expect(hours.map((h) => h.ts)).toEqual([T0 + 3 * 3600, T0 + 4 * 3600, T0 + 5 * 3600]);
    });
  });

  describe('queries', () => {
    it('picks the coarsest tier not coarser than the resolution that still holds the start', () => {
      const history = new TieredHistory(repositories(db).history);
      const now = T0 + 100 * 86_400;
      const plan = (start: number, resolution: number) =>
        history.plan({ start, end: now, resolution, maxPoints: 100_000 }, now);
      expect(plan(now - 3600, 10)).toEqual({ tier: 'second', resolution: 10 });
      expect(plan(now - 3600, 300)).toEqual({ tier: 'minute', resolution: 300 });
      expect(plan(now - 7 * 86_400, 7200)).toEqual({ tier: 'hour', resolution: 7200 });
      // Seconds are kept a day: a week ago at 10 s comes from minutes, at their step.
      expect(plan(now - 7 * 86_400, 10)).toEqual({ tier: 'minute', resolution: 60 });
      // Minutes are kept 90 days.
      expect(plan(now - 95 * 86_400, 300)).toEqual({ tier: 'hour', resolution: 3600 });
    });

    it("includes the minute and the hour in progress in their tiers' answers", async () => {
      const repo = repositories(db);
      const history = new TieredHistory(repo.history);
      // 1 h 2 min 30 s of samples: hour 0 closed, hour 1 holds minute 60 and minute 61 in progress.
      for (let s = 0; s < 3750; s += 10) await history.ingest(sample(T0 + s, 100));
      const at = (resolution: number) =>
        history.query({ start: T0, end: T0 + 3750, resolution, maxPoints: 1000 }, T0 + 3750);
      const minutes = await at(60);
      expect(minutes.tier).toBe('minute');
      expect(minutes.points.map((p) => p.n).slice(-3)).toEqual([6, 6, 3]);
      expect(minutes.points.reduce((sum, p) => sum + p.n, 0)).toBe(375);
      const hours = await at(3600);
      expect(hours.tier).toBe('hour');
      expect(hours.points.map((p) => [p.ts, p.n])).toEqual([
        [T0, 360],
        [T0 + 3600, 15],
      ]);
      // A 2-hour bucket: the closed hour and the one in progress together.
      expect((await at(7200)).points.map((p) => [p.ts, p.n])).toEqual([[T0, 375]]);
    });

    it('never returns more than maxPoints: the resolution is widened', async () => {
      const repo = repositories(db);
      const history = new TieredHistory(repo.history);
      for (let s = 0; s < 3600; s += 2) await history.ingest(sample(T0 + s, 100));
      for (const maxPoints of [2, 7, 60, 1000]) {
        const answer = await history.query(
          { start: T0 + 13, end: T0 + 3600, resolution: 1, maxPoints },
          T0 + 3600,
        );
        expect(answer.points.length).toBeLessThanOrEqual(maxPoints);
        expect(answer.points.length).toBeGreaterThan(0);
        // Exact averages whatever the bucket width: every sample is 10.0 %.
        for (const p of answer.points) expect(p.cpu.sum / p.n).toBe(100);
      }
    });
  });
});
