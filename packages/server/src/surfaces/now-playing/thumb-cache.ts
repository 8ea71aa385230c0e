/**
 * The on-disk thumbnail cache (`<dataDir>/cache/thumbs/<key>.jpg`). A key names one rendering of
 * one version of one file: real path, mtime, size and the box, plus a render version bumped when
 * the encoder settings change. A changed poster gets a new key, so entries never need
 * invalidating; the key doubles as the strong ETag. Writes go to a temporary file and are renamed
 * into place, so a reader never sees half a JPEG.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Bump when the rendering changes (size rules, quality, encoder flags). */
const RENDER_VERSION = 1;

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

export class ThumbCache {
  readonly dir: string;
  #ready: Promise<unknown> | undefined;

  constructor(dir: string) {
    this.dir = dir;
  }

  pathOf(key: string): string {
    return join(this.dir, `${key}.jpg`);
  }

  /** The cached thumbnail, or undefined when there is none (or it cannot be read). */
  async read(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch {
      return undefined;
    }
  }

  async write(key: string, data: Uint8Array): Promise<void> {
    // A failed mkdir is retried by the next write rather than remembered.
    this.#ready ??= mkdir(this.dir, { recursive: true }).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    await this.#ready;
    const temp = join(this.dir, `.${key}.${randomUUID()}.tmp`);
    try {
      await writeFile(temp, data);
      await rename(temp, this.pathOf(key));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}
