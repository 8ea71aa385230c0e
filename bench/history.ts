/**
 * History: the monitoring surface's tiered store (surfaces/monitoring/history.ts) against a flat
 * table of every sample, both in SQLite files opened as the store opens its own (WAL,
 * synchronous NORMAL), at the default 2-second sampling interval.
 *
 * - Bytes on disk per host per year: the tiered file after a day of samples through the real
 *   ingest path (so the per-second tier is full and the roll-ups are its own) plus 90 days of
 *   per-minute and 365 days of per-hour rows written through the repository, as a year of
 *   running leaves them; against the flat table's measured bytes per row times the rows of a year.
 * - p95 of a 30-day query at the seed's `1h` (the tier choice, the SQL and the mapping to the
 *   seed's points) against the same query as a GROUP BY over the flat table's 30 days.
 * - Ingest cost: CPU per sample of `TieredHistory.ingest` (insert, roll-ups, retention) against
 *   one INSERT into the flat table.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { applyMigrations } from '../packages/server/src/core/store/migrations';
import { statementCache } from '../packages/server/src/core/store/sqlite/statements';
import { TieredHistory } from '../packages/server/src/surfaces/monitoring/history';
import { monitoringMigrations } from '../packages/server/src/surfaces/monitoring/store/migrations';
import { sqliteMonitoring } from '../packages/server/src/surfaces/monitoring/store/sqlite';
import type {
  HistorySample,
  RollupRow,
} from '../packages/server/src/surfaces/monitoring/store/types';
import { historyPoint } from '../packages/server/src/surfaces/monitoring/views';
import { measurement, type Benchmark, type BenchContext, type BenchResult } from './types';

interface Settings {
  /** Days of 2-second samples ingested (the per-second tier keeps one). */
  readonly ingestDays: number;
  readonly minuteDays: number;
  readonly hourDays: number;
  /** Days in the flat table (the 30-day query needs 30). */
  readonly flatDays: number;
  readonly queries: number;
}

const SETTINGS: Record<BenchContext['mode'], Settings> = {
  full: { ingestDays: 1, minuteDays: 90, hourDays: 365, flatDays: 30, queries: 30 },
  smoke: { ingestDays: 0.02, minuteDays: 1, hourDays: 3, flatDays: 0.05, queries: 3 },
};

const INTERVAL_S = 2;
const DAY = 86_400;
const YEAR_SAMPLES = (365 * DAY) / INTERVAL_S;

function openFile(path: string): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
  return db;
}

/** Main file plus WAL after a checkpoint: what the data takes on disk. */
function bytesOnDisk(db: DatabaseSync, path: string): number {
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  const wal = `${path}-wal`;
  let walBytes: number;
  try {
    walBytes = statSync(wal).size;
  } catch {
    walBytes = 0;
  }
  return statSync(path).size + walBytes;
}

/** A plausible, varying host: CPU wanders, memory drifts, disk fills slowly, network bursts. */
function sampleAt(ts: number): HistorySample {
  const t = ts / 600;
  return {
    ts,
    cpu: Math.round(300 + 250 * Math.sin(t) + ((ts * 7919) % 97)),
    temp: Math.round(450 + 80 * Math.sin(t / 3)),
    mem: Math.round(6000 + 900 * Math.sin(t / 7)),
    memTotal: 16_000,
    disk: Math.round(1_500_000 + ts / 1000) % 2_000_000,
    diskTotal: 2_000_000,
    rx: Math.round(2_000_000 * Math.abs(Math.sin(t * 3))) + ((ts * 104_729) % 50_000),
    tx: Math.round(300_000 * Math.abs(Math.sin(t * 5))) + ((ts * 1299) % 9000),
  };
}

