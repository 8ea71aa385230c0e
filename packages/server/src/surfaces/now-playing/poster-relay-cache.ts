/**
 * The relayed media-server posters, kept in memory so that ten panels showing one film cost Plex
 * one fetch, not ten a minute. A key names one version of one poster (the media server's own path,
 * which for Plex and Jellyfin carries the image's version or tag), so a changed poster is a new
 * key and entries never need invalidating; they still expire after `ttlMs`, so a poster the media
 * server replaced under the same path is seen again within that time.
 *
 * Bound: at most `maxBytes` in all; to make room the least recently used entries go first (a Map
 * keeps insertion order; a hit moves its entry to the end). An entry over `maxBytes / 4` is not
 * kept at all, so one huge poster cannot flush the rest.
 */
import { createHash } from 'node:crypto';

export interface CachedPoster {
  readonly bytes: Buffer;
  readonly type: string;
  /** Strong ETag of the bytes. */
  readonly etag: string;
}

interface Entry extends CachedPoster {
  readonly expiresAt: number;
}

export interface PosterRelayCacheOptions {
  /** @default 16 MiB */
  readonly maxBytes?: number;
  /** @default 10 minutes */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

export class PosterRelayCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxBytes: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #bytes = 0;
  #hits = 0;
  #misses = 0;

  constructor(options: PosterRelayCacheOptions = {}) {
    this.#maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.#ttlMs = options.ttlMs ?? 10 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** The poster under `key` while fresh; a hit makes it the most recently used. */
  get(key: string): CachedPoster | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.expiresAt <= this.#now()) {
      if (entry !== undefined) this.#delete(key, entry);
      this.#misses += 1;
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#hits += 1;
    return entry;
  }

  /** Keeps `bytes` under `key` (unless too large to keep), evicting the least recently used. */
  set(key: string, bytes: Buffer, type: string): CachedPoster {
    const etag = `"${createHash('sha256').update(bytes).digest('base64url')}"`;
    const poster: CachedPoster = { bytes, type, etag };
    const old = this.#entries.get(key);
    if (old !== undefined) this.#delete(key, old);
    if (bytes.byteLength > this.#maxBytes / 4) return poster;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes + bytes.byteLength <= this.#maxBytes) break;
      this.#delete(oldest, entry);
    }
    this.#entries.set(key, { ...poster, expiresAt: this.#now() + this.#ttlMs });
    this.#bytes += bytes.byteLength;
    return poster;
  }

  get stats(): { entries: number; bytes: number; hits: number; misses: number } {
    return {
      entries: this.#entries.size,
      bytes: this.#bytes,
      hits: this.#hits,
      misses: this.#misses,
    };
  }

  #delete(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.bytes.byteLength;
  }
}
