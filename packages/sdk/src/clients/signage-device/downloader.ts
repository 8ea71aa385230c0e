/**
 * Downloads one media item into the cache (Node only), as seed 002's Best Practices ask: a file
 * already cached with the right MD5 is not fetched again; a missing or corrupt one is.
 *
 * - Resume: bytes land in `{file}.part`. When a transfer breaks off (network error, stalled
 *   body, 5xx), the next attempt asks for `Range: bytes=N-` with `If-Range` set to the ETag (or
 *   Last-Modified) the part was started with. 206 appends; 200 means the server sent the whole
 *   file instead (it changed, or ignores ranges), so the part starts over; 416 means the part
 *   already holds the whole file, which verification then judges.
 * - Verification: a finished part must be non-empty and match the item's MD5. A rejected file is
 *   deleted and downloaded once more from scratch; a second rejection fails the item.
 * - Auth: the Bearer token goes only to the server's own origin (an absolute `media_url` on a CDN
 *   gets no token), and a 401 refreshes the token once and retries.
 * - Storage: the part file is opened through `openFile` (the client's `openDownloadFile`), so a
 *   simulator can make writes fail like a full disk or damage what lands on it.
 */
import { open } from 'node:fs/promises';
import { MarqueeError, toMarqueeError } from '../../errors';
import type { MediaItem } from '../../protocol/signage/media';
import { signageErrorShape } from '../../protocol/signage/errors';
import type { AuthProvider } from '../../transport/http-client';
import { errorFromResponse } from '../../transport/http-errors';
import type { MediaCache } from './media-cache';

/** What happened to one media item. */
export interface MediaResult {
  readonly item: MediaItem;
  /** The cached file (it exists unless `outcome` is `failed`). */
  readonly path: string;
  /**
   * - `cached`: already present and verified; nothing was fetched
   * - `downloaded`: fetched (possibly resumed) and verified
   * - `failed`: not available; `error` says why
   */
  readonly outcome: 'cached' | 'downloaded' | 'failed';
  /** GET requests made for this item (0 when cached). */
  readonly requests: number;
  /** Whether a transfer continued an interrupted one with a Range request. */
  readonly resumed: boolean;
  readonly error?: MarqueeError;
}

/**
 * The file a transfer writes to (the item's `.part` in the cache); a `FileHandle` of
 * `node:fs/promises` is one.
 */
export interface DownloadFile {
  write(data: Uint8Array): Promise<unknown>;
  close(): Promise<void>;
}

/** Opens a download's file: `'w'` from the start, `'a'` to append to an interrupted one. */
export type OpenDownloadFile = (path: string, flags: 'w' | 'a') => Promise<DownloadFile>;

export interface DownloaderOptions {
  readonly cache: MediaCache;
  /** The server, for relative `media_url`s and to decide where the token may go. */
  readonly baseUrl: string;
  readonly fetch: typeof fetch;
  readonly auth: AuthProvider;
  /** Transfers retried (each resuming) after a network error, a stall or a 5xx. */
  readonly retries: number;
  /** Wait before retry n is `retryDelayMs * n`. */
  readonly retryDelayMs: number;
  /** Abandon a transfer when no byte arrived for this long. */
  readonly stallTimeoutMs: number;
  /** Aborted when the client closes. */
  readonly signal: AbortSignal;
  /** @default `open` of `node:fs/promises` */
  readonly openFile?: OpenDownloadFile;
}

interface Transfer {
  requests: number;
  resumed: boolean;
}

export class MediaDownloader {
  readonly #options: DownloaderOptions;
  readonly #origin: string;
  readonly #base: string;

  constructor(options: DownloaderOptions) {
    this.#options = options;
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#origin = new URL(options.baseUrl).origin;
  }

  /** The absolute URL of an item's file: absolute URLs as they are, paths under the server. */
  resolve(mediaUrl: string): string {
    if (/^[a-z][a-z0-9+.-]*:/i.test(mediaUrl)) return mediaUrl;
    if (mediaUrl.startsWith('/')) return `${this.#base}${mediaUrl}`;
    return new URL(mediaUrl, `${this.#base}/`).toString();
  }

  /** Makes sure the item's file is cached and verified; never throws. */
  async ensure(item: MediaItem): Promise<MediaResult> {
    const { cache } = this.#options;
    const path = cache.pathOf(item);
    const transfer: Transfer = { requests: 0, resumed: false };
    const result = (outcome: MediaResult['outcome'], error?: MarqueeError): MediaResult => ({
      item,
      path,
      outcome,
      requests: transfer.requests,
      resumed: transfer.resumed,
      ...(error ? { error } : {}),
    });
    try {
      const cached = await cache.check(item);
      if (cached === 'verified') return result('cached');
      if (cached !== 'missing') await cache.remove(item);
      let rejected: MarqueeError | undefined;
      // One download, and one more when the first file is rejected.
      for (let pass = 0; pass < 2; pass++) {
        await this.#transfer(item, transfer);
        const check = await cache.checkPart(item);
        if (check === 'verified') {
          await cache.commitPart(item);
          return result('downloaded');
        }
        await cache.removePart(item);
        rejected = new MarqueeError(
          'INVALID_MESSAGE',
          check === 'empty'
            ? `${item.media_name}: the server sent an empty file`
            : `${item.media_name}: checksum mismatch (expected MD5 ${item.checksum})`,
        );
      }
      return result('failed', rejected);
    } catch (error) {
      return result('failed', toMarqueeError(error));
    }
  }

