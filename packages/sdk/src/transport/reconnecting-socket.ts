/**
 * The reconnecting, validated, isomorphic WebSocket. One instance outlives many connections:
 * it reconnects with full-jitter backoff, re-reads the token on every attempt, watches liveness,
 * queues sends while disconnected and validates every message in both directions.
 *
 * Every socket event handler checks that its socket is still the current one, so a connection
 * that was abandoned (timeout, heartbeat) can never act on the instance again.
 */
import IsoWebSocket from 'isomorphic-ws';
import { safeParse } from 'zod/v4/core';
import { MarqueeError, toMarqueeError } from '../errors';
import { CloseCodes, isRetryableClose } from '../protocol/close-codes';
import { backoffDelay } from './backoff';
import { ClientCloseCodes } from './close-codes';
import { decodeFrame } from './decode-frame';
import { Emitter } from './emitter';
import { Heartbeat } from './heartbeat';
import { messageKind, type MessageKind, type MessageOfKind } from './message-kind';
import { detectNetwork, watchNetwork } from './network';
import { PendingRequests, type RequestOptions } from './pending-requests';
import { SendQueue, type DropReason, type QueuedMessage } from './send-queue';
import {
  type CloseInfo,
  type SocketEvents,
  type SocketOptions,
  type SocketState,
} from './socket-types';
import {
  WS_OPEN,
  hasNodeExtras,
  type CloseEventLike,
  type MessageEventLike,
  type WebSocketLike,
} from './websocket-like';

type Timer = ReturnType<typeof setTimeout>;

interface DeliveryHooks {
  readonly onSent?: () => void;
  readonly onDrop?: (reason: DropReason) => void;
}

export class ReconnectingSocket<In, Out = unknown> extends Emitter<SocketEvents<In, Out>> {
  readonly #options: SocketOptions<In, Out>;
  readonly #queue: SendQueue<Out>;
  readonly #requests = new PendingRequests<In>();
  readonly #kinds = new Emitter<Record<string, [message: In]>>();
  #state: SocketState = 'idle';
  #socket: WebSocketLike | undefined;
  #heartbeat: Heartbeat | undefined;
  /** Consecutive connections that failed or did not stay up `stableAfterMs`. */
  #attempt = 0;
  /** Bumped to cancel an attempt that is still awaiting its token. */
  #generation = 0;
  #online = true;
  #unwatchNetwork: (() => void) | undefined;
  #retryTimer: Timer | undefined;
  #connectTimer: Timer | undefined;
  #stableTimer: Timer | undefined;

  constructor(options: SocketOptions<In, Out>) {
    super();
    this.#options = options;
    this.#queue = new SendQueue(options.maxQueue ?? 100);
  }

  get state(): SocketState {
    return this.#state;
  }

