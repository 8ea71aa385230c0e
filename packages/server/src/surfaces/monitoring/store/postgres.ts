/**
 * The PostgreSQL implementation of the monitoring repositories: the SQLite one's records (its row
 * mappers are shared) and rules; a settings change and its audit row are one transaction.
 */
import type { PostgresEngine, Queryable } from '../../../core/store';
import { changed, first, returned, rows } from '../../../core/store/postgres/engine';
import { num, text, textOrNull } from '../../../core/store/sqlite/statements';
import { ROLLUP_COLUMN_NAMES } from './migrations';
import { TABLE, alertOf, bucketColumns, numOrNull, parse, rollupOf, rollupValues } from './sqlite';
import type {
  MonitoringAlertsRepository,
  MonitoringHistoryRepository,
  MonitoringLogRecord,
  MonitoringLogsRepository,
  MonitoringRepositories,
  MonitoringSettingsRepository,
  RollupRow,
  Tier,
} from './types';

function settings(engine: PostgresEngine): MonitoringSettingsRepository {
  return {
    get: async (key) => {
      const row = await first(
        engine.pool,
        'SELECT value, updated_at, updated_by FROM monitoring_settings WHERE key = $1',
        [key],
      );
      if (row === undefined) return undefined;
      return {
        value: parse(text(row, 'value')),
        updatedAt: text(row, 'updated_at'),
        updatedBy: text(row, 'updated_by'),
      };
    },
    put: (key, value, change) =>
      engine.transaction(async (client) => {
        const after = JSON.stringify(value);
        const before = await first(
          client,
          'SELECT value FROM monitoring_settings WHERE key = $1 FOR UPDATE',
          [key],
        );
        await client.query(
          `INSERT INTO monitoring_settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
          [key, after, change.at, change.actor],
        );
        await client.query(
          'INSERT INTO monitoring_audit (at, actor, action, before, after) VALUES ($1, $2, $3, $4, $5)',
          [change.at, change.actor, change.action, before ? text(before, 'value') : null, after],
        );
      }),
    record: async (change, details) => {
      await engine.pool.query(
        'INSERT INTO monitoring_audit (at, actor, action, before, after) VALUES ($1, $2, $3, NULL, $4)',
        [change.at, change.actor, change.action, JSON.stringify(details)],
      );
    },
    audit: async (limit) =>
      (
        await rows(
          engine.pool,
          'SELECT id, at, actor, action, before, after FROM monitoring_audit ORDER BY id DESC LIMIT $1',
          [limit],
        )
      ).map((row) => ({
        id: num(row, 'id'),
        at: text(row, 'at'),
        actor: text(row, 'actor'),
        action: text(row, 'action'),
        before: parse(textOrNull(row, 'before')),
        after: parse(text(row, 'after')),
      })),
  };
}

const ALERT_FILTER =
  '($1::text IS NULL OR level = $1) AND ($2::bigint IS NULL OR started_at >= $2)';

function alerts(pool: Queryable): MonitoringAlertsRepository {
  return {
    open: async (alert, keep) => {
      const created = alertOf(
        await returned(
          pool,
          `INSERT INTO monitoring_alerts (started_at, level, message, source, details, peak)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
          [
            alert.startedAt,
            alert.level,
            alert.message,
            alert.source,
            JSON.stringify(alert.details),
            alert.peak,
          ],
        ),
      );
      await pool.query('DELETE FROM monitoring_alerts WHERE id <= $1', [created.id - keep]);
      return created;
    },
    peak: async (id, peak) => {
      await pool.query('UPDATE monitoring_alerts SET peak = $1 WHERE id = $2', [peak, id]);
    },
    end: async (id, endedAt) => {
      await pool.query(
        'UPDATE monitoring_alerts SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL',
        [endedAt, id],
      );
    },
    list: async ({ level, since, limit }) => {
      const params = [level ?? null, since ?? null];
      const found = await rows(
        pool,
        `SELECT * FROM monitoring_alerts WHERE ${ALERT_FILTER}
         ORDER BY started_at DESC, id DESC LIMIT $3`,
        [...params, limit],
      );
      const count = await first(
        pool,
        `SELECT count(*) AS total FROM monitoring_alerts WHERE ${ALERT_FILTER}`,
        params,
      );
      return { alerts: found.map(alertOf), total: count === undefined ? 0 : num(count, 'total') };
    },
  };
}

