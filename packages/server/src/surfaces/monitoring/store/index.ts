/**
 * The monitoring surface's own part of the store: its tables (migrations 300–399) and
 * repositories for settings and their audit trail, alerts and the tiered metrics history.
 */
import type { SurfaceStore } from '../../../core/store';
import { monitoringMigrations } from './migrations';
import { postgresMonitoring } from './postgres';
import { sqliteMonitoring } from './sqlite';
import type { MonitoringRepositories } from './types';

export const monitoringStore: SurfaceStore<MonitoringRepositories> = {
  migrations: monitoringMigrations,
  open: (engine) =>
    engine.kind === 'sqlite' ? sqliteMonitoring(engine) : postgresMonitoring(engine),
};

export type {
  AlertFilter,
  HistorySample,
  MonitoringAlertRecord,
  MonitoringAlertsRepository,
  MonitoringAuditRecord,
  MonitoringHistoryRepository,
  MonitoringLogRecord,
  MonitoringLogsRepository,
  MonitoringRepositories,
  MonitoringSettingRecord,
  MonitoringSettingsRepository,
  RollupRow,
  Tier,
} from './types';
