/**
 * @marquee/sdk/media-stack — the media-stack dashboard client (seed 001) on its own entry:
 * statistics, service status and notifications over REST, and the `/ws/dashboard` push channel.
 * Browser and Node. The same client is on the root entry; this one names only what it needs.
 */
export {
  MediaStackClient,
  createMediaStackClient,
  listServices,
  type ListedService,
  type MediaStackClientEvents,
  type MediaStackClientOptions,
  type NotificationAnswer,
  type NotificationListAnswer,
  type NotificationsFilter,
  type ServiceDetailAnswer,
  type ServiceStatusAnswer,
  type StatsAnswer,
} from './clients/media-stack';
// The client's base, so declaration bundles can name it.
export {
  RestChannelClient,
  type ChannelEvents,
  type ChannelSocketOptions,
  type RestChannelOptions,
  type RestChannelSetup,
} from './clients/rest-channel-client';
export type {
  DashboardServerMessage,
  DashboardStats,
  NewNotificationMessage,
  Notification,
  NotificationList,
  ResponseMetadata,
  ServiceDetail,
  ServiceInfo,
  ServiceState,
  ServiceStatus,
  ServiceStatusChangeMessage,
} from './protocol/media-stack/index';