  /** Messages waiting for the next open. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Starts connecting; a no-op when already started. Throws after `close()`. */
  connect(): void {
    if (this.#state === 'closed') {
      throw new MarqueeError('CONNECTION_CLOSED', 'This socket was closed; create a new one');
    }
    if (this.#state !== 'idle') return;
    const network =
      this.#options.network === false ? undefined : (this.#options.network ?? detectNetwork());
    if (network) {
      this.#online = network.isOnline();
      this.#unwatchNetwork = watchNetwork(network, (online) => this.#networkChanged(online));
    }
    if (this.#online) void this.#open();
    else this.#setState('offline');
  }

  /**
   * Closes for good: no more reconnects, queued messages are dropped (`dropped` with reason
   * `closed`) and requests in flight fail with CONNECTION_CLOSED. The `close` event follows
   * when the underlying socket has closed.
   */
  close(reason = 'client closed'): void {
    if (this.#state === 'closed') return;
    this.#generation++;
    this.#stopTimers();
    this.#unwatchNetwork?.();
    this.#unwatchNetwork = undefined;
    this.#setState('closed');
    for (const entry of this.#queue.take()) this.#dropped(entry, 'closed');
    this.#requests.rejectSent(new MarqueeError('CONNECTION_CLOSED', 'The socket was closed'), true);
    const socket = this.#socket;
    try {
      socket?.close(CloseCodes.NORMAL, reason);
    } catch {
      // Browsers throw on a reason over 123 bytes; close without one rather than stay open.
      socket?.close();
    }
  }

  /**
   * Sends now when open, otherwise queues for the next open (bounded, latest-wins by
   * `coalesceKey`). Throws INVALID_MESSAGE when `outgoing` rejects the message, and
   * CONNECTION_CLOSED after `close()`.
   */
  send(message: Out): 'sent' | 'queued' {
    return this.#deliver(message, this.#encode(message), {});
  }

  /**
   * Sends `message` and resolves with the first incoming message `match` accepts. Fails with
   * TIMEOUT after `timeoutMs`, and with CONNECTION_CLOSED when the connection it was sent on
   * drops or when it is dropped from the queue before being sent.
   */
  request<R extends In>(
    message: Out,
    options: RequestOptions<In> & { readonly match: (incoming: In) => incoming is R },
  ): Promise<R>;
  request(message: Out, options: RequestOptions<In>): Promise<In>;
  request(message: Out, options: RequestOptions<In>): Promise<In> {
    let data: string;
    try {
      data = this.#encode(message);
    } catch (error) {
      return Promise.reject(toMarqueeError(error));
    }
    const pending = this.#requests.add(options);
    this.#deliver(message, data, { onSent: pending.sent, onDrop: pending.dropped });
    return pending.promise;
  }

  /**
   * Subscribes to the messages of one kind (`type`, `action` or `event` field); the handler
   * gets the narrowed union member. Returns the unsubscribe function.
   */
  onMessage<K extends MessageKind<In>>(
    kind: K,
    handler: (message: MessageOfKind<In, K>) => void,
  ): () => void {
    // Only messages of this kind are emitted under `kind`, so the handler sees its own type.
    const listener = handler as (message: In) => void;
    this.#kinds.on(kind, listener);
    return () => {
      this.#kinds.off(kind, listener);
    };
  }

  #encode(message: Out): string {
    if (this.#state === 'closed') {
      throw new MarqueeError('CONNECTION_CLOSED', 'The socket was closed');
    }
    const schema = this.#options.outgoing;
    if (schema) {
      const result = safeParse(schema, message);
      if (!result.success) {
        const first = result.error.issues[0];
        throw new MarqueeError(
          'INVALID_MESSAGE',
          `Outgoing message does not match its schema${first ? `: ${first.message} at [${first.path.join('.')}]` : ''}`,
          { details: result.error.issues, cause: result.error },
        );
      }
    }
    return JSON.stringify(message);
  }

  #deliver(message: Out, data: string, hooks: DeliveryHooks): 'sent' | 'queued' {
    const socket = this.#socket;
    if (this.#state === 'open' && socket && socket.readyState === WS_OPEN) {
      socket.send(data);
      hooks.onSent?.();
      return 'sent';
    }
    const key = this.#options.coalesceKey?.(message);
    for (const { entry, reason } of this.#queue.push({ message, data, key, ...hooks })) {
      this.#dropped(entry, reason);
    }
    return 'queued';
  }

  #dropped(entry: QueuedMessage<Out>, reason: DropReason): void {
    entry.onDrop?.(reason);
    this.emit('dropped', { message: entry.message, reason });
  }

  async #open(): Promise<void> {
    const generation = ++this.#generation;
    this.#setState('connecting');
    let socket: WebSocketLike;
    try {
      const token = await this.#options.token?.();
      if (generation !== this.#generation) return;
      const WebSocketImpl = this.#options.WebSocket ?? IsoWebSocket;
      socket = new WebSocketImpl(this.#url(token), this.#options.protocols);
    } catch (error) {
      if (generation !== this.#generation) return;
      this.emit('error', toMarqueeError(error));
      this.#lost({
        code: ClientCloseCodes.CONNECT_FAILED,
        reason: 'connect failed',
        wasClean: false,
      });
      return;
    }
    this.#attach(socket);
  }

  #url(token: string | undefined): string {
    const { url, tokenParam = 'token' } = this.#options;
    if (typeof url === 'function') return url(token);
    if (token === undefined) return url;
    const withToken = new URL(url);
    withToken.searchParams.set(tokenParam, token);
    return withToken.toString();
  }

