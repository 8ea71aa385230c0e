/**
 * The monitoring tables (versions 300–399 belong to monitoring; see core/store/migrations.ts).
 *
 * History is three tables, one per tier, keyed by the interval's start in unix seconds (the rowid,
 * so no separate index and range deletes are cheap). Values are integers in small units
 * (store/types.ts `HistorySample`): SQLite stores an integer in 1–8 bytes by its size, so a
 * per-second row is about 30 bytes and a rolled-up row about 90.
 */
import { type Migration } from '../../../core/store/migrations';

/** The columns of a rolled-up tier: sample count, then sum, min, max of each series. */
const ROLLUP_COLUMNS = `
  ts INTEGER PRIMARY KEY,
  n INTEGER NOT NULL,
  cpu_sum INTEGER NOT NULL, cpu_min INTEGER NOT NULL, cpu_max INTEGER NOT NULL,
  temp_n INTEGER NOT NULL, temp_sum INTEGER, temp_min INTEGER, temp_max INTEGER,
  mem_sum INTEGER NOT NULL, mem_min INTEGER NOT NULL, mem_max INTEGER NOT NULL,
  mem_total INTEGER NOT NULL,
  disk_sum INTEGER NOT NULL, disk_min INTEGER NOT NULL, disk_max INTEGER NOT NULL,
  disk_total INTEGER NOT NULL,
  rx_sum INTEGER NOT NULL, rx_min INTEGER NOT NULL, rx_max INTEGER NOT NULL,
  tx_sum INTEGER NOT NULL, tx_min INTEGER NOT NULL, tx_max INTEGER NOT NULL`;

export const monitoringMigrations: readonly Migration[] = [
  {
    version: 300,
    name: 'monitoring_settings_alerts_history',
    up: `
      CREATE TABLE monitoring_settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL CHECK (json_valid(value)),
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL
      ) STRICT;
      CREATE TABLE monitoring_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        before TEXT CHECK (before IS NULL OR json_valid(before)),
        after TEXT NOT NULL CHECK (json_valid(after))
      ) STRICT;
      CREATE TABLE monitoring_alerts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        level TEXT NOT NULL CHECK (level IN ('info', 'warning', 'error')),
        message TEXT NOT NULL,
        source TEXT NOT NULL,
        details TEXT NOT NULL CHECK (json_valid(details)),
        peak REAL
      ) STRICT;
      CREATE INDEX monitoring_alerts_started ON monitoring_alerts (started_at);
      CREATE TABLE monitoring_history_second (
        ts INTEGER PRIMARY KEY,
        cpu INTEGER NOT NULL,
        temp INTEGER,
        mem INTEGER NOT NULL,
        mem_total INTEGER NOT NULL,
        disk INTEGER NOT NULL,
        disk_total INTEGER NOT NULL,
        rx INTEGER NOT NULL,
        tx INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE monitoring_history_minute (${ROLLUP_COLUMNS}) STRICT;
      CREATE TABLE monitoring_history_hour (${ROLLUP_COLUMNS}) STRICT;
    `,
  },
  {
    version: 301,
    name: 'monitoring_logs',
    // The server's own log lines (GET /api/v1/logs); trimmed to a row cap on every write.
    up: `
      CREATE TABLE monitoring_logs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts INTEGER NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('info', 'warn', 'error')),
        message TEXT NOT NULL,
        context TEXT CHECK (context IS NULL OR json_valid(context))
      ) STRICT;
      CREATE INDEX monitoring_logs_ts ON monitoring_logs (ts);
    `,
  },
];
