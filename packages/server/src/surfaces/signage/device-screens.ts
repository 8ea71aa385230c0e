/**
 * The seed's DeviceScreens: the answer of `GET /admin/cloud/playlists?sn_number=`. All four
 * screen keys are always present, `null` where the device has no such screen; each screen lists
 * its playlists in full, with the media items a device downloads and the server's view of the
 * playlist's readiness on this device.
 */
import type { protocol } from '@marquee/sdk';
import type { SignageDeviceRecord, SignageRepositories, SignageScreenRecord } from './store';
import type { SignageFiles } from './files';
import { devicePlaylist } from './views';

type DeviceScreens = protocol.signage.DeviceScreens;
type ScreenConfig = protocol.signage.ScreenConfig;

const KEYS = {
  front: 'front_screen',
  back: 'back_screen',
  right: 'right_screen',
  left: 'left_screen',
} as const;

export async function deviceScreens(
  store: SignageRepositories,
  files: SignageFiles,
  device: SignageDeviceRecord,
): Promise<DeviceScreens> {
  const screens = await store.screens.listForDevice(device.snNumber);
  const ids = [...new Set(screens.flatMap((screen) => screen.playlistIds))];
  const playlists = new Map((await store.playlists.findMany(ids)).map((p) => [p.id, p]));
  const reports = new Map(
    (await store.reports.listForDevice(device.snNumber)).map((r) => [r.playlistId, r]),
  );
  const config = (screen: SignageScreenRecord): ScreenConfig => ({
    screen_id: screen.id,
    screen_name: screen.screenName,
    resolution: screen.resolution,
    current_playlist: screen.currentPlaylistId,
    playlists: screen.playlistIds.flatMap((id) => {
      const playlist = playlists.get(id);
      return playlist === undefined
        ? []
        : [devicePlaylist(playlist, device, reports.get(id), files)];
    }),
  });
  const result: DeviceScreens = {
    sn_number: device.snNumber,
    front_screen: null,
    back_screen: null,
    right_screen: null,
    left_screen: null,
  };
  for (const screen of screens) result[KEYS[screen.position]] = config(screen);
  return result;
}

/** The playlist a device plays by default: the front (or first) screen's current playlist. */
export function defaultPlaylist(screens: readonly SignageScreenRecord[]): number | null {
  for (const screen of screens) {
    if (screen.currentPlaylistId !== null) return screen.currentPlaylistId;
  }
  return null;
}