  /** Fetches the item into its `.part` file, resuming across retryable failures. */
  async #transfer(item: MediaItem, transfer: Transfer): Promise<void> {
    for (let retry = 0; ; retry++) {
      try {
        await this.#fetchOnce(item, transfer);
        return;
      } catch (error) {
        const failure = toMarqueeError(error);
        if (this.#options.signal.aborted || retry >= this.#options.retries) throw failure;
        if (!retryable(failure)) throw failure;
        await sleep(this.#options.retryDelayMs * (retry + 1), this.#options.signal);
      }
    }
  }

  async #fetchOnce(item: MediaItem, transfer: Transfer): Promise<void> {
    const { cache } = this.#options;
    const url = this.resolve(item.media_url);
    let offset = await cache.partSize(item);
    const info = offset > 0 ? await cache.readPartInfo(item) : undefined;
    if (offset > 0 && (info?.url !== url || info.checksum !== item.checksum)) {
      // A part of another file (the item changed since): it cannot be continued.
      await cache.removePart(item);
      offset = 0;
    }
    // The part already holds every byte the item announces: verification decides.
    if (offset > 0 && item.file_size > 0 && offset >= item.file_size) return;

    const headers: Record<string, string> = {};
    if (offset > 0) {
      headers.range = `bytes=${offset}-`;
      const validator = info?.etag ?? info?.lastModified;
      if (validator !== undefined) headers['if-range'] = validator;
    }
    const stall = new AbortController();
    const signal = AbortSignal.any([this.#options.signal, stall.signal]);
    let timer = setTimeout(() => stall.abort(), this.#options.stallTimeoutMs);
    const alive = () => {
      clearTimeout(timer);
      timer = setTimeout(() => stall.abort(), this.#options.stallTimeoutMs);
    };
    try {
      const response = await this.#get(url, headers, signal, transfer);
      alive();
      if (response.status === 416 && offset > 0) {
        await response.body?.cancel();
        return;
      }
      let append = false;
      if (response.status === 206 && offset > 0) {
        if (rangeStart(response.headers.get('content-range')) !== offset) {
          await response.body?.cancel();
          await cache.removePart(item);
          throw new MarqueeError('NETWORK', `${item.media_name}: the server resumed elsewhere`);
        }
        append = true;
        transfer.resumed = true;
      } else if (response.status !== 200) {
        throw errorFromResponse(response.status, await readError(response), signageErrorShape);
      } else {
        await cache.writePartInfo(item, {
          url,
          checksum: item.checksum,
          ...optional('etag', response.headers.get('etag')),
          ...optional('lastModified', response.headers.get('last-modified')),
        });
      }
      const file = await storage(item, () =>
        (this.#options.openFile ?? open)(cache.partPathOf(item), append ? 'a' : 'w'),
      );
      await writeBody(item, response, file, alive);
    } catch (error) {
      if (stall.signal.aborted && !this.#options.signal.aborted) {
        throw new MarqueeError(
          'TIMEOUT',
          `${item.media_name}: no data for ${this.#options.stallTimeoutMs} ms`,
          { cause: error },
        );
      }
      if (error instanceof MarqueeError) throw error;
      throw new MarqueeError('NETWORK', `${item.media_name}: ${describe(error)}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** GET with the token (own origin only), refreshing it once after a 401. */
  async #get(
    url: string,
    headers: Record<string, string>,
    signal: AbortSignal,
    transfer: Transfer,
  ): Promise<Response> {
    const withAuth = new URL(url).origin === this.#origin;
    const attempt = async (): Promise<{ response: Response; token: string | undefined }> => {
      const token = withAuth ? await this.#options.auth.getAccessToken() : undefined;
      transfer.requests++;
      const response = await this.#options.fetch(url, {
        headers: token === undefined ? headers : { ...headers, authorization: `Bearer ${token}` },
        signal,
      });
      return { response, token };
    };
    const first = await attempt();
    if (first.response.status !== 401 || !withAuth) return first.response;
    await first.response.body?.cancel();
    await this.#options.auth.refresh(first.token);
    return (await attempt()).response;
  }
}

/** Streams the body into the part file, calling `alive` for every chunk (the stall timer). */
async function writeBody(
  item: MediaItem,
  response: Response,
  file: DownloadFile,
  alive: () => void,
): Promise<void> {
  try {
    const body = response.body;
    if (!body) return;
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      alive();
      await storage(item, () => file.write(value));
    }
  } finally {
    await file.close().catch(() => undefined);
  }
}

/**
 * A failure of the device's own storage (ENOSPC, EACCES ...): a STORAGE error, which another
 * attempt would not cure, so the item fails at once instead of being fetched again.
 */
async function storage<T>(item: MediaItem, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new MarqueeError('STORAGE', `${item.media_name}: ${describe(error)}`, { cause: error });
  }
}

/** Network errors, stalls and server-side failures are worth another (resuming) attempt. */
function retryable(error: MarqueeError): boolean {
  return error.code === 'NETWORK' || error.code === 'TIMEOUT' || error.status >= 500;
}

/** The first byte position of `Content-Range: bytes 100-199/200`. */
function rangeStart(header: string | null): number | undefined {
  const match = /^bytes\s+(\d+)-\d+\/(?:\d+|\*)$/i.exec(header?.trim() ?? '');
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

async function readError(response: Response): Promise<unknown> {
  try {
    const text = await response.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  } catch {
    return undefined;
  }
}

function optional<K extends string>(key: K, value: string | null): Partial<Record<K, string>> {
  return value === null ? {} : ({ [key]: value } as Record<K, string>);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
