/**
 * Seed 003 — the Monsterr media server's web interface API under `/api/v1`: system status and
 * configuration, services and their health, metrics (live over `/monitoring`, current and
 * history), alerts and their settings, and logs. Field names (snake_case and camelCase mixed, as
 * the seed has them), units and enums are the seed's; where it is silent the choice is Marquee's.
 * The seed's upstream APIs (Plex, Sonarr, Radarr ...) are integrations, not routes of this surface.
 */
export {
  Alert,
  AlertLevel,
  AlertList,
  AlertSettings,
  AppriseChannel,
  AlertsQuery,
  EmailChannel,
  NotificationChannel,
  NtfyChannel,
  REDACTED_SECRET,
  TestNotificationRequest,
  TestNotificationResponse,
  TestNotificationResult,
  Threshold,
  WebhookChannel,
} from './alerts';
export { MonitoringError, monitoringErrorShape } from './errors';
export {
  ContainerLogEntry,
  ContainerLogList,
  ContainerLogStream,
  ContainerLogsQuery,
  LogEntry,
  LogLevel,
  LogList,
  LogsQuery,
} from './logs';
export {
  AlertMessage,
  MetricsMessage,
  MonitoringServerMessage,
  ServiceStatusChange,
  StatusMessage,
} from './messages';
export {
  CpuMetrics,
  CurrentMetrics,
  DiskMetrics,
  MemoryMetrics,
  MetricsHistory,
  MetricsHistoryPoint,
  MetricsHistoryQuery,
  NetworkMetrics,
  Resolution,
  SystemMetrics,
  resolutionMs,
} from './metrics';
export { monitoringChannels, monitoringRoutes, monitoringSurface } from './routes';
export {
  ComponentStatus,
  MonitoredService,
  RestartResponse,
  ServiceHealth,
  ServiceHealthList,
  ServiceList,
  ServiceNameParams,
  ServiceRunState,
  ServiceSource,
} from './services';
export { ServiceName, SystemConfig, SystemState, SystemStatus } from './system';
