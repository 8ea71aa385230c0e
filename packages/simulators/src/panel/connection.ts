/**
 * The panel's connection policy on a raw `ws` socket, as the reference firmware runs it
 * (firmware/esp32/lib/marquee_core/src/mq_conn.c and mq_heartbeat.c), rather than the SDK's
 * reconnecting socket, whose rules differ in the two places that matter for a fleet:
 *
 * - Backoff: full jitter, each delay uniform in [0, cap), the cap growing from
 *   `reconnectIntervalMs` by `reconnectFactor` to `reconnectMaxMs`; the attempt counter resets on
 *   the first *valid frame* of a connection, not when the socket opens (a proxy that accepts the
 *   upgrade and drops it is not hammered). The SDK resets after the socket stayed up a while.
 * - Heartbeat: a ping every `heartbeatIntervalMs`; when neither a pong nor a frame arrives within
 *   `heartbeatPongTimeoutMs` that ping is missed, and `heartbeatMaxMisses` misses in a row close
 *   the socket ("no pong"). The SDK's watchdog counts silence windows instead of missed pings.
 *
 * A connect plus handshake over `connectTimeoutMs` fails the attempt. Pings from the server are
 * answered by `ws` itself, as links2004/WebSockets does on the panel; frames over 15 KiB close the
 * socket like that library (WEBSOCKETS_MAX_DATA_SIZE), while frames over the JSON budget are the
 * frame parser's business and leave the socket open.
 */
import { backoffDelay } from '@marquee/sdk';
import WebSocket from 'ws';
import type { PanelLimits } from './limits';
import type { PanelCloseReason, PanelConnectionState } from './screen';

/** links2004/WebSockets refuses frames over this on ESP32 (WEBSOCKETS_MAX_DATA_SIZE). */
const LIBRARY_MAX_FRAME_BYTES = 15 * 1024;

type Timer = ReturnType<typeof setTimeout>;

export interface PanelConnectionOptions {
  /** `ws://host:port/api/dashboard/ws?profile=compact[&token=...]` */
  readonly url: string;
  readonly limits: PanelLimits;
  /** Uniform in [0, 1); one draw per reconnect delay. */
  readonly random: () => number;
  /** Handles a frame; returns whether the panel accepted it. */
  readonly onFrame: (data: Buffer) => boolean;
  readonly onState: (state: PanelConnectionState) => void;
  /** A socket-level error (refused, reset, bad handshake); the close that follows reconnects. */
  readonly onError: (error: Error) => void;
}

export class PanelConnection {
  #state: PanelConnectionState = 'idle';
  #socket: WebSocket | undefined;
  /** Failed attempts since the last valid frame. */
  #attempt = 0;
  #connects = 0;
  #drops = 0;
  #lastClose: PanelCloseReason | undefined;
  /** Why this side is closing the current socket, when it is. */
  #closing: PanelCloseReason | undefined;
  #retryAt: number | undefined;
  #lastDelayMs: number | undefined;
  #frozen = false;
  // Heartbeat: misses in a row, and whether anything was heard since the last ping.
  #misses = 0;
  #heard = true;
  #retryTimer: Timer | undefined;
  #connectTimer: Timer | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #pongTimer: Timer | undefined;

  constructor(private readonly options: PanelConnectionOptions) {}

  get state(): PanelConnectionState {
    return this.#state;
  }

  /** Connections that reached `live` (a valid frame). */
  get connects(): number {
    return this.#connects;
  }

  /** Connections that ended, whichever way. */
  get drops(): number {
    return this.#drops;
  }

  get lastClose(): PanelCloseReason | undefined {
    return this.#lastClose;
  }

  /** While `waiting`: when the next attempt starts (local ms). */
  get retryAt(): number | undefined {
    return this.#state === 'waiting' ? this.#retryAt : undefined;
  }

  /** The reconnect delay drawn last, in ms. */
  get lastDelayMs(): number | undefined {
    return this.#lastDelayMs;
  }

  get frozen(): boolean {
    return this.#frozen;
  }