  #attach(socket: WebSocketLike): void {
    this.#socket = socket;
    const current = () => this.#socket === socket;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      if (current()) void this.#opened(socket);
    };
    socket.onclose = (event: CloseEventLike) => {
      if (current())
        this.#lost({ code: event.code, reason: event.reason, wasClean: event.wasClean });
    };
    socket.onmessage = (event: MessageEventLike) => {
      if (current()) this.#received(event.data);
    };
    // Always set, even for stale sockets: `ws` throws on an 'error' nobody listens to.
    socket.onerror = (event: unknown) => {
      if (!current() || this.#state === 'closed') return;
      // Browsers give no detail here; the close event that always follows drives the reconnect.
      this.emit('error', new MarqueeError('NETWORK', describeError(event), { cause: event }));
    };
    if (hasNodeExtras(socket)) {
      // Server pings and our pongs both prove the peer alive (ws answers pings by itself).
      const alive = () => {
        if (current()) this.#heartbeat?.alive();
      };
      socket.on('pong', alive);
      socket.on('ping', alive);
    }
    const timeoutMs = this.#options.connectTimeoutMs ?? 10_000;
    this.#connectTimer = setTimeout(() => {
      if (!current()) return;
      this.emit('error', new MarqueeError('TIMEOUT', `No handshake within ${timeoutMs} ms`));
      this.#abandon(ClientCloseCodes.CONNECT_TIMEOUT, 'connect timeout');
    }, timeoutMs);
  }

  async #opened(socket: WebSocketLike): Promise<void> {
    clearTimeout(this.#connectTimer);
    this.#setState('open');
    this.#stableTimer = setTimeout(() => {
      this.#attempt = 0;
    }, this.#options.stableAfterMs ?? 5_000);
    this.#startHeartbeat(socket);
    this.emit('open');
    const onConnect = this.#options.onConnect;
    if (onConnect) {
      try {
        await onConnect(this);
      } catch (error) {
        this.emit('error', toMarqueeError(error));
      }
    }
    // A listener or the hook may have closed it, or it dropped meanwhile.
    if (this.#socket !== socket || this.#state !== 'open') return;
    for (const entry of this.#queue.take()) {
      socket.send(entry.data);
      entry.onSent?.();
    }
  }

  #startHeartbeat(socket: WebSocketLike): void {
    const options = this.#options.heartbeat;
    if (options === false) return;
    const message = options?.message;
    this.#heartbeat = new Heartbeat(options ?? {}, {
      ping: () => {
        if (hasNodeExtras(socket)) socket.ping();
        else if (message) {
          const ping = message();
          socket.send(typeof ping === 'string' ? ping : JSON.stringify(ping));
        }
      },
      onTimeout: () => {
        if (this.#socket !== socket) return;
        this.emit('error', new MarqueeError('TIMEOUT', 'The server went silent (heartbeat)'));
        this.#abandon(ClientCloseCodes.HEARTBEAT_TIMEOUT, 'heartbeat timeout');
      },
    });
    this.#heartbeat.start();
  }

  #received(data: unknown): void {
    if (this.#state === 'closed') return;
    this.#heartbeat?.alive();
    const decoded = decodeFrame(data, this.#options.incoming);
    if (!decoded.ok) {
      this.emit('invalid-message', decoded.invalid);
      return;
    }
    const message = decoded.message;
    this.#requests.offer(message);
    this.emit('message', message);
    const kind = messageKind(message);
    if (kind !== undefined) this.#kinds.emit(kind, message);
  }

  /** Drops a connection we gave up on without waiting for its close handshake. */
  #abandon(code: number, reason: string): void {
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = undefined;
    try {
      if (hasNodeExtras(socket)) socket.terminate();
      else socket.close(code, reason);
    } catch {
      // Already closing.
    }
    this.#lost({ code, reason, wasClean: false });
  }

  #lost(info: CloseInfo): void {
    this.#socket = undefined;
    this.#stopTimers();
    this.#requests.rejectSent(
      new MarqueeError('CONNECTION_CLOSED', `The connection closed (${info.code})`, {
        details: info,
      }),
    );
    this.emit('close', info);
    if (this.#state === 'closed') return;
    const shouldReconnect = this.#options.shouldReconnect ?? defaultShouldReconnect;
    if (!shouldReconnect(info)) {
      this.close();
      return;
    }
    if (!this.#online) {
      this.#setState('offline');
      return;
    }
    this.#attempt++;
    const delayMs = backoffDelay(this.#attempt - 1, this.#options.backoff, this.#options.random);
    this.#setState('reconnecting');
    this.emit('reconnecting', { attempt: this.#attempt, delayMs });
    if (this.#state !== 'reconnecting') return; // a listener closed it or went offline
    this.#retryTimer = setTimeout(() => void this.#open(), delayMs);
  }

  #networkChanged(online: boolean): void {
    this.#online = online;
    if (online && (this.#state === 'offline' || this.#state === 'reconnecting')) {
      clearTimeout(this.#retryTimer);
      this.#attempt = 0;
      void this.#open();
    } else if (!online && this.#state === 'reconnecting') {
      clearTimeout(this.#retryTimer);
      this.#setState('offline');
    }
  }

  #setState(state: SocketState): void {
    const previous = this.#state;
    if (previous === state) return;
    this.#state = state;
    this.emit('state', { state, previous });
  }

  #stopTimers(): void {
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#stableTimer);
    this.#heartbeat?.stop();
    this.#heartbeat = undefined;
  }
}

/** Creates a socket; call `connect()` to start it. */
export function createSocket<In, Out = unknown>(
  options: SocketOptions<In, Out>,
): ReconnectingSocket<In, Out> {
  return new ReconnectingSocket(options);
}

/** Reconnect unless the server said it cannot help (FORBIDDEN, REPLACED, DEVICE_REMOVED). */
function defaultShouldReconnect(info: CloseInfo): boolean {
  return isRetryableClose(info.code);
}

function describeError(event: unknown): string {
  if (typeof event === 'object' && event !== null) {
    const message: unknown = Reflect.get(event, 'message');
    if (typeof message === 'string' && message) return message;
  }
  return 'WebSocket error';
}
