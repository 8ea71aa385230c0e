/**
 * @marquee/sdk/device — the signage device client (seed 002) for Node: pairing, sign-in,
 * registration, playlists, a verified media cache with resumable downloads, and the control
 * socket.
 */
export {
  DeviceClient,
  SCREENS_FILE,
  SCREEN_KEYS,
  createDeviceClient,
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
  type MediaResult,
  type OpenDownloadFile,
  type PairDeviceOptions,
  type PairedDevice,
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
  Playlist,
  PlaylistStatusMessage,
  ScreenshotResponse,
  ServerAction,
  ServerActionName,
  ServerMessage,
} from './protocol/signage/index';
