/**
 * Seed 001 — the MediaNest dashboard API for a Plex / Overseerr / download-client stack:
 * statistics, service status and notifications under `/api/v1/dashboard`, each wrapped in the
 * `{ success, data, metadata }` envelope, plus push updates on `/ws/dashboard`. Field names,
 * units and enums are the seed's; where the seed is silent the choice is Marquee's and says so.
 */
export { ResponseMetadata, successEnvelope, type SuccessEnvelope } from './envelope';
export {
  MediaStackError,
  mediaStackErrorShape,
  renderMediaStackError,
  type ErrorMetadataInput,
} from './errors';
export {
  DashboardServerMessage,
  NewNotificationMessage,
  ServiceStatusChangeMessage,
  StatsUpdateMessage,
} from './messages';
export {
  Notification,
  NotificationAction,
  NotificationCategory,
  NotificationIdParams,
  NotificationList,
  NotificationPriority,
  NotificationSummary,
  NotificationType,
  NotificationsQuery,
  notificationCategoryTypes,
} from './notifications';
export {
  NotificationListResponse,
  NotificationResponse,
  ServiceDetailResponse,
  ServiceStatusResponse,
  StatsResponse,
  mediaStackChannels,
  mediaStackRoutes,
  mediaStackSurface,
} from './routes';
export {
  ActiveDownload,
  CpuResources,
  DashboardStats,
  DownloadActivity,
  LibraryInfo,
  MediaLibraryStats,
  MemoryResources,
  NetworkResources,
  PerformanceMetrics,
  RequestActivity,
  RequestActivityType,
  RequestStatistics,
  StorageResource,
  SystemOverview,
  SystemResources,
  TopRequester,
} from './stats';
export {
  HealthMetric,
  HealthStatus,
  NetworkHealthMetric,
  OverallStatus,
  ServiceAlert,
  ServiceDetail,
  ServiceEntry,
  ServiceFeature,
  ServiceGroup,
  ServiceInfo,
  ServiceLibrary,
  ServiceParams,
  ServicePerformance,
  ServiceSession,
  ServiceState,
  ServiceStatus,
  SystemHealthCheck,
} from './status';
