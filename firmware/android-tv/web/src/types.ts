/** The seed 002 shapes the player works with, from the SDK's protocol. */
export type {
  AckMessage,
  MediaItem,
  Playlist,
  DeviceScreens,
  ServerAction,
  TextOverlay,
} from '../../../../packages/sdk/src/protocol/signage/index';
