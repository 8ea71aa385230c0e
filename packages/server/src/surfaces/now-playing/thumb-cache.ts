/**
 * The on-disk thumbnail cache (`<dataDir>/cache/thumbs/<key>.jpg`), bounded in bytes. A key names
 * one rendering of one version of one file: real path, mtime, size and the box, plus a render
 * version bumped when the encoder settings change. A changed poster gets a new key, so entries
 * never need invalidating; the key doubles as the strong ETag. Writes go to a temporary file and
 * are renamed into place, so a reader never sees half a JPEG.
 *
 * Bound: the cache holds at most `maxBytes`; to make room for a new thumbnail the least recently
 * used ones are deleted first, so the folder never holds more. Recency is each file's mtime, set
 * on write and on a hit (at most once a minute per file), so the order survives a restart: the
 * index is rebuilt from the folder on first use, and leftover temporary files are removed.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Bump when the rendering changes (size rules, quality, encoder flags). */
const RENDER_VERSION = 1;

/** A hit refreshes its file's mtime at most this often; the order in memory is always exact. */
const TOUCH_INTERVAL_MS = 60_000;

const ENTRY = /^[0-9a-f]{64}\.jpg$/;
const TEMPORARY = /^\..*\.tmp$/;

export interface ThumbKeyParts {
  readonly realPath: string;
  readonly mtimeMs: number;
  readonly size: number;
  readonly width: number;
  readonly height: number;
}

export function thumbKey(parts: ThumbKeyParts): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        RENDER_VERSION,
        parts.realPath,
        parts.mtimeMs,
        parts.size,
        parts.width,
        parts.height,
      ]),
    )
    .digest('hex');
}

/** The strong ETag of a cache key. */
export function etagOf(key: string): string {
  return `"${key}"`;
}

/** True when an If-None-Match header names `etag` (weak or strong) or is `*`. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}

export interface ThumbCacheOptions {
  readonly dir: string;
  /** Most bytes the cached files may take together; 0 caches nothing. */
  readonly maxBytes: number;
  /** Unix ms clock, for recency. @default Date.now */
  readonly now?: () => number;
}

interface Entry {
  readonly size: number;
  /** When its file's mtime was last set. */
  touchedAt: number;
}

export class ThumbCache {
  readonly dir: string;
  readonly maxBytes: number;
  readonly #now: () => number;
  /** Least recently used first. */
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;
  #loaded: Promise<void> | undefined;
  /** The last write queued; the next one starts after it. */
  #writing: Promise<unknown> = Promise.resolve();

  constructor(options: ThumbCacheOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.#now = options.now ?? Date.now;
  }

  /** Bytes the cached files take. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Cached thumbnails. */
  get size(): number {
    return this.#entries.size;
  }

  pathOf(key: string): string {
    return join(this.dir, `${key}.jpg`);
  }

  /** Rebuilds the index from the folder (once; every other method waits for it). */
  load(): Promise<void> {
    // A failed load is retried by the next call rather than remembered.
    this.#loaded ??= this.#load().catch((error: unknown) => {
      this.#loaded = undefined;
      throw error;
    });
    return this.#loaded;
  }

  async #load(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const found: Array<{ key: string; size: number; mtimeMs: number }> = [];
    for (const name of await readdir(this.dir)) {
      const path = join(this.dir, name);
      if (TEMPORARY.test(name)) {
        await rm(path, { force: true });
        continue;
      }
      if (!ENTRY.test(name)) continue;
      const stats = await stat(path).catch(() => undefined);
      if (stats?.isFile())
        found.push({ key: name.slice(0, -4), size: stats.size, mtimeMs: stats.mtimeMs });
    }
    found.sort((a, b) => a.mtimeMs - b.mtimeMs || a.key.localeCompare(b.key));
    for (const { key, size, mtimeMs } of found) {
      this.#entries.set(key, { size, touchedAt: mtimeMs });
      this.#bytes += size;
    }
    // The bound may have been lowered since the last run.
    await this.#evict(0);
  }

  /** The cached thumbnail, or undefined when there is none (or it cannot be read). */
  async read(key: string): Promise<Buffer | undefined> {
    await this.load();
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    let data: Buffer;
    try {
      data = await readFile(this.pathOf(key));
    } catch {
      // Deleted behind our back (or evicted meanwhile): forget it.
      if (this.#entries.get(key) === entry) this.#forget(key, entry);
      return undefined;
    }
    if (this.#entries.get(key) === entry) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      const now = this.#now();
      if (now - entry.touchedAt >= TOUCH_INTERVAL_MS) {
        entry.touchedAt = now;
        // Best effort: a lost touch only makes the entry look older after a restart.
        const time = new Date(now);
        await utimes(this.pathOf(key), time, time).catch(() => undefined);
      }
    }
    return data;
  }

  /**
   * Stores a thumbnail, first deleting the least recently used ones it needs room for. Writes run
   * one at a time (there are as few as renders), so room made for one is never taken by another.
   */
  write(key: string, data: Uint8Array): Promise<void> {
    const written = this.#writing.then(() => this.#write(key, data));
    this.#writing = written.catch(() => undefined);
    return written;
  }

  async #write(key: string, data: Uint8Array): Promise<void> {
    await this.load();
    // Larger than the whole cache: served, never stored.
    if (data.length > this.maxBytes) return;
    const old = this.#entries.get(key);
    if (old) this.#forget(key, old);
    await this.#evict(data.length);
    const temp = join(this.dir, `.${key}.${randomUUID()}.tmp`);
    const touchedAt = this.#now();
    try {
      await writeFile(temp, data);
      // Stamped before the rename (which keeps it), so the file never shows another mtime.
      await utimes(temp, new Date(touchedAt), new Date(touchedAt));
      await rename(temp, this.pathOf(key));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    this.#entries.set(key, { size: data.length, touchedAt });
    this.#bytes += data.length;
  }

  /**
   * Gives disk back when it runs low (core/storage.ts): deletes least recently used thumbnails
   * until `wanted` bytes are freed or none are left; resolves with the bytes freed. Queued with
   * the writes, so a write in progress does not take the room back.
   */
  giveBack(wanted: number): Promise<number> {
    const freed = this.#writing.then(async () => {
      await this.load();
      const before = this.#bytes;
      await this.#evict(this.maxBytes - before + wanted);
      return before - this.#bytes;
    });
    this.#writing = freed.catch(() => undefined);
    return freed;
  }

  /** Deletes least recently used entries until `incoming` more bytes fit. */
  async #evict(incoming: number): Promise<void> {
    const victims: string[] = [];
    for (const [key, entry] of this.#entries) {
      if (this.#bytes + incoming <= this.maxBytes) break;
      this.#forget(key, entry);
      victims.push(key);
    }
    await Promise.all(victims.map((key) => rm(this.pathOf(key), { force: true })));
  }

  #forget(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.size;
  }
}