const UPSERT_ROLLUP = (table: string) =>
  `INSERT INTO ${table} (${ROLLUP_COLUMN_NAMES.join(', ')})
   VALUES (${ROLLUP_COLUMN_NAMES.map((_, n) => `$${n + 1}`).join(', ')})
   ON CONFLICT (ts) DO UPDATE SET ${ROLLUP_COLUMN_NAMES.filter((c) => c !== 'ts')
     .map((c) => `${c} = excluded.${c}`)
     .join(', ')}`;

function history(engine: PostgresEngine): MonitoringHistoryRepository {
  const { pool } = engine;
  const put = async (q: Queryable, tier: Exclude<Tier, 'second'>, row: RollupRow) => {
    await q.query(UPSERT_ROLLUP(TABLE[tier]), rollupValues(row));
  };
  return {
    insertSample: async (s) => {
      await pool.query(
        `INSERT INTO ${TABLE.second} (ts, cpu, temp, mem, mem_total, disk, disk_total, rx, tx)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (ts) DO NOTHING`,
        [s.ts, s.cpu, s.temp, s.mem, s.memTotal, s.disk, s.diskTotal, s.rx, s.tx],
      );
    },
    putRollup: (tier, row) => put(pool, tier, row),
    putRollups: (tier, list) =>
      engine.transaction(async (client) => {
        for (const row of list) await put(client, tier, row);
      }),
    buckets: async (tier, from, to, bucketSeconds) =>
      (
        await rows(
          pool,
          `SELECT (ts / $1::bigint) * $1::bigint AS bucket, ${bucketColumns(tier)}
           FROM ${TABLE[tier]} WHERE ts >= $2 AND ts < $3 GROUP BY 1 ORDER BY 1`,
          [Math.floor(bucketSeconds), from, to],
        )
      ).map((row) => rollupOf(row, 'bucket')),
    deleteBefore: async (tier, before) => {
      await changed(pool, `DELETE FROM ${TABLE[tier]} WHERE ts < $1`, [before]);
    },
    newest: async (tier) => {
      const row = await first(pool, `SELECT max(ts) AS ts FROM ${TABLE[tier]}`);
      return row === undefined ? undefined : (numOrNull(row, 'ts') ?? undefined);
    },
  };
}

function logs(engine: PostgresEngine): MonitoringLogsRepository {
  return {
    writesAtOnce: false,
    append: async (lines, keep) => {
      if (lines.length === 0) return;
      await engine.transaction(async (client) => {
        // One multi-row insert; ids follow the order of `lines`, so the newest keep the highest.
        const values: unknown[] = [];
        const tuples = lines.map((line, n) => {
          values.push(
            line.ts,
            line.level,
            line.message,
            line.context === null ? null : JSON.stringify(line.context),
          );
          return `($${n * 4 + 1}::bigint, $${n * 4 + 2}, $${n * 4 + 3}, $${n * 4 + 4}::json, ${n})`;
        });
        const last = await returned(
          client,
          `WITH inserted AS (
             INSERT INTO monitoring_logs (ts, level, message, context)
             SELECT ts, level, message, context
             FROM (VALUES ${tuples.join(', ')}) AS v (ts, level, message, context, ord)
             ORDER BY ord
             RETURNING id
           ) SELECT max(id) AS last FROM inserted`,
          values,
        );
        await client.query('DELETE FROM monitoring_logs WHERE id <= $1', [
          num(last, 'last') - keep,
        ]);
      });
    },
    list: async ({ level, since, limit }) =>
      (
        await rows(
          engine.pool,
          `SELECT ts, level, message, context FROM monitoring_logs
           WHERE ($1::text IS NULL OR level = $1) AND ($2::bigint IS NULL OR ts >= $2)
           ORDER BY id DESC LIMIT $3`,
          [level ?? null, since ?? null, limit],
        )
      ).map((row): MonitoringLogRecord => ({
        ts: num(row, 'ts'),
        level: text(row, 'level') as MonitoringLogRecord['level'],
        message: text(row, 'message'),
        context: parse(textOrNull(row, 'context')) as Record<string, unknown> | null,
      })),
    count: async () => {
      const row = await first(engine.pool, 'SELECT count(*) AS n FROM monitoring_logs');
      return row === undefined ? 0 : num(row, 'n');
    },
    // Every write takes its own pooled connection: it never joins another caller's transaction.
    idle: () => true,
  };
}

export function postgresMonitoring(engine: PostgresEngine): MonitoringRepositories {
  return {
    settings: settings(engine),
    alerts: alerts(engine.pool),
    history: history(engine),
    logs: logs(engine),
  };
}
