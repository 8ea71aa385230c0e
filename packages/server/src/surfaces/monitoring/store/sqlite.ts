/** The SQLite implementation of the monitoring repositories. */
import type { SqliteEngine } from '../../../core/store';
import { savepointTransaction } from '../../../core/store/sqlite/transaction';
import {
  num,
  settle,
  text,
  textOrNull,
  type Row,
  type Statements,
} from '../../../core/store/sqlite/statements';
import type {
  Aggregate,
  AlertLevelRecord,
  HistorySample,
  MonitoringAlertRecord,
  MonitoringAlertsRepository,
  MonitoringHistoryRepository,
  MonitoringLogRecord,
  MonitoringLogsRepository,
  MonitoringRepositories,
  MonitoringSettingsRepository,
  RollupRow,
  Tier,
} from './types';

export const TABLE: Record<Tier, string> = {
  second: 'monitoring_history_second',
  minute: 'monitoring_history_minute',
  hour: 'monitoring_history_hour',
};

export function numOrNull(row: Row, column: string): number | null {
  return row[column] === null ? null : num(row, column);
}

export function parse(value: string | null): unknown {
  return value === null ? null : (JSON.parse(value) as unknown);
}

function settings(db: SqliteEngine['db'], sql: Statements): MonitoringSettingsRepository {
  return {
    get: (key) =>
      settle(() => {
        const row = sql(
          'SELECT value, updated_at, updated_by FROM monitoring_settings WHERE key = ?',
        ).get(key);
        if (row === undefined) return undefined;
        return {
          value: parse(text(row, 'value')),
          updatedAt: text(row, 'updated_at'),
          updatedBy: text(row, 'updated_by'),
        };
      }),
    put: (key, value, change) =>
      settle(() => {
        const after = JSON.stringify(value);
        db.exec('BEGIN IMMEDIATE');
        try {
          const before = sql('SELECT value FROM monitoring_settings WHERE key = ?').get(key);
          sql(
            `INSERT INTO monitoring_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value,
               updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
          ).run(key, after, change.at, change.actor);
          sql(
            'INSERT INTO monitoring_audit (at, actor, action, before, after) VALUES (?, ?, ?, ?, ?)',
          ).run(
            change.at,
            change.actor,
            change.action,
            before ? text(before, 'value') : null,
            after,
          );
          db.exec('COMMIT');
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        }
      }),
    record: (change, details) =>
      settle(() => {
        sql(
          'INSERT INTO monitoring_audit (at, actor, action, before, after) VALUES (?, ?, ?, NULL, ?)',
        ).run(change.at, change.actor, change.action, JSON.stringify(details));
      }),
    audit: (limit) =>
      settle(() => {
        const rows = sql(
          'SELECT id, at, actor, action, before, after FROM monitoring_audit ORDER BY id DESC LIMIT ?',
        ).all(limit) as Row[];
        return rows.map((row) => ({
          id: num(row, 'id'),
          at: text(row, 'at'),
          actor: text(row, 'actor'),
          action: text(row, 'action'),
          before: parse(textOrNull(row, 'before')),
          after: parse(text(row, 'after')),
        }));
      }),
  };
}

export function alertOf(row: Row): MonitoringAlertRecord {
  return {
    id: num(row, 'id'),
    startedAt: num(row, 'started_at'),
    endedAt: numOrNull(row, 'ended_at'),
    level: text(row, 'level') as AlertLevelRecord,
    message: text(row, 'message'),
    source: text(row, 'source'),
    details: parse(text(row, 'details')) as Record<string, unknown>,
    peak: numOrNull(row, 'peak'),
  };
}

function alerts(sql: Statements): MonitoringAlertsRepository {
  return {
    open: (alert, keep) =>
      settle(() => {
        const row = sql(
          `INSERT INTO monitoring_alerts (started_at, level, message, source, details, peak)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
        ).get(
          alert.startedAt,
          alert.level,
          alert.message,
          alert.source,
          JSON.stringify(alert.details),
          alert.peak,
        ) as Row;
        const created = alertOf(row);
        sql('DELETE FROM monitoring_alerts WHERE id <= ?').run(created.id - keep);
        return created;
      }),
    peak: (id, peak) =>
      settle(() => {
        sql('UPDATE monitoring_alerts SET peak = ? WHERE id = ?').run(peak, id);
      }),
    end: (id, endedAt) =>
      settle(() => {
        sql('UPDATE monitoring_alerts SET ended_at = ? WHERE id = ? AND ended_at IS NULL').run(
          endedAt,
          id,
        );
      }),
    list: ({ level, since, limit }) =>
      settle(() => {
        const where = [
          '(:level IS NULL OR level = :level)',
          '(:since IS NULL OR started_at >= :since)',
        ];
        const params = { level: level ?? null, since: since ?? null };
        const rows = sql(
          `SELECT * FROM monitoring_alerts WHERE ${where.join(' AND ')} ORDER BY started_at DESC, id DESC LIMIT :limit`,
        ).all({ ...params, limit }) as Row[];
        const count = sql(
          `SELECT COUNT(*) AS total FROM monitoring_alerts WHERE ${where.join(' AND ')}`,
        ).get(params) as Row;
        return { alerts: rows.map(alertOf), total: num(count, 'total') };
      }),
  };
}

const SERIES = ['cpu', 'mem', 'disk', 'rx', 'tx'] as const;

/** SELECT list aggregating a tier's rows into buckets, named as rollupOf reads them. */
export function bucketColumns(tier: Tier): string {
  if (tier === 'second') {
    return [
      'COUNT(*) AS n',
      ...SERIES.map((s) => `SUM(${s}) AS ${s}_sum, MIN(${s}) AS ${s}_min, MAX(${s}) AS ${s}_max`),
      'COUNT(temp) AS temp_n, SUM(temp) AS temp_sum, MIN(temp) AS temp_min, MAX(temp) AS temp_max',
      'MAX(mem_total) AS mem_total, MAX(disk_total) AS disk_total',
    ].join(', ');
  }
  return [
    'SUM(n) AS n',
    ...SERIES.map(
      (s) => `SUM(${s}_sum) AS ${s}_sum, MIN(${s}_min) AS ${s}_min, MAX(${s}_max) AS ${s}_max`,
    ),
    'SUM(temp_n) AS temp_n, SUM(temp_sum) AS temp_sum, MIN(temp_min) AS temp_min, MAX(temp_max) AS temp_max',
    'MAX(mem_total) AS mem_total, MAX(disk_total) AS disk_total',
  ].join(', ');
}

function aggregate(row: Row, series: string): Aggregate {
  return {
    sum: num(row, `${series}_sum`),
    min: num(row, `${series}_min`),
    max: num(row, `${series}_max`),
  };
}

export function rollupOf(row: Row, tsColumn: string): RollupRow {
  const tempN = num(row, 'temp_n');
  return {
    ts: num(row, tsColumn),
    n: num(row, 'n'),
    cpu: aggregate(row, 'cpu'),
    tempN,
    temp: tempN > 0 ? aggregate(row, 'temp') : null,
    mem: aggregate(row, 'mem'),
    memTotal: num(row, 'mem_total'),
    disk: aggregate(row, 'disk'),
    diskTotal: num(row, 'disk_total'),
    rx: aggregate(row, 'rx'),
    tx: aggregate(row, 'tx'),
  };
}

export function rollupValues(row: RollupRow): (number | null)[] {
  const series = (a: Aggregate) => [a.sum, a.min, a.max];
  return [
    row.ts,
    row.n,
    ...series(row.cpu),
    row.tempN,
    ...(row.temp === null ? [null, null, null] : series(row.temp)),
    ...series(row.mem),
    row.memTotal,
    ...series(row.disk),
    row.diskTotal,
    ...series(row.rx),
    ...series(row.tx),
  ];
}

function history(db: SqliteEngine['db'], sql: Statements): MonitoringHistoryRepository {
  const put = (tier: Exclude<Tier, 'second'>, row: RollupRow) =>
    sql(`INSERT OR REPLACE INTO ${TABLE[tier]} VALUES (${new Array(23).fill('?').join(', ')})`).run(
      ...rollupValues(row),
    );
  return {
    insertSample: (s: HistorySample) =>
      settle(() => {
        sql(
          `INSERT OR IGNORE INTO ${TABLE.second} (ts, cpu, temp, mem, mem_total, disk, disk_total, rx, tx)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(s.ts, s.cpu, s.temp, s.mem, s.memTotal, s.disk, s.diskTotal, s.rx, s.tx);
      }),
    putRollup: (tier, row) =>
      settle(() => {
        put(tier, row);
      }),
    putRollups: (tier, rows) =>
      settle(() => {
        db.exec('BEGIN IMMEDIATE');
        try {
          for (const row of rows) put(tier, row);
          db.exec('COMMIT');
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        }
      }),
    buckets: (tier, from, to, bucketSeconds) =>
      settle(() => {
        const rows = sql(
          // node:sqlite binds a JS number as a REAL: the bucket is cast so that `/` divides
          // integers. It is not aliased `ts`, which SQLite would read in GROUP BY and WHERE.
          `SELECT (ts / CAST(:bucket AS INTEGER)) * CAST(:bucket AS INTEGER) AS bucket,
             ${bucketColumns(tier)}
           FROM ${TABLE[tier]} WHERE ts >= :from AND ts < :to
           GROUP BY ts / CAST(:bucket AS INTEGER) ORDER BY 1`,
        ).all({ bucket: bucketSeconds, from, to }) as Row[];
        return rows.map((row) => rollupOf(row, 'bucket'));
      }),
    deleteBefore: (tier, before) =>
      settle(() => {
        sql(`DELETE FROM ${TABLE[tier]} WHERE ts < ?`).run(before);
      }),
    newest: (tier) =>
      settle(() => {
        const row = sql(`SELECT MAX(ts) AS ts FROM ${TABLE[tier]}`).get() as Row;
        return numOrNull(row, 'ts') ?? undefined;
      }),
  };
}

function logs(db: SqliteEngine['db'], sql: Statements): MonitoringLogsRepository {
  const transaction = savepointTransaction(db, 'monitoring_logs');
  return {
    writesAtOnce: true,
    append: (lines, keep) =>
      settle(() => {
        if (lines.length === 0) return;
        transaction(() => {
          let last = 0;
          for (const line of lines) {
            const row = sql(
              'INSERT INTO monitoring_logs (ts, level, message, context) VALUES (?, ?, ?, ?) RETURNING id',
            ).get(
              line.ts,
              line.level,
              line.message,
              line.context === null ? null : JSON.stringify(line.context),
            ) as Row;
            last = num(row, 'id');
          }
          sql('DELETE FROM monitoring_logs WHERE id <= ?').run(last - keep);
        });
      }),
    list: ({ level, since, limit }) =>
      settle(() => {
        const rows = sql(
          `SELECT ts, level, message, context FROM monitoring_logs
         WHERE (:level IS NULL OR level = :level) AND (:since IS NULL OR ts >= :since)
         ORDER BY id DESC LIMIT :limit`,
        ).all({ level: level ?? null, since: since ?? null, limit }) as Row[];
        return rows.map((row): MonitoringLogRecord => ({
          ts: num(row, 'ts'),
          level: text(row, 'level') as MonitoringLogRecord['level'],
          message: text(row, 'message'),
          context: parse(textOrNull(row, 'context')) as Record<string, unknown> | null,
        }));
      }),
    count: () =>
      settle(() => num(sql('SELECT COUNT(*) AS n FROM monitoring_logs').get() as Row, 'n')),
    idle() {
      return !db.isTransaction;
    },
  };
}

export function sqliteMonitoring({ db, sql }: SqliteEngine): MonitoringRepositories {
  return {
    settings: settings(db, sql),
    alerts: alerts(sql),
    history: history(db, sql),
    logs: logs(db, sql),
  };
}
