/**
 * A push connection to an upstream's WebSocket (Plex's notification socket, Jellyfin's `/socket`):
 * connects when started, hands every text frame to `onMessage`, and reconnects after a refusal or
 * a drop with a backoff that doubles from `minBackoffMs` up to `maxBackoffMs` and starts over once
 * a connection has stayed open. It never throws at its caller: while it is down the upstream's
 * poller (which keeps polling at its interval) is the only feed, which is the fallback.
 *
 * `onOpen` runs after every (re)connection: the caller subscribes there (Jellyfin's
 * `SessionsStart`) and catches up on what it missed while disconnected (a poll).
 */
import WebSocket, { type RawData } from 'ws';

export interface PushSocketOptions {
  /** The upstream's name, in logs. */
  readonly name: string;
  /** `ws://` or `wss://` URL of the socket (credentials in it only where the upstream wants them). */
  readonly url: string;
  /** Headers of the upgrade request (credentials). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Every text frame. A throw is reported through `onError`, the socket stays. */
  readonly onMessage: (text: string, send: (text: string) => void) => void;
  /** After each successful (re)connection. */
  readonly onOpen?: (send: (text: string) => void) => void;
  /** A refusal, a drop or a listener's throw (for the log). */
  readonly onError?: (reason: string) => void;
  /** @default 1000 */
  readonly minBackoffMs?: number;
  /** @default 30000 */
  readonly maxBackoffMs?: number;
  /** Limit for the opening handshake. @default 10000 */
  readonly handshakeTimeoutMs?: number;
}

export interface PushSocketState {
  readonly connected: boolean;
  /** Connections opened since start. */
  readonly opened: number;
  /** Refused or dropped connections since start. */
  readonly failures: number;
  /** Why the last connection failed or closed. */
  readonly lastError: string | undefined;
  /** When the next attempt is due (unix ms), while waiting to reconnect. */
  readonly retryAt: number | undefined;
}

export interface PushSocket {
  state(): PushSocketState;
  /** Closes the connection for good; no reconnection follows. */
  stop(): void;
}

/** The wait before reconnection attempt `failures` (1-based): doubled each time, bounded. */
export function pushBackoffMs(failures: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.max(0, failures - 1));
}

/** `http(s)://host/base` → `ws(s)://host/base` + `path`. */
export function socketUrl(baseUrl: string, path: string, query?: Record<string, string>): string {
  const url = new URL(baseUrl.replace(/\/+$/, '') + path);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
  return url.toString();
}

export function openPushSocket(options: PushSocketOptions): PushSocket {
  const minMs = options.minBackoffMs ?? 1000;
  const maxMs = options.maxBackoffMs ?? 30_000;
  let socket: WebSocket | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let connected = false;
  let opened = 0;
  let failures = 0;
  /** Failures since the last connection that stayed open: the backoff's exponent. */
  let streak = 0;
  let lastError: string | undefined;
  let retryAt: number | undefined;

  const report = (reason: string) => {
    lastError = reason;
    options.onError?.(reason);
  };

  const retry = () => {
    if (stopped || timer !== undefined) return;
    streak += 1;
    const wait = pushBackoffMs(streak, minMs, maxMs);
    retryAt = Date.now() + wait;
    timer = setTimeout(() => {
      timer = undefined;
      retryAt = undefined;
      connect();
    }, wait);
    timer.unref?.();
  };

  function connect(): void {
    if (stopped) return;
    const ws = new WebSocket(options.url, {
      headers: { ...options.headers },
      handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
    });
    socket = ws;
    const send = (text: string) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(text);
    };
    ws.on('open', () => {
      connected = true;
      opened += 1;
      streak = 0;
      try {
        options.onOpen?.(send);
      } catch (error) {
        report(`${options.name} push: ${String(error)}`);
      }
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return;
      try {
        options.onMessage(rawText(data), send);
      } catch (error) {
        report(`${options.name} push: ${String(error)}`);
      }
    });
    // A refused upgrade is reported once, by its status, not again as the abort that follows.
    let refused = false;
    ws.on('unexpected-response', (_request, response) => {
      refused = true;
      report(`${options.name} push refused: HTTP ${response.statusCode ?? 0}`);
      response.resume();
      ws.terminate();
    });
    ws.on('error', (error) => {
      if (!refused) report(`${options.name} push: ${error.message}`);
    });
    ws.on('close', () => {
      if (socket === ws) socket = undefined;
      if (!stopped) failures += 1;
      connected = false;
      retry();
    });
  }

  connect();
  return {
    state: () => ({ connected, opened, failures, lastError, retryAt }),
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      retryAt = undefined;
      socket?.terminate();
      socket = undefined;
      connected = false;
    },
  };
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
