/**
 * The monitoring surface's repositories: its settings (seed 003's configuration and alert
 * settings) with an audit trail, its alerts, and the tiered metrics history; one implementation per
 * engine (store/sqlite.ts, store/postgres.ts), every method async.
 */

/** A settings document and who last saved it. */
export interface MonitoringSettingRecord {
  readonly value: unknown;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** One audited change: who, when, what it was and what it became. */
export interface MonitoringAuditRecord {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  /** `config.update`, `alertSettings.update` ... */
  readonly action: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface MonitoringSettingsRepository {
  get(key: string): Promise<MonitoringSettingRecord | undefined>;
  /** Saves `value` under `key` and records the change in the audit trail, in one transaction. */
  put(
    key: string,
    value: unknown,
    change: { actor: string; at: string; action: string },
  ): Promise<void>;
  /** Records an action that changes no setting (a service restart) in the audit trail. */
  record(change: { actor: string; at: string; action: string }, details: unknown): Promise<void>;
  /** The audit trail, newest first. */
  audit(limit: number): Promise<MonitoringAuditRecord[]>;
}

export type AlertLevelRecord = 'info' | 'warning' | 'error';

export interface MonitoringAlertRecord {
  readonly id: number;
  /** Unix ms. */
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly level: AlertLevelRecord;
  readonly message: string;
  readonly source: string;
  readonly details: Record<string, unknown>;
  /** The worst value seen while it was open (a usage percentage), when it has one. */
  readonly peak: number | null;
}

export interface AlertFilter {
  readonly level?: AlertLevelRecord;
  /** Unix ms: alerts started at or after. */
  readonly since?: number;
  readonly limit: number;
}

export interface MonitoringAlertsRepository {
  /** Stores a new alert; the oldest beyond `keep` are deleted. */
  open(
    alert: Omit<MonitoringAlertRecord, 'id' | 'endedAt'>,
    keep: number,
  ): Promise<MonitoringAlertRecord>;
  /** Records a new peak of an open alert. */
  peak(id: number, peak: number): Promise<void>;
  end(id: number, endedAt: number): Promise<void>;
  /** Newest first, and how many match in all. */
  list(filter: AlertFilter): Promise<{ alerts: MonitoringAlertRecord[]; total: number }>;
}

/**
 * One sample as the history keeps it, in integer units so rows stay small: `cpu` and `mem` ...
 * see history.ts for the units.
 */
export interface HistorySample {
  /** Unix seconds. */
  readonly ts: number;
  /** CPU busy, tenths of a percent (0–1000). */
  readonly cpu: number;
  /** Tenths of a degree Celsius, or null without a sensor. */
  readonly temp: number | null;
  /** Memory in use and installed, MiB. */
  readonly mem: number;
  readonly memTotal: number;
  /** Disk in use and size, MB (10^6 bytes). */
  readonly disk: number;
  readonly diskTotal: number;
  /** Network receive and send rates, bytes per second. */
  readonly rx: number;
  readonly tx: number;
}

/** Running figures of one series over an interval: exact averages need sum and count. */
export interface Aggregate {
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

/** A rolled-up point (or a bucket of a query): `n` samples, `tempN` of them with a temperature. */
export interface RollupRow {
  /** Unix seconds: the start of its interval. */
  readonly ts: number;
  readonly n: number;
  readonly cpu: Aggregate;
  readonly tempN: number;
  /** Null when no sample of the interval had a temperature. */
  readonly temp: Aggregate | null;
  readonly mem: Aggregate;
  /** The largest installed memory seen in the interval (it only changes with the hardware). */
  readonly memTotal: number;
  readonly disk: Aggregate;
  readonly diskTotal: number;
  readonly rx: Aggregate;
  readonly tx: Aggregate;
}

export type Tier = 'second' | 'minute' | 'hour';

export interface MonitoringHistoryRepository {
  /** Stores one per-second sample (a second already stored is kept: the first one wins). */
  insertSample(sample: HistorySample): Promise<void>;
  /** Writes a rolled-up row of `tier` (replacing a partial row written at shutdown). */
  putRollup(tier: Exclude<Tier, 'second'>, row: RollupRow): Promise<void>;
  /** Many rolled-up rows in one transaction (benchmarks fill a year this way). */
  putRollups(tier: Exclude<Tier, 'second'>, rows: readonly RollupRow[]): Promise<void>;
  /** Rows of `tier` in [from, to), grouped into buckets of `bucketSeconds`, oldest first. */
  buckets(tier: Tier, from: number, to: number, bucketSeconds: number): Promise<RollupRow[]>;
  /** Deletes rows of `tier` older than `before` (unix seconds). */
  deleteBefore(tier: Tier, before: number): Promise<void>;
  /** The newest timestamp stored in `tier`, if any. */
  newest(tier: Tier): Promise<number | undefined>;
}

/** One kept line of the server's log. */
export interface MonitoringLogRecord {
  /** Unix ms. */
  readonly ts: number;
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly context: Record<string, unknown> | null;
}

export interface MonitoringLogsRepository {
  /**
   * True when `append` has written (or failed) before it returns, as SQLite's does: calls then
   * apply in call order by themselves. False on PostgreSQL, where the caller runs one append at a
   * time to keep the order.
   */
  readonly writesAtOnce: boolean;
  /** Appends lines in one transaction, then deletes the oldest beyond `keep` rows. */
  append(lines: readonly MonitoringLogRecord[], keep: number): Promise<void>;
  /** Newest first. */
  list(filter: {
    level?: MonitoringLogRecord['level'];
    since?: number;
    limit: number;
  }): Promise<MonitoringLogRecord[]>;
  count(): Promise<number>;
  /**
   * False while the connection is inside a transaction (someone else's: writing then would join
   * it). Synchronous on purpose: asked from inside a logger call. Always true on PostgreSQL, where
   * a write takes its own pooled connection and never joins another caller's transaction.
   */
  idle(): boolean;
}

export interface MonitoringRepositories {
  readonly settings: MonitoringSettingsRepository;
  readonly alerts: MonitoringAlertsRepository;
  readonly history: MonitoringHistoryRepository;
  readonly logs: MonitoringLogsRepository;
}
