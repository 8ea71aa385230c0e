/**
 * The simulated TV's network link. Everything the TV exchanges with the server crosses it: REST
 * calls and downloads through `fetch`, the control socket through `WebSocket` (link-socket.ts).
 * That is where the link faults act, the way a cable or a slow line would:
 *
 * - down (`drop()` / `restore()`): new requests and connections fail at once (`ENETUNREACH`);
 *   bodies already streaming stop until the link is back (the client's stall timeout gives up on
 *   them); an open socket goes silent both ways, so only a heartbeat finds it. The TV is told,
 *   like Android's connectivity callback (`network`), so its socket waits for the link instead
 *   of burning its backoff, and reconnects as soon as it returns.
 * - slow (`pace(bytesPerSecond)`): response bodies trickle in at that rate, shared by all of the
 *   TV's transfers (the control socket's few bytes are not paced).
 */
import type { DeviceClientOptions } from '@marquee/sdk/device';
import { LinkSocket, type SocketTap } from './link-socket';

/** One HTTP exchange as the TV made it. */
export interface LinkRequest {
  /** Device clock, ms. */
  readonly at: number;
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  /** The response status; undefined when the request failed. */
  readonly status?: number;
  /** Why it failed (the link was down, the server refused the connection, ...). */
  readonly error?: string;
}

export type TvNetwork = NonNullable<Exclude<DeviceClientOptions['network'], false>>;
export type TvWebSocket = NonNullable<DeviceClientOptions['WebSocket']>;

export interface LinkOptions {
  /** What the link sits in front of. */
  readonly fetch: typeof fetch;
  /** The device clock, for log entries. */
  readonly now: () => number;
  /** Told about each HTTP exchange. */
  readonly onRequest: (request: LinkRequest) => void;
  /** Sees each text frame the TV writes to its socket; false keeps it from leaving. */
  readonly outgoing: (text: string) => boolean;
}

export class Link {
  /** For the device client's `network` option: `online` / `offline` as the link changes. */
  readonly network: TvNetwork;
  /** For the device client's `WebSocket` option. */
  readonly WebSocket: TvWebSocket;
  readonly #options: LinkOptions;
  readonly #events = new EventTarget();
  readonly #sockets = new Set<LinkSocket>();
  readonly #waiting = new Set<{ resolve: () => void; reject: (error: Error) => void }>();
  #up = true;
  #bytesPerSecond: number | undefined;
  /** When the paced link is free again (ms, real time). */
  #freeAt = 0;
  #bytes = 0;

  constructor(options: LinkOptions) {
    this.#options = options;
    this.network = { target: this.#events, isOnline: () => this.#up };
    const tap: SocketTap = {
      up: () => this.#up,
      whenUp: () => this.#whenUp(undefined),
      outgoing: (text) => options.outgoing(text),
      opened: (socket) => this.#sockets.add(socket),
      closed: (socket) => this.#sockets.delete(socket),
    };
    this.WebSocket = class extends LinkSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(tap, url, protocols);
      }
    };
  }

  get up(): boolean {
    return this.#up;
  }

  /** Response body bytes that crossed the link. */
  get bytes(): number {
    return this.#bytes;
  }

  drop(): void {
    if (!this.#up) return;
    this.#up = false;
    this.#events.dispatchEvent(new Event('offline'));
  }

  restore(): void {
    if (this.#up) return;
    this.#up = true;
    for (const waiter of this.#waiting) waiter.resolve();
    this.#waiting.clear();
    this.#events.dispatchEvent(new Event('online'));
  }

  /** Limits response bodies to `bytesPerSecond`; undefined lifts the limit. */
  pace(bytesPerSecond: number | undefined): void {
    if (bytesPerSecond !== undefined && !(bytesPerSecond > 0)) {
      throw new RangeError(`bytesPerSecond must be positive, not ${bytesPerSecond}`);
    }
    this.#bytesPerSecond = bytesPerSecond;
  }

  /** Ends every socket and every wait (the TV is switched off); resolves once all closed. */
  async shutdown(): Promise<void> {
    for (const waiter of this.#waiting) waiter.reject(new Error('The TV was switched off'));
    this.#waiting.clear();
    await Promise.all([...this.#sockets].map((socket) => socket.shutdown()));
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(
      input instanceof Request ? input.url : input instanceof URL ? input.href : input,
    );
    const signal = init?.signal ?? request?.signal ?? undefined;
    const entry = {
      method: (init?.method ?? request?.method ?? 'GET').toUpperCase(),
      path: `${url.pathname}${url.search}`,
    };
    if (!this.#up) {
      const error = unreachable(url);
      this.#options.onRequest({ at: this.#options.now(), ...entry, error: describe(error) });
      throw error;
    }
    let response: Response;
    try {
      response = await this.#options.fetch(input, init);
    } catch (error) {
      this.#options.onRequest({ at: this.#options.now(), ...entry, error: describe(error) });
      throw error;
    }
    this.#options.onRequest({ at: this.#options.now(), ...entry, status: response.status });
    if (response.body === null) return response;
    return new Response(this.#carry(response.body, signal), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };

  /** A body as it arrives over this link: held while it is down, paced while it is slow. */
  #carry(
    body: ReadableStream<Uint8Array>,
    signal: AbortSignal | undefined,
  ): ReadableStream<Uint8Array> {
    const reader = body.getReader();
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          const { done, value } = await reader.read();
          if (done) {
            controller.close();
            return;
          }
          for (const slice of slices(value, this.#sliceBytes())) {
            await this.#cross(slice.length, signal);
            this.#bytes += slice.length;
            controller.enqueue(slice);
          }
        } catch (error) {
          await reader.cancel(error).catch(() => undefined);
          throw error;
        }
      },
      cancel: (reason) => reader.cancel(reason),
    });
  }

  /** Waits until `bytes` may cross: the link is up, and a paced link had time to carry them. */
  async #cross(bytes: number, signal: AbortSignal | undefined): Promise<void> {
    while (!this.#up) await this.#whenUp(signal);
    const rate = this.#bytesPerSecond;
    if (rate === undefined) return;
    const now = Date.now();
    this.#freeAt = Math.max(now, this.#freeAt) + (bytes * 1000) / rate;
    await sleep(this.#freeAt - now, signal);
  }

  /** A paced link hands bytes on in slices of about 50 ms, so the pace holds within a chunk. */
  #sliceBytes(): number {
    const rate = this.#bytesPerSecond;
    return rate === undefined ? Infinity : Math.max(1, Math.floor(rate / 20));
  }

  #whenUp(signal: AbortSignal | undefined): Promise<void> {
    if (this.#up) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', abort);
          resolve();
        },
        reject: (error: Error) => {
          signal?.removeEventListener('abort', abort);
          reject(error);
        },
      };
      const abort = () => {
        this.#waiting.delete(waiter);
        reject(abortReason(signal));
      };
      signal?.addEventListener('abort', abort, { once: true });
      this.#waiting.add(waiter);
    });
  }
}

function* slices(chunk: Uint8Array, size: number): Generator<Uint8Array> {
  if (chunk.length <= size) {
    yield chunk;
    return;
  }
  for (let offset = 0; offset < chunk.length; offset += size) {
    yield chunk.subarray(offset, offset + size);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const abort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('The request was aborted');
}

/** What Node's fetch throws when the host has no route: a TypeError with the socket error. */
function unreachable(url: URL): TypeError {
  const cause = Object.assign(new Error(`connect ENETUNREACH ${url.host}`), {
    code: 'ENETUNREACH',
  });
  return new TypeError('fetch failed', { cause });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}
