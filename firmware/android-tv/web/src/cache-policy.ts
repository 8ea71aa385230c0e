/**
 * Which media files the player keeps, as pure decisions over names: an item's cache key is the
 * seed's local file name (`{media_id}_{media_name}`); the files to keep are those of every
 * playlist the device is assigned (any screen, not only the current playlist, so a
 * `switch_playlist` needs no download); everything else in the cache is stale and evicted after a
 * successful playlists fetch. A cached file counts as verified only when the MD5 recorded when it
 * was stored equals the item's `checksum` now (a changed file on the server has a new checksum,
 * so the old copy is fetched again).
 */
import SparkMD5 from 'spark-md5';
import type { DeviceScreens, MediaItem } from './types';

/** The cache key of an item's file. */
export function cacheKey(item: Pick<MediaItem, 'media_id' | 'media_name'>): string {
  return `${item.media_id}_${item.media_name}`;
}

const SCREENS = ['front_screen', 'back_screen', 'right_screen', 'left_screen'] as const;

/** Every item of every assigned playlist, by cache key (the first one seen for a key). */
export function wantedFiles(screens: DeviceScreens): Map<string, MediaItem> {
  const wanted = new Map<string, MediaItem>();
  for (const key of SCREENS) {
    for (const playlist of screens[key]?.playlists ?? []) {
      for (const item of playlist.media_items) {
        const name = cacheKey(item);
        if (!wanted.has(name)) wanted.set(name, item);
      }
    }
  }
  return wanted;
}

/** Cached keys no assigned playlist uses any more. */
export function staleKeys(
  cached: Iterable<string>,
  wanted: ReadonlyMap<string, unknown>,
): string[] {
  return [...cached].filter((key) => !wanted.has(key));
}

/** MD5 of bytes as lowercase hex (spark-md5, incremental over 2 MiB chunks). */
export function md5Hex(bytes: ArrayBuffer): string {
  const spark = new SparkMD5.ArrayBuffer();
  const chunk = 2 * 1024 * 1024;
  for (let at = 0; at < bytes.byteLength; at += chunk) {
    spark.append(bytes.slice(at, Math.min(at + chunk, bytes.byteLength)));
  }
  return spark.end();
}

/** Whether a stored file's recorded MD5 matches the item's checksum (case-insensitive). */
export function verified(storedMd5: string | null | undefined, checksum: string): boolean {
  return (
    typeof storedMd5 === 'string' &&
    storedMd5.length === 32 &&
    storedMd5.toLowerCase() === checksum.toLowerCase()
  );
}
