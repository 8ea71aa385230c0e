/**
 * Seed 002 — digital signage: Android TV players log in with JWT, register, fetch their
 * screens' playlists, download and cache media, upload screenshots and take remote control over
 * `WS /ws/cloud/tb_device/`. Field names, enums and required/optional rules are the seed's;
 * Marquee's additions (`command_id`, `ack`, the socket `error` message, the error `code`) are
 * optional fields or new message types that seed-only clients never see or can ignore.
 */
export {
  HideTextOverlayAction,
  NextAction,
  PauseAction,
  PlayAction,
  PlayMediaAction,
  PreviousAction,
  ReloadPlaylistAction,
  ServerAction,
  SetBrightnessAction,
  SetVolumeAction,
  ShowTextOverlayAction,
  SwitchPlaylistAction,
  TakeScreenshotAction,
  TextOverlay,
  type ServerActionName,
} from './actions';
export { signageAdminRoutes } from './admin';
export {
  AdminCommandMessage,
  AdminCommandsExpiredMessage,
  AdminDeviceMessage,
  AdminHelloMessage,
  AdminPairingMessage,
  AdminServerMessage,
  DeviceChange,
} from './admin-events';
export {
  ApprovedPairing,
  ApprovePairing,
  PAIRING_CODE_ALPHABET,
  PairingCode,
  PairingCodeParams,
  PairingIdParams,
  PairingPollQuery,
  PairingRequestBody,
  pairingRoutes,
  PairingStarted,
  PairingStatus,
  PendingPairing,
  PendingPairingList,
} from './pairing';
export {
  BroadcastAccepted,
  BroadcastCommandRequest,
  CommandAccepted,
  CommandIdParams,
  CommandList,
  CommandListQuery,
  CommandRecord,
  CommandRequest,
  CommandsAccepted,
  CommandState,
  MAX_COMMAND_TTL_SECONDS,
  SkippedDevice,
} from './admin-commands';
export {
  AdminScreen,
  DeviceDetail,
  DeviceHealth,
  DeviceList,
  DeviceListQuery,
  DeviceParams,
  DeviceSummary,
  MAX_DEVICE_PAGE,
  PlaylistReport,
  ScreenInput,
  ScreenParams,
  ScreenPosition,
  ScreenshotIdParams,
  ScreenshotList,
  ScreenshotRecord,
} from './admin-devices';
export {
  MEDIA_FILE_FIELD,
  MediaIdParams,
  MediaList,
  MediaRecord,
  MediaUploadFields,
} from './admin-media';
export {
  AdminPlaylist,
  DEFAULT_MEDIA_EFFECTS,
  DEFAULT_MEDIA_TIMING,
  DEFAULT_PLAYBACK_CONFIG,
  PlaylistIdParams,
  PlaylistInput,
  PlaylistItemInput,
  PlaylistList,
} from './admin-playlists';
export { AuthModel, LoginBody, RefreshBody } from './auth';
export {
  AckMessage,
  HealthMessage,
  ClientMessage,
  PlaylistDownloadingStatus,
  PlaylistFailedStatus,
  PlaylistPartialStatus,
  PlaylistReadyStatus,
  PlaylistStatusMessage,
  ReadyPlaylistsMessage,
  type PlaylistStatusValue,
} from './client-messages';
export { DeviceModel, RegisterDeviceResponse, type DeviceModelInput } from './device';
export { SignageError, signageErrorShape } from './errors';
export {
  MediaEffects,
  MediaItem,
  MediaItemModel,
  MediaLayout,
  MediaTiming,
  MediaType,
  md5Hex,
} from './media';
export {
  DeviceScreens,
  PlaybackConfig,
  Playlist,
  PlaylistSchedule,
  PlaylistStatus,
  PlaylistsQuery,
  ScheduleDay,
  ScheduleWindow,
  ScreenConfig,
} from './playlist';
export {
  MAX_PLAY_BATCH,
  MAX_PLAY_DURATION_MS,
  MAX_PLAY_EXPORT,
  MAX_PLAY_PAGE,
  PLAY_CSV_COLUMNS,
  PlayBatch,
  PlayBatchResult,
  PlayExportQuery,
  PlayList,
  PlayListQuery,
  PlayRecord,
  PlayView,
  proofOfPlayRoutes,
} from './proof-of-play';
export {
  SCREENSHOT_FILE_FIELD,
  ScreenshotFields,
  ScreenshotFormFields,
  ScreenshotResponse,
} from './screenshot';
export { ServerMessage, SocketErrorMessage } from './server-messages';
export {
  DeviceSocketQuery,
  MediaPathParams,
  signageChannels,
  signageRoutes,
  signageSurface,
} from './surface';