/** `count` samples of an interval of `step` seconds starting at `ts`, as a roll-up row. */
function rollupAt(ts: number, step: number): RollupRow {
  const n = step / INTERVAL_S;
  const s = sampleAt(ts);
  const spread = (value: number, width: number) => ({
    sum: value * n,
    min: Math.max(0, value - width),
    max: value + width,
  });
  return {
    ts,
    n,
    cpu: spread(s.cpu, 150),
    tempN: n,
    temp: spread(s.temp ?? 0, 30),
    mem: spread(s.mem, 200),
    memTotal: s.memTotal,
    disk: spread(s.disk, 5),
    diskTotal: s.diskTotal,
    rx: spread(s.rx, 1_000_000),
    tx: spread(s.tx, 200_000),
  };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

const FLAT_TABLE = `CREATE TABLE samples (
  ts INTEGER NOT NULL, cpu REAL NOT NULL, temp REAL, mem REAL NOT NULL, mem_total REAL NOT NULL,
  disk REAL NOT NULL, disk_total REAL NOT NULL, rx REAL NOT NULL, tx REAL NOT NULL);
  CREATE INDEX samples_ts ON samples (ts);`;

export const history: Benchmark = {
  name: 'history',
  title: 'History: tiered metrics store against a flat table of samples',
  description:
    "The monitoring surface's tiered history (per second 1 day, per minute 90 days, per hour 2 " +
    'years; count, sum, min, max per point) against a flat SQLite table of every 2-second ' +
    'sample: bytes on disk per host per year, p95 of a 30-day query at 1h, CPU per ingested ' +
    'sample. Targets: ≤ 50 MB per year, p95 ≤ 50 ms.',

  run(context) {
    return measure(context);
  },
};

async function measure(
  context: BenchContext,
): Promise<Omit<BenchResult, 'name' | 'title' | 'durationMs'>> {
  const settings = SETTINGS[context.mode];
  const dir = mkdtempSync(join(tmpdir(), 'marquee-bench-history-'));
  try {
    const now = Math.floor(Date.now() / 1000 / 3600) * 3600;
    // The tiered store: a year of retention, filled as running would leave it.
    const tieredPath = join(dir, 'tiered.db');
    const db = openFile(tieredPath);
    applyMigrations(db, monitoringMigrations, () => new Date());
    const repos = sqliteMonitoring({ kind: 'sqlite', db, sql: statementCache(db) });
    const tiered = new TieredHistory(repos.history);
    const hourRows: RollupRow[] = [];
    for (let ts = now - settings.hourDays * DAY; ts < now - settings.ingestDays * DAY; ts += 3600)
      hourRows.push(rollupAt(ts, 3600));
    await repos.history.putRollups('hour', hourRows);
    const minuteRows: RollupRow[] = [];
    for (let ts = now - settings.minuteDays * DAY; ts < now - settings.ingestDays * DAY; ts += 60)
      minuteRows.push(rollupAt(ts, 60));
    await repos.history.putRollups('minute', minuteRows);
    context.log(`  tiered: ${hourRows.length} hour rows, ${minuteRows.length} minute rows`);

    const ingestStart = now - Math.round(settings.ingestDays * DAY);
    let ingested = 0;
    const before = cpuMicros();
    for (let ts = ingestStart; ts < now; ts += INTERVAL_S) {
      await tiered.ingest(sampleAt(ts));
      ingested += 1;
    }
    const ingestMicros = (cpuMicros() - before) / ingested;
    const tieredBytes = bytesOnDisk(db, tieredPath);
    context.log(`  tiered: ${ingested} samples ingested, ${(tieredBytes / 1e6).toFixed(1)} MB`);

    // The flat table: every sample, REAL columns, an index on time.
    const flatPath = join(dir, 'flat.db');
    const flat = openFile(flatPath);
    flat.exec(FLAT_TABLE);
    const insert = flat.prepare('INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const put = (s: HistorySample) =>
      insert.run(
        s.ts,
        s.cpu / 10,
        s.temp === null ? null : s.temp / 10,
        s.mem,
        s.memTotal,
        s.disk,
        s.diskTotal,
        s.rx,
        s.tx,
      );
    const flatStart = now - settings.flatDays * DAY;
    flat.exec('BEGIN');
    let flatRows = 0;
    for (let ts = flatStart; ts < now - DAY; ts += INTERVAL_S) {
      put(sampleAt(ts));
      flatRows += 1;
    }
    flat.exec('COMMIT');
    // The last day one sample per statement, as samples arrive: the baseline's ingest cost.
    let flatIngested = 0;
    const flatBefore = cpuMicros();
    for (let ts = Math.max(flatStart, now - DAY); ts < now; ts += INTERVAL_S) {
      put(sampleAt(ts));
      flatIngested += 1;
    }
    const flatIngestMicros = (cpuMicros() - flatBefore) / Math.max(1, flatIngested);
    flatRows += flatIngested;
    const flatBytes = bytesOnDisk(flat, flatPath);
    const flatYear = (flatBytes / flatRows) * YEAR_SAMPLES;
    context.log(`  flat: ${flatRows} rows, ${(flatBytes / 1e6).toFixed(1)} MB`);

    // 30 days at the seed's 1h, as GET /metrics/history answers it.
    const queryDays = Math.min(30, settings.flatDays);
    const range = { start: now - queryDays * DAY, end: now, resolution: 3600, maxPoints: 1000 };
    const flatQuery = flat.prepare(
      `SELECT (ts / 3600) * 3600 AS bucket, AVG(cpu) AS cpu, AVG(temp) AS temp, AVG(mem) AS mem,
           MAX(mem_total) AS mem_total, AVG(disk) AS disk, MAX(disk_total) AS disk_total
         FROM samples WHERE ts >= ? AND ts < ? GROUP BY ts / 3600 ORDER BY 1`,
    );
    const tieredTimes: number[] = [];
    const flatTimes: number[] = [];
    let points = 0;
    for (let i = 0; i < settings.queries; i++) {
      let started = performance.now();
      const answer = await tiered.query(range, now);
      points = answer.points.map(historyPoint).length;
      tieredTimes.push(performance.now() - started);
      started = performance.now();
      flatQuery.all(range.start, range.end);
      flatTimes.push(performance.now() - started);
    }
    context.log(`  30-day query: ${points} points`);
    db.close();
    flat.close();

    const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
    return {
      measurements: [
        measurement({
          metric: `bytes on disk per host per year (2 s samples; tiered: ${settings.ingestDays} d + ${settings.minuteDays} d + ${settings.hourDays} d)`,
          unit: 'MB',
          subject: round(tieredBytes / 1e6),
          subjectLabel: 'tiered',
          baseline: round(flatYear / 1e6),
          baselineLabel: 'flat table',
          target: { op: '<=', value: 50 },
        }),
        measurement({
          metric: `30-day history query at 1h, p95 of ${settings.queries}`,
          unit: 'ms',
          subject: round(percentile(tieredTimes, 95)),
          subjectLabel: 'tiered',
          baseline: round(percentile(flatTimes, 95)),
          baselineLabel: 'flat table',
          target: { op: '<=', value: 50 },
        }),
        measurement({
          metric: 'CPU per ingested sample',
          unit: 'µs',
          subject: round(ingestMicros),
          subjectLabel: 'tiered',
          baseline: round(flatIngestMicros),
          baselineLabel: 'flat table',
        }),
      ],
      notes: [
        `The flat table's year is extrapolated from its measured bytes per row (${round(flatBytes / flatRows, 1)} B over ${flatRows} rows) × ${YEAR_SAMPLES} samples.`,
      ],
      details: {
        settings,
        tieredBytes,
        flatBytes,
        flatRows,
        ingested,
        hourRows: hourRows.length,
        minuteRows: minuteRows.length,
        points,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
