/**
 * The options, states and events of `ReconnectingSocket`, kept apart from the state machine so
 * the public contract reads in one place.
 */
import type { $ZodIssue, $ZodType } from 'zod/v4/core';
import type { MarqueeError } from '../errors';
import type { BackoffOptions } from './backoff';
import type { HeartbeatOptions } from './heartbeat';
import type { NetworkOptions } from './network';
import type { ReconnectingSocket } from './reconnecting-socket';
import type { DropReason } from './send-queue';
import type { WebSocketConstructor } from './websocket-like';

/**
 * - `idle`: created, `connect()` not called yet
 * - `connecting`: reading the token and opening the handshake
 * - `open`: connected; `send()` writes straight to the socket
 * - `reconnecting`: waiting out the backoff delay before the next attempt
 * - `offline`: the browser is offline; waiting for `online`
 * - `closed`: `close()` was called; terminal
 */
export type SocketState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'offline' | 'closed';

export interface SocketOptions<In, Out> {
  /**
   * Where to connect. A function receives the token of this attempt, so a refreshed token is
   * used on every reconnect; a string gets the token appended as `tokenParam`.
   */
  readonly url: string | ((token: string | undefined) => string);
  /**
   * Query parameter the token is appended as when `url` is a string.
   * @default 'token'
   */
  readonly tokenParam?: string;
  /**
   * Called before every (re)connect attempt; `undefined` connects without a token. A provider
   * that throws fails the attempt, which is retried with backoff.
   * @default undefined
   */
  readonly token?: () => string | undefined | Promise<string | undefined>;
  /** Every incoming message is parsed as JSON and validated with this schema. */
  readonly incoming: $ZodType<In>;
  /**
   * When given, `send()` validates before sending and throws INVALID_MESSAGE on a mismatch.
   * @default undefined
   */
  readonly outgoing?: $ZodType<Out>;
  /**
   * WebSocket subprotocols.
   * @default undefined
   */
  readonly protocols?: string | string[];
  /**
   * The WebSocket constructor.
   * @default the export of `isomorphic-ws` (the browser's WebSocket, or `ws` in Node)
   */
  readonly WebSocket?: WebSocketConstructor;
  /**
   * Reconnect delay curve (full jitter, see `backoffDelay`).
   * @default { initialMs: 500, maxMs: 30000, factor: 2 }
   */
  readonly backoff?: BackoffOptions;
  /**
   * Uniform random source in [0, 1) for the jitter.
   * @default Math.random
   */
  readonly random?: () => number;
  /**
   * How long one opening handshake may take before it is abandoned and retried.
   * @default 10000
   */
  readonly connectTimeoutMs?: number;
  /**
   * How long a connection must stay open before the retry counter resets, so a server that
   * accepts and then drops at once keeps backing off instead of being hammered.
   * @default 5000
   */
  readonly stableAfterMs?: number;
  /**
   * Liveness detection; `false` turns it off.
   * @default { intervalMs: 15000, timeoutMs: 15000 }
   */
  readonly heartbeat?: HeartbeatOptions | false;
  /**
   * Most messages kept while disconnected; beyond it the oldest is dropped.
   * @default 100
   */
  readonly maxQueue?: number;
  /**
   * Latest-wins key: a queued message with the same key is replaced by the newer one.
   * @default undefined (never coalesce)
   */
  readonly coalesceKey?: (message: Out) => string | undefined;
  /**
   * Runs on every open, before the queue is flushed: (re)subscribe here, with `send()` or, to
   * wait for an acknowledgement, `request()`. A rejection is reported as an `error` event and
   * the connection stays up.
   * @default undefined
   */
  readonly onConnect?: (socket: ReconnectingSocket<In, Out>) => void | Promise<void>;
  /**
   * Decides whether to reconnect after a close that `close()` did not cause; returning false
   * closes the socket for good.
   * @default reconnect unless FORBIDDEN, REPLACED or DEVICE_REMOVED (`isRetryableClose`)
   */
  readonly shouldReconnect?: (info: CloseInfo) => boolean;
  /**
   * Online/offline source; `false` ignores connectivity.
   * @default window + navigator.onLine where both exist, otherwise none
   */
  readonly network?: NetworkOptions | false;
}

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

export interface ReconnectInfo {
  /** 1 for the first retry after a drop; resets once a connection stayed up `stableAfterMs`. */
  readonly attempt: number;
  readonly delayMs: number;
}

export interface InvalidMessage {
  /** The frame as received (text, or the binary payload it could not decode). */
  readonly raw: unknown;
  /** The zod error, or the JSON syntax error. */
  readonly error: Error;
  /** The schema issues; empty when the frame was not JSON. */
  readonly issues: readonly $ZodIssue[];
}

export interface DroppedMessage<Out> {
  readonly message: Out;
  readonly reason: DropReason;
}

export interface StateChange {
  readonly state: SocketState;
  readonly previous: SocketState;
}

/** Event name → listener arguments (the typed map `Emitter` takes). */
export interface SocketEvents<In, Out> {
  open: [];
  close: [info: CloseInfo];
  reconnecting: [info: ReconnectInfo];
  message: [message: In];
  'invalid-message': [invalid: InvalidMessage];
  error: [error: MarqueeError];
  dropped: [dropped: DroppedMessage<Out>];
  state: [change: StateChange];
}
