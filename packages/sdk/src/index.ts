/** @marquee/sdk — typed protocol, reconnecting transport and clients for Marquee. */
export {
  ErrorCodes,
  MarqueeError,
  codeForStatus,
  statusForCode,
  toMarqueeError,
  type ErrorCode,
  type MarqueeErrorOptions,
} from './errors';
export * as protocol from './protocol/index';
// The accounts client's payload types, for the same reason as the ones below.
export type {
  ChangePassword,
  CreateDisplayToken,
  CreatedUser,
  CreateUser,
  DisplayToken,
  SessionInfo,
  UpdateUser,
  User,
  UserList,
} from './protocol/core';
// The event emitter every client extends, so declaration bundles can name it.
export { Emitter, type EventMap } from './transport/emitter';
// The base of the REST + push-channel clients (GPU, media stack), for the same reason.
export {
  RestChannelClient,
  type ChannelEvents,
  type ChannelSocketOptions,
  type RestChannelOptions,
  type RestChannelSetup,
} from './clients/rest-channel-client';
// The panel client's payload types, at the top level so declaration bundles can name them.
export type {
  CompactSnapshot,
  FieldSnapshot,
  SessionField,
  SessionState,
  SessionUpdate,
  Snapshot,
  StatsResponse,
} from './protocol/now-playing';
// The GPU client's payload types, for the same reason.
export type {
  GpuServerMessage,
  KeepAlive,
  ModelActionResponse,
  ModelDownloadProgress,
  OllamaLoadedList,
  OllamaModelList,
  VramStatus,
  VramUpdate,
} from './protocol/gpu';
// The media-stack client's payload types, for the same reason.
export type {
  DashboardServerMessage,
  DashboardStats,
  NewNotificationMessage,
  Notification as MediaStackNotification,
  ResponseMetadata,
  ServiceStatusChangeMessage,
} from './protocol/media-stack/index';
// The player client's payload types, for the same reason.
export type {
  ClaimResult,
  ControlCommand,
  PlayerAck,
  PlayerClientMessage,
  PlayerServerMessage,
} from './protocol/playback';
// The signage admin client's payload types, for the same reason.
export type {
  AdminPlaylist,
  AdminScreen,
  ApprovedPairing,
  ApprovePairing,
  BroadcastAccepted,
  CommandList,
  CommandListQuery,
  CommandRecord,
  CommandRequest,
  CommandsAccepted,
  DeviceDetail,
  DeviceList,
  DeviceListQuery,
  MediaList,
  MediaRecord,
  PlaylistInput,
  PendingPairingList,
  PlaylistList,
  ScreenInput,
  ScreenPosition,
  ScreenshotList,
} from './protocol/signage/index';
export {
  ClientCloseCodes,
  ReconnectingSocket,
  TokenManager,
  backoffDelay,
  createHttpClient,
  createSocket,
  errorFromResponse,
  messageKind,
  readErrorBody,
  type AuthProvider,
  type BackoffOptions,
  type ClientCloseCode,
  type CloseInfo,
  type Credentials,
  type DropReason,
  type DroppedMessage,
  type ErrorBodyFields,
  type HeartbeatOptions,
  type HttpClient,
  type HttpClientOptions,
  type HttpRequest,
  type InvalidMessage,
  type KindField,
  type MessageKind,
  type MessageOfKind,
  type NetworkOptions,
  type OnlineEventTarget,
  type QueryValue,
  type ReconnectInfo,
  type RequestOptions,
  type SocketEvents,
  type SocketOptions,
  type SocketState,
  type StateChange,
  type TokenManagerOptions,
  type TokenSet,
  type WebSocketConstructor,
  type WebSocketLike,
} from './transport/index';
export {
  PanelClient,
  PlayerClient,
  SignageAdminClient,
  createPanelClient,
  createPlayerClient,
  createSignageAdminClient,
  type AdminCommand,
  type AdminCommandOptions,
  type ControlHandler,
  type MediaUpload,
  type MediaUploadOptions,
  type PanelClientEvents,
  type PanelClientOptions,
  type PanelFallbackOptions,
  type PanelMessage,
  type PanelProfileOptions,
  type PlayerClientEvents,
  type PlayerClientOptions,
  type PlayerSessionInfo,
  type ReportedSession,
  type SignageAdminAuth,
  type SignageAdminClientOptions,
} from './clients/index';
export {
  AccountsClient,
  createAccountsClient,
  type AccountsClientOptions,
  type CreatedDisplayTokenInfo,
} from './clients/index';
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
  SignageEventsClient,
  createSignageEventsClient,
  type SignageEventsClientEvents,
  type SignageEventsClientOptions,
} from './clients/index';
export {
  GpuClient,
  createGpuClient,
  type GpuClientEvents,
  type GpuClientOptions,
} from './clients/index';
