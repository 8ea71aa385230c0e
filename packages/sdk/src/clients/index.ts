/** One typed client per surface and role. */
export {
  PanelClient,
  createPanelClient,
  type PanelClientEvents,
  type PanelClientOptions,
  type PanelFallbackOptions,
  type PanelMessage,
  type PanelProfileOptions,
} from './now-playing-panel';
export {
  PlayerClient,
  createPlayerClient,
  type ControlHandler,
  type PlayerClientEvents,
  type PlayerClientOptions,
} from './now-playing-player';
export type { PlayerSessionInfo, ReportedSession } from './session-reporter';
export { GpuClient, createGpuClient, type GpuClientEvents, type GpuClientOptions } from './gpu';
export {
  SignageAdminClient,
  createSignageAdminClient,
  type AdminCommand,
  type AdminCommandOptions,
  type MediaUpload,
  type MediaUploadOptions,
  type SignageAdminAuth,
  type SignageAdminClientOptions,
  SignageEventsClient,
  createSignageEventsClient,
  type SignageEventsClientEvents,
  type SignageEventsClientOptions,
} from './signage-admin/index';
export {
  AccountsClient,
  createAccountsClient,
  type AccountsClientOptions,
  type CreatedDisplayTokenInfo,
} from './accounts/index';
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
} from './media-stack';
