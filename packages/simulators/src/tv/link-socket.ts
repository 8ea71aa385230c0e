/**
 * The TV's control socket as its link carries it: a real `ws` connection behind the surface the
 * SDK's transport drives (handler properties, plus `ws`'s ping / pong / terminate). While the
 * link is down nothing crosses in either direction, protocol pings and pongs included (so `ws`
 * must not answer pings by itself: `autoPong: false`), frames written meanwhile are lost, and a
 * close the server made is only noticed once the link is back; a close the TV makes is local and
 * happens at once. A connection attempt while the link is down fails at once.
 */
import WebSocket from 'ws';

/** What the socket asks of its link. */
export interface SocketTap {
  up(): boolean;
  whenUp(): Promise<void>;
  /** Sees each text frame the TV writes; false keeps it from leaving the TV. */
  outgoing(text: string): boolean;
  opened(socket: LinkSocket): void;
  closed(socket: LinkSocket): void;
}

interface CloseEventLike {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

type Handler<E> = ((event: E) => void) | null;

const CLOSED = 3;
/** `ws`'s code for a connection that ended without a close frame. */
const ABNORMAL = 1006;

export class LinkSocket {
  binaryType = 'arraybuffer';
  onopen: Handler<unknown> = null;
  onclose: Handler<CloseEventLike> = null;
  onmessage: Handler<{ readonly data: unknown }> = null;
  onerror: Handler<{ readonly message: string }> = null;
  readonly #tap: SocketTap;
  readonly #ws: WebSocket | undefined;
  readonly #listeners = { ping: new Set<() => void>(), pong: new Set<() => void>() };
  readonly #gone: Promise<void>;
  /** The TV closed or terminated it: its close is local and not held back by the link. */
  #ending = false;

  constructor(tap: SocketTap, url: string, protocols?: string | string[]) {
    this.#tap = tap;
    if (!tap.up()) {
      this.#ws = undefined;
      this.#gone = Promise.resolve();
      setImmediate(() => {
        this.onerror?.({ message: `connect ENETUNREACH ${new URL(url).host}` });
        this.onclose?.({ code: ABNORMAL, reason: '', wasClean: false });
      });
      return;
    }
    const ws = new WebSocket(url, protocols, { autoPong: false });
    this.#ws = ws;
    tap.opened(this);
    this.#gone = new Promise((resolve) => ws.once('close', () => resolve()));
    ws.on('open', () => this.onopen?.({}));
    ws.on('message', (data, isBinary) => {
      if (!tap.up()) return;
      this.onmessage?.({ data: isBinary ? data : text(data) });
    });
    ws.on('ping', (data) => {
      if (!tap.up()) return;
      ws.pong(data);
      for (const listener of this.#listeners.ping) listener();
    });
    ws.on('pong', () => {
      if (!tap.up()) return;
      for (const listener of this.#listeners.pong) listener();
    });
    ws.on('error', (error) => this.onerror?.({ message: error.message }));
    ws.onclose = (event) => {
      tap.closed(this);
      const info = { code: event.code, reason: event.reason, wasClean: event.wasClean };
      if (this.#ending || tap.up()) {
        this.onclose?.(info);
        return;
      }
      // The news cannot cross a dead link; the TV hears of it when the link is back.
      tap.whenUp().then(
        () => this.onclose?.(info),
        () => undefined,
      );
    };
  }

  get readyState(): number {
    return this.#ws?.readyState ?? CLOSED;
  }

  send(data: string): void {
    if (!this.#tap.outgoing(data)) return;
    if (this.#tap.up()) this.#ws?.send(data);
  }

  close(code?: number, reason?: string): void {
    this.#ending = true;
    // Without a link the close handshake cannot happen: the TV just lets go.
    if (this.#tap.up()) this.#ws?.close(code, reason);
    else this.#ws?.terminate();
  }

  ping(): void {
    if (this.#tap.up() && this.#ws?.readyState === WebSocket.OPEN) this.#ws.ping();
  }

  terminate(): void {
    this.#ending = true;
    this.#ws?.terminate();
  }

  on(event: 'ping' | 'pong', listener: () => void): this {
    this.#listeners[event].add(listener);
    return this;
  }

  /** Terminates the connection; resolves once it is closed. */
  shutdown(): Promise<void> {
    this.terminate();
    return this.#gone;
  }
}

function text(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
}
