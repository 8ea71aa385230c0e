/**
 * @marquee/sdk/device — the signage device client (seed 002) for Node: pairing, sign-in,
 * registration, playlists, a verified media cache with resumable downloads, the control
 * socket, and proof of play (a bounded queue sent in de-duplicated batches).
 */
export {
  DeviceClient,
  MemoryPlayQueue,
  SCREENS_FILE,
  SCREEN_KEYS,
  createDeviceClient,
  flushPlays,
  pairDevice,
  type CommandHandler,
  type CommandOutcome,
  type DeviceActionEvents,
  type DeviceClientEvents,
  type DeviceClientOptions,
  type DeviceState,
  type DeviceStateChange,
  type DeviceStatusEvents,
  type DownloadFile,
  type FlushResult,
  type MediaResult,
  type OpenDownloadFile,
  type PairDeviceOptions,
  type PairedDevice,
  type PlayQueue,
  type ScreenKey,
  type ScreenshotImage,
  type ScreensSource,
} from './clients/signage-device/index';
// The payload types its events carry, so declaration bundles can name them.
export type {
  AckMessage,
  ClientMessage,
  DeviceModel,
  DeviceModelInput,
  DeviceScreens,
  MediaItem,
  PlayBatchResult,
  PlayRecord,
  Playlist,
  PlaylistStatusMessage,
  ScreenshotResponse,
  ServerAction,
  ServerActionName,
  ServerMessage,
} from './protocol/signage/index';
