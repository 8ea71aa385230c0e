/**
 * The device's cache directory (Node only): media files named `{media_id}_{media_name}` as the
 * seed prescribes, a `.part` file plus a small `.part.json` (the validator it was started with)
 * for each interrupted download, and the last playlists answer in `device-screens.json` so the
 * device can play while the server is away.
 *
 * Verification hashes a file once per content: the digest is remembered with the file's size
 * and mtime, so a reload does not read every video again.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { safeParse } from 'zod/v4/core';
import type { MediaItem } from '../../protocol/signage/media';
import { DeviceScreens } from '../../protocol/signage/playlist';
import { md5File } from './md5';

/** Where the last playlists answer is kept, beside the media. */
export const SCREENS_FILE = 'device-screens.json';

/** How a cached file compares with its media item. */
export type CacheCheck = 'verified' | 'missing' | 'empty' | 'mismatch';

/** The validator an interrupted download was started with, so a resume asks for the same file. */
export interface PartInfo {
  readonly url: string;
  readonly checksum: string;
  readonly etag?: string;
  readonly lastModified?: string;
}

interface Verified {
  readonly checksum: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export class MediaCache {
  readonly dir: string;
  readonly #verified = new Map<string, Verified>();

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Creates the directory when it does not exist. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /**
   * `{media_id}_{media_name}`, with path separators and NUL replaced so a name from the server
   * can never leave the cache directory (the id prefix already rules out `.` and `..`).
   */
  fileName(item: Pick<MediaItem, 'media_id' | 'media_name'>): string {
    return `${item.media_id}_${item.media_name.replace(/[/\\\0]/g, '_')}`;
  }

  pathOf(item: Pick<MediaItem, 'media_id' | 'media_name'>): string {
    return join(this.dir, this.fileName(item));
  }

  partPathOf(item: Pick<MediaItem, 'media_id' | 'media_name'>): string {
    return `${this.pathOf(item)}.part`;
  }

  /** Whether the cached file exists, is not empty and has the item's MD5. */
  async check(item: MediaItem): Promise<CacheCheck> {
    return this.#checkFile(this.pathOf(item), item.checksum);
  }

  /** Checks a finished `.part` file the same way, remembering the digest for its final name. */
  async checkPart(item: MediaItem): Promise<CacheCheck> {
    return this.#checkFile(this.partPathOf(item), item.checksum);
  }

  /** Moves a verified `.part` into place and drops its validator file. */
  async commitPart(item: MediaItem): Promise<void> {
    const path = this.pathOf(item);
    await rename(this.partPathOf(item), path);
    await rm(`${this.partPathOf(item)}.json`, { force: true });
    const info = await stat(path);
    this.#verified.set(path, { checksum: item.checksum, size: info.size, mtimeMs: info.mtimeMs });
  }

  /** Size of the `.part` file, 0 when there is none. */
  async partSize(item: MediaItem): Promise<number> {
    try {
      return (await stat(this.partPathOf(item))).size;
    } catch {
      return 0;
    }
  }

  async readPartInfo(item: MediaItem): Promise<PartInfo | undefined> {
    try {
      const parsed: unknown = JSON.parse(await readFile(`${this.partPathOf(item)}.json`, 'utf8'));
      return isPartInfo(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  async writePartInfo(item: MediaItem, info: PartInfo): Promise<void> {
    await writeFile(`${this.partPathOf(item)}.json`, JSON.stringify(info));
  }

  /** Deletes an interrupted download and its validator. */
  async removePart(item: MediaItem): Promise<void> {
    await rm(this.partPathOf(item), { force: true });
    await rm(`${this.partPathOf(item)}.json`, { force: true });
  }

  /** Deletes a cached file that failed verification. */
  async remove(item: MediaItem): Promise<void> {
    const path = this.pathOf(item);
    this.#verified.delete(path);
    await rm(path, { force: true });
  }

  /** Stores the last playlists answer (write then rename, so a crash leaves the old one). */
  async saveScreens(screens: DeviceScreens): Promise<void> {
    const path = join(this.dir, SCREENS_FILE);
    await writeFile(`${path}.tmp`, JSON.stringify(screens));
    await rename(`${path}.tmp`, path);
  }

  /** The stored playlists answer; undefined when there is none or it no longer parses. */
  async loadScreens(): Promise<DeviceScreens | undefined> {
    let text: string;
    try {
      text = await readFile(join(this.dir, SCREENS_FILE), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const parsed = safeParse(DeviceScreens, JSON.parse(text));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async #checkFile(path: string, checksum: string): Promise<CacheCheck> {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch {
      return 'missing';
    }
    if (!info.isFile()) return 'missing';
    if (info.size === 0) return 'empty';
    const known = this.#verified.get(path);
    const wanted = checksum.toLowerCase();
    if (known && known.size === info.size && known.mtimeMs === info.mtimeMs) {
      return known.checksum.toLowerCase() === wanted ? 'verified' : 'mismatch';
    }
    const digest = await md5File(path);
    this.#verified.set(path, { checksum: digest, size: info.size, mtimeMs: info.mtimeMs });
    return digest === wanted ? 'verified' : 'mismatch';
  }
}

function isPartInfo(value: unknown): value is PartInfo {
  if (typeof value !== 'object' || value === null) return false;
  const { url, checksum, etag, lastModified } = value as Record<string, unknown>;
  return (
    typeof url === 'string' &&
    typeof checksum === 'string' &&
    (etag === undefined || typeof etag === 'string') &&
    (lastModified === undefined || typeof lastModified === 'string')
  );
}
