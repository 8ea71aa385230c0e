/**
 * Which playlist each screen plays. The server names one per screen (`current_playlist`);
 * `switch_playlist` picks another on the device. A device's pick stays current across reloads
 * while it is assigned, unless the server's own `current_playlist` changed since the last fetch
 * (an admin chose another one), which then wins.
 */
import type { DeviceScreens, Playlist } from '../../protocol/signage/playlist';
import { assignedScreens, type ScreenKey } from './screens';

export class CurrentPlaylists {
  /** The playlist each screen plays. */
  readonly #current = new Map<ScreenKey, number>();
  /** The server's `current_playlist` per screen at the last fetch. */
  readonly #server = new Map<ScreenKey, number | undefined>();
  #lastSwitched: ScreenKey | undefined;

  /** Applies a playlists answer; returns each screen's current playlist. */
  choose(screens: DeviceScreens): { readonly key: ScreenKey; readonly playlist: Playlist }[] {
    const chosen: { key: ScreenKey; playlist: Playlist }[] = [];
    const present = new Set<ScreenKey>();
    for (const { key, screen } of assignedScreens(screens)) {
      present.add(key);
      const server = screen.current_playlist ?? undefined;
      const serverChanged = this.#server.has(key) && this.#server.get(key) !== server;
      this.#server.set(key, server);
      const local = this.#current.get(key);
      const id = serverChanged ? server : (local ?? server);
      const playlist = screen.playlists.find((p) => p.id === id);
      if (playlist) {
        this.#current.set(key, playlist.id);
        chosen.push({ key, playlist });
      } else {
        this.#current.delete(key);
      }
    }
    for (const key of [...this.#current.keys()]) if (!present.has(key)) this.#current.delete(key);
    return chosen;
  }

  /** Records a `switch_playlist`. */
  switchTo(key: ScreenKey, playlistId: number): void {
    this.#current.set(key, playlistId);
    this.#lastSwitched = key;
  }

  /** The playlist one screen plays. */
  of(screens: DeviceScreens | undefined, key: ScreenKey): Playlist | undefined {
    const id = this.#current.get(key);
    return screens?.[key]?.playlists.find((playlist) => playlist.id === id);
  }

  /** The playlist of the screen last switched, else of the first screen that has one. */
  main(screens: DeviceScreens | undefined): Playlist | undefined {
    if (this.#lastSwitched) {
      const playlist = this.of(screens, this.#lastSwitched);
      if (playlist) return playlist;
    }
    for (const { key } of screens ? assignedScreens(screens) : []) {
      const playlist = this.of(screens, key);
      if (playlist) return playlist;
    }
    return undefined;
  }
}
