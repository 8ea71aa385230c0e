/**
 * The media cache: the Cache API, one entry per file under a synthetic same-origin URL
 * (`/__marquee_media__/{media_id}_{media_name}`), with the MD5 it was verified against recorded in
 * a header. A download is fetched with the device's bearer token, hashed with spark-md5 and
 * stored only when the hash equals the item's checksum; a mismatch is fetched once more, then
 * reported failed (the playlist is then `partial`). A full quota fails the item with
 * "Storage full". Files are handed to the renderer as blob: URLs.
 *
 * Not done: Range resume of an interrupted transfer (a failed download starts over).
 */
import { cacheKey, md5Hex, staleKeys, verified } from './cache-policy';
import type { MediaItem } from './types';

export const CACHE_NAME = 'marquee-tv-media-v1';
const PREFIX = '/__marquee_media__/';
const MD5_HEADER = 'x-marquee-md5';

export interface MediaStoreOptions {
  /** The server's origin, for relative media URLs. */
  readonly server: string;
  /** The current access token. */
  readonly token: () => Promise<string>;
  /** The token after a 401 (refreshed). */
  readonly refresh: (stale: string) => Promise<string>;
  readonly fetch?: typeof fetch;
}

export type MediaOutcome = 'cached' | 'downloaded' | 'failed';

export interface StoredMedia {
  readonly item: MediaItem;
  readonly outcome: MediaOutcome;
  readonly requests: number;
  readonly error?: string;
}

export class MediaStore {
  readonly #options: MediaStoreOptions;
  readonly #fetch: typeof fetch;
  /** Keys verified in this page's life, with the checksum they were verified against. */
  readonly #verified = new Map<string, string>();

  constructor(options: MediaStoreOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  #request(key: string): Request {
    return new Request(new URL(PREFIX + encodeURIComponent(key), location.origin).toString());
  }

  #open(): Promise<Cache> {
    return caches.open(CACHE_NAME);
  }

  /** Whether the item's file is cached and was verified against its current checksum. */
  isAvailable(item: MediaItem): boolean {
    const checksum = this.#verified.get(cacheKey(item));
    return checksum !== undefined && verified(checksum, item.checksum);
  }

  /** Makes the item's verified file available: from the cache, else downloaded. Never throws. */
  async ensure(item: MediaItem): Promise<StoredMedia> {
    const key = cacheKey(item);
    try {
      const cache = await this.#open();
      const hit = await cache.match(this.#request(key));
      if (hit && verified(hit.headers.get(MD5_HEADER), item.checksum)) {
        this.#verified.set(key, item.checksum.toLowerCase());
        return { item, outcome: 'cached', requests: 0 };
      }
      let requests = 0;
      let lastError = 'Download failed';
      for (let attempt = 0; attempt < 2; attempt++) {
        requests++;
        const bytes = await this.#download(item);
        const md5 = md5Hex(bytes);
        if (verified(md5, item.checksum)) {
          await cache.put(
            this.#request(key),
            new Response(bytes, {
              headers: {
                'content-type': item.mimetype,
                [MD5_HEADER]: md5,
                'content-length': String(bytes.byteLength),
              },
            }),
          );
          this.#verified.set(key, md5);
          return { item, outcome: 'downloaded', requests };
        }
        lastError = `Checksum mismatch for ${item.media_name}: got ${md5}, expected ${item.checksum}`;
      }
      this.#verified.delete(key);
      return { item, outcome: 'failed', requests, error: lastError };
    } catch (error) {
      this.#verified.delete(key);
      const quota = error instanceof DOMException && error.name === 'QuotaExceededError';
      const message = quota
        ? 'Storage full'
        : error instanceof Error
          ? error.message
          : String(error);
      return { item, outcome: 'failed', requests: 1, error: message };
    }
  }

  async #download(item: MediaItem): Promise<ArrayBuffer> {
    const url = new URL(item.media_url, `${this.#options.server}/`).toString();
    let token = await this.#options.token();
    let response = await this.#get(url, token);
    if (response.status === 401) {
      token = await this.#options.refresh(token);
      response = await this.#get(url, token);
    }
    if (!response.ok) throw new Error(`GET ${item.media_url} answered ${response.status}`);
    return response.arrayBuffer();
  }

  #get(url: string, token: string): Promise<Response> {
    return this.#fetch(url, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
  }

  /** A blob: URL of the item's cached file; the caller revokes it. */
  async objectUrl(item: MediaItem): Promise<string | undefined> {
    const hit = await (await this.#open()).match(this.#request(cacheKey(item)));
    if (!hit) return undefined;
    return URL.createObjectURL(await hit.blob());
  }

  /** Deletes cached files no key in `wanted` names; returns the keys deleted. */
  async evict(wanted: ReadonlyMap<string, unknown>): Promise<string[]> {
    const cache = await this.#open();
    const entries = await cache.keys();
    const byKey = new Map(
      entries.map((request) => [
        decodeURIComponent(new URL(request.url).pathname.slice(PREFIX.length)),
        request,
      ]),
    );
    const stale = staleKeys(byKey.keys(), wanted);
    for (const key of stale) {
      const request = byKey.get(key);
      if (request) await cache.delete(request);
      this.#verified.delete(key);
    }
    return stale;
  }

  /** Bytes the cache holds (by the stored lengths). */
  async size(): Promise<number> {
    return (await this.usage()).bytes;
  }

  /** Files the cache holds and their bytes (by the stored lengths). */
  async usage(): Promise<{ bytes: number; files: number }> {
    const cache = await this.#open();
    let bytes = 0;
    const keys = await cache.keys();
    for (const request of keys) {
      const hit = await cache.match(request);
      bytes += Number(hit?.headers.get('content-length') ?? 0);
    }
    return { bytes, files: keys.length };
  }
}
