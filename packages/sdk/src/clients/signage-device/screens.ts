/**
 * Reading a `DeviceScreens` answer: its four screen slots, the playlists across them and the
 * media items to download. A playlist assigned to two screens is one playlist here (one status,
 * one download), because the server tracks readiness per playlist id.
 */
import type { MediaItem } from '../../protocol/signage/media';
import type { DeviceScreens, Playlist, ScreenConfig } from '../../protocol/signage/playlist';

/** The four screen slots of a device, in the seed's order. */
export const SCREEN_KEYS = ['front_screen', 'back_screen', 'right_screen', 'left_screen'] as const;
export type ScreenKey = (typeof SCREEN_KEYS)[number];

/** The screens a device has, with their slot. */
export function assignedScreens(
  screens: DeviceScreens,
): { readonly key: ScreenKey; readonly screen: ScreenConfig }[] {
  const found: { key: ScreenKey; screen: ScreenConfig }[] = [];
  for (const key of SCREEN_KEYS) {
    const screen = screens[key];
    if (screen) found.push({ key, screen });
  }
  return found;
}

/** Every playlist across the screens, each id once, in screen then playlist order. */
export function allPlaylists(screens: DeviceScreens): Playlist[] {
  const byId = new Map<number, Playlist>();
  for (const { screen } of assignedScreens(screens)) {
    for (const playlist of screen.playlists) {
      if (!byId.has(playlist.id)) byId.set(playlist.id, playlist);
    }
  }
  return [...byId.values()];
}

/** The screen a playlist is assigned to (the first one when it is on several) and the playlist. */
export function findPlaylist(
  screens: DeviceScreens,
  playlistId: number,
): { readonly key: ScreenKey; readonly playlist: Playlist } | undefined {
  for (const { key, screen } of assignedScreens(screens)) {
    const playlist = screen.playlists.find((p) => p.id === playlistId);
    if (playlist) return { key, playlist };
  }
  return undefined;
}

/** A playlist's items in playback order (the seed's `order`, then the server's order). */
export function itemsInOrder(playlist: Playlist): MediaItem[] {
  return playlist.media_items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => a.item.order - b.item.order || a.index - b.index)
    .map(({ item }) => item);
}