  start(): void {
    if (this.#state !== 'idle') return;
    this.#connect();
  }

  /** Closes for good (no reconnect). */
  stop(): Promise<void> {
    const socket = this.#socket;
    this.#setState('stopped');
    this.#clearTimers();
    this.#socket = undefined;
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      if (this.#frozen) socket.resume();
      if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'panel stopped');
      else socket.terminate();
      // A peer that never answers the close frame: give up on the handshake.
      setTimeout(() => socket.terminate(), 1000).unref();
    });
  }

  /** Fault: the link drops without a close frame (Wi-Fi gone); the policy reconnects. */
  drop(): void {
    this.#socket?.terminate();
  }

  /**
   * Fault: the panel hangs. Nothing is read from the socket (so no pong either: the server's
   * heartbeat finds it), no ping is sent, no reconnect starts, until `unfreeze()`.
   */
  freeze(): void {
    if (this.#frozen || this.#state === 'stopped') return;
    this.#frozen = true;
    this.#socket?.pause();
    this.#clearTimers();
  }

  unfreeze(): void {
    if (!this.#frozen) return;
    this.#frozen = false;
    switch (this.#state) {
      case 'waiting':
        this.#connect();
        return;
      case 'open':
      case 'live':
        this.#startHeartbeat();
        break;
      case 'connecting':
        this.#armConnectTimeout();
        break;
      case 'idle':
      case 'stopped':
        break;
    }
    this.#socket?.resume();
  }

  #connect(): void {
    this.#setState('connecting');
    this.#closing = undefined;
    const socket = new WebSocket(this.options.url, {
      perMessageDeflate: false,
      maxPayload: LIBRARY_MAX_FRAME_BYTES,
    });
    this.#socket = socket;
    const current = () => this.#socket === socket;
    this.#armConnectTimeout();
    socket.on('open', () => {
      if (!current()) return;
      clearTimeout(this.#connectTimer);
      this.#setState('open');
      // pause() is a no-op while connecting, so a panel frozen meanwhile stops reading now.
      if (this.#frozen) socket.pause();
      else this.#startHeartbeat();
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!current() || this.#frozen) return;
      this.#alive();
      const valid = !isBinary && this.options.onFrame(data);
      if (valid && this.#state === 'open') {
        this.#attempt = 0;
        this.#connects += 1;
        this.#setState('live');
      }
    });
    socket.on('pong', () => {
      if (current() && !this.#frozen) this.#alive();
    });
    socket.on('error', (error: Error) => {
      if (current() && this.#state !== 'stopped') this.options.onError(error);
    });
    socket.on('close', () => {
      if (current()) this.#closed();
    });
  }

  #armConnectTimeout(): void {
    clearTimeout(this.#connectTimer);
    this.#connectTimer = setTimeout(
      () => this.#abandon('connect timeout'),
      this.options.limits.connectTimeoutMs,
    );
  }

  #startHeartbeat(): void {
    const { heartbeatIntervalMs, heartbeatPongTimeoutMs, heartbeatMaxMisses } = this.options.limits;
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pongTimer);
    this.#misses = 0;
    this.#heard = true;
    this.#pingTimer = setInterval(() => {
      this.#heard = false;
      try {
        this.#socket?.ping();
      } catch {
        // Not open any more; the close event is on its way.
      }
      clearTimeout(this.#pongTimer);
      this.#pongTimer = setTimeout(() => {
        if (this.#heard) return;
        this.#misses += 1;
        if (this.#misses >= heartbeatMaxMisses) this.#abandon('no pong');
      }, heartbeatPongTimeoutMs);
    }, heartbeatIntervalMs);
  }

  #alive(): void {
    this.#heard = true;
    this.#misses = 0;
  }

  /** This side gives up on the socket (connect timeout, dead heartbeat). */
  #abandon(reason: PanelCloseReason): void {
    this.#closing = reason;
    this.#socket?.terminate();
  }

  #closed(): void {
    this.#clearTimers();
    this.#socket = undefined;
    if (this.#state === 'stopped') return;
    this.#drops += 1;
    this.#lastClose = this.#closing ?? 'closed';
    this.#closing = undefined;
    const { reconnectIntervalMs, reconnectMaxMs, reconnectFactor } = this.options.limits;
    const delay = backoffDelay(
      this.#attempt,
      { initialMs: reconnectIntervalMs, maxMs: reconnectMaxMs, factor: reconnectFactor },
      this.options.random,
    );
    this.#attempt += 1;
    this.#lastDelayMs = delay;
    this.#retryAt = Date.now() + delay;
    this.#setState('waiting');
    if (this.#frozen) return; // unfreeze() connects
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  #clearTimers(): void {
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#connectTimer);
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pongTimer);
  }

  #setState(state: PanelConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.options.onState(state);
  }
}
