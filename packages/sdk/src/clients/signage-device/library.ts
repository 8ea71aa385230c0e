/**
 * What the device holds: which media files are cached and verified, and each playlist's last
 * final status. Download passes go through here, so the two stay in step with the cache; a file
 * shared by several playlists is handled once per pass.
 */
import type { PlaylistStatusValue } from '../../protocol/signage/client-messages';
import type { MediaItem } from '../../protocol/signage/media';
import type { DeviceScreens, Playlist } from '../../protocol/signage/playlist';
import type { MediaDownloader, MediaResult } from './downloader';
import type { MediaCache } from './media-cache';
import { syncPlaylist, type FinalStatus, type PlaylistSyncHooks } from './playlist-sync';
import { allPlaylists } from './screens';

export interface LibraryHooks {
  /** Sends one `playlist_status` message. */
  readonly report: PlaylistSyncHooks['report'];
  /** Told about every item a pass handled. */
  readonly media: (result: MediaResult) => void;
  /** True once the client closed: passes stop. */
  readonly cancelled: () => boolean;
}

export class MediaLibrary {
  readonly #cache: MediaCache;
  readonly #downloader: MediaDownloader;
  readonly #hooks: LibraryHooks;
  readonly #statuses = new Map<number, PlaylistStatusValue>();
  /** Cache file names known to be present and verified. */
  readonly #available = new Set<string>();

  constructor(cache: MediaCache, downloader: MediaDownloader, hooks: LibraryHooks) {
    this.#cache = cache;
    this.#downloader = downloader;
    this.#hooks = hooks;
  }

  /** Whether the playlist's last pass ended `ready`. */
  isReady(playlistId: number): boolean {
    return this.#statuses.get(playlistId) === 'ready';
  }

  /** Ids of the assigned playlists whose every item is cached and verified. */
  readyIds(screens: DeviceScreens | undefined): number[] {
    if (!screens) return [];
    return allPlaylists(screens)
      .filter((playlist) => this.isReady(playlist.id))
      .map((playlist) => playlist.id);
  }

  /** Whether some playlist's last pass left files missing. */
  incomplete(): boolean {
    return [...this.#statuses.values()].some((status) => status !== 'ready');
  }

  /** Forgets the statuses of playlists no longer assigned. */
  retain(screens: DeviceScreens): void {
    const assigned = new Set(allPlaylists(screens).map((playlist) => playlist.id));
    for (const id of this.#statuses.keys()) if (!assigned.has(id)) this.#statuses.delete(id);
  }

  isAvailable(item: Pick<MediaItem, 'media_id' | 'media_name'>): boolean {
    return this.#available.has(this.#cache.fileName(item));
  }

  /** Downloads each playlist in turn, reporting its statuses; resolves with the final ones. */
  async download(playlists: readonly Playlist[]): Promise<(FinalStatus | undefined)[]> {
    const pass = new Map<string, Promise<MediaResult>>();
    const finals: (FinalStatus | undefined)[] = [];
    for (const playlist of playlists) {
      if (this.#hooks.cancelled()) break;
      const final = await syncPlaylist(playlist, {
        ensure: (item) => {
          const key = `${this.#cache.fileName(item)}\n${item.checksum.toLowerCase()}`;
          let result = pass.get(key);
          if (!result) {
            result = this.#ensure(item);
            pass.set(key, result);
          }
          return result;
        },
        report: this.#hooks.report,
        cancelled: this.#hooks.cancelled,
      });
      if (final) this.#statuses.set(playlist.id, final.status);
      finals.push(final);
    }
    return finals;
  }

  /** Checks the cache alone (no requests, no messages), for playing while the server is away. */
  async checkCached(screens: DeviceScreens): Promise<void> {
    for (const playlist of allPlaylists(screens)) {
      let present = 0;
      for (const item of playlist.media_items) {
        const verified = (await this.#cache.check(item)) === 'verified';
        this.#mark(item, verified);
        if (verified) present++;
      }
      const total = playlist.media_items.length;
      this.#statuses.set(
        playlist.id,
        present === total ? 'ready' : present > 0 ? 'partial' : 'failed',
      );
    }
  }

  async #ensure(item: MediaItem): Promise<MediaResult> {
    const result = await this.#downloader.ensure(item);
    this.#mark(item, result.outcome !== 'failed');
    this.#hooks.media(result);
    return result;
  }

  #mark(item: MediaItem, available: boolean): void {
    const name = this.#cache.fileName(item);
    if (available) this.#available.add(name);
    else this.#available.delete(name);
  }
}
