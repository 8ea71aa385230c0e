/**
 * The signage device client (seed 002), Node only: it reads and writes a cache directory and
 * hashes files with `node:crypto`, so it is published as `@marquee/sdk/device` and never reached
 * from the browser entry.
 */
export { DeviceClient, createDeviceClient } from './device-client';
export type { ScreenshotImage } from './api';
export type { CommandHandler, CommandOutcome } from './commands';
export type { DownloadFile, MediaResult, OpenDownloadFile } from './downloader';
export { SCREENS_FILE } from './media-cache';
export { flushPlays, MemoryPlayQueue, type FlushResult, type PlayQueue } from './proof-of-play';
export { pairDevice, type PairDeviceOptions, type PairedDevice } from './pairing';
export type {
  DeviceActionEvents,
  DeviceClientEvents,
  DeviceClientOptions,
  DeviceState,
  DeviceStateChange,
  DeviceStatusEvents,
  ScreensSource,
} from './options';
export { SCREEN_KEYS, type ScreenKey } from './screens';
