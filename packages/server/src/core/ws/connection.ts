/**
 * One accepted WebSocket with a bounded, latest-wins send queue. A display on a bad Wi-Fi link
 * must not make the server buffer snapshots without bound, nor slow anybody else: at most
 * `maxInFlight` messages are handed to `ws` (and so to the kernel) at a time, the rest wait in a
 * queue where a newer snapshot replaces an older one with the same key, and a queue that still
 * overflows closes that one socket with SLOW_CONSUMER.
 *
 * Fan-out cost: a write with a completion callback costs Node's stream one deferred callback
 * round per write (`nextTick`, `afterWrite`), which the fan-out benchmark measured at about a
 * tenth of a delivery's CPU. So the first write to a socket with nothing pending goes without
 * one, and every such write of a tick is settled together on the next tick: a socket whose
 * buffer is empty by then has delivered it to the kernel (the same moment its callback would
 * have reported). A socket that is still backed up keeps it counted; the writes after it carry
 * callbacks, and theirs (writes complete in order) settle it too.
 */
import { protocol } from '@marquee/sdk';
import { WebSocket, type RawData } from 'ws';
import type { Identity } from '../auth/types';
import type { WsLogger } from './logger';
import { TrafficCounters } from './traffic';

const { CloseCodes } = protocol;

/** How a socket ended: the code and reason of the close frame (1006 when it was dropped). */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

export interface ConnectionOptions<Ctx> {
  readonly id: string;
  /** Client address as the per-IP limit counts it (trusted-proxy aware). */
  readonly ip: string;
  /** Path of the channel that accepted the socket. */
  readonly channel: string;
  /** What the channel's `authorize` returned (an Identity, a device ...). */
  readonly ctx: Ctx;
  /** Who opened the socket, when anybody signed in (closing a revoked user's sockets). */
  readonly identity?: Identity | undefined;
  readonly socket: WebSocket;
  /** Messages waiting beyond the in-flight window before the socket is dropped. */
  readonly maxQueuedMessages: number;
  /**
   * Sends handed to `ws` whose write has not completed yet. Small keeps memory per slow socket
   * bounded (K messages, not megabytes) while still pipelining on a healthy link.
   * @default 8
   */
  readonly maxInFlight?: number;
  readonly logger: WsLogger;
  /** Where deliveries, coalesced and dropped messages are counted (shared per channel). @default its own */
  readonly traffic?: TrafficCounters;
}

type MessageHandler = (text: string) => unknown;
type BinaryHandler = (data: Buffer) => unknown;
type CloseHandler = (info: CloseInfo) => void;

interface Pending {
  readonly key: string | undefined;
  readonly data: string | Buffer;
}

/** Text frames only: a Buffer given to `send` must hold UTF-8 (pre-encoded JSON for fan-out). */
const TEXT_FRAME = { binary: false } as const;

/** Settlers of this tick's unconfirmed writes, run together on the next tick. */
let unsettled: (() => void)[] = [];

function settleOnNextTick(settle: () => void): void {
  if (unsettled.length === 0) process.nextTick(settleAll);
  unsettled.push(settle);
}

function settleAll(): void {
  const batch = unsettled;
  unsettled = [];
  for (const settle of batch) settle();
}

export class Connection<Ctx = unknown> {
  readonly id: string;
  readonly ip: string;
  readonly channel: string;
  readonly ctx: Ctx;
  readonly identity: Identity | undefined;
  readonly socket: WebSocket;
  /** Resolves once the socket is fully closed. */
  readonly closed: Promise<CloseInfo>;

  readonly #maxQueued: number;
  readonly #maxInFlight: number;
  readonly #logger: WsLogger;
  readonly #traffic: TrafficCounters;
  #queue: Pending[] = [];
  readonly #latest = new Map<string, Pending>();
  #inFlight = 0;
  /** The oldest write in flight was sent without a completion callback (see the file comment). */
  #unconfirmed = false;
  #closing = false;
  #closeInfo: CloseInfo | undefined;
  #requestedClose: CloseInfo | undefined;
  readonly #messageHandlers = new Set<MessageHandler>();
  #binaryHandler: BinaryHandler | undefined;
  readonly #closeHandlers = new Set<CloseHandler>();

  constructor(options: ConnectionOptions<Ctx>) {
    this.id = options.id;
    this.ip = options.ip;
    this.channel = options.channel;
    this.ctx = options.ctx;
    this.identity = options.identity;
    this.socket = options.socket;
    this.#maxQueued = options.maxQueuedMessages;
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? 8);
    this.#logger = options.logger;
    this.#traffic = options.traffic ?? new TrafficCounters();
    this.closed = new Promise((resolve) => {
      this.socket.once('close', (code: number, reason: Buffer) => {
        const info = { code, reason: reason.toString('utf8') };
        this.#closeInfo = info;
        this.#stop();
        resolve(info);
        for (const handler of this.#closeHandlers) this.#run(() => handler(info), false);
        this.#closeHandlers.clear();
      });
    });
    this.socket.on('error', (error) => {
      // ws closes the socket itself after an error (1009 for maxPayload, 1002/1007 ...).
      this.#logger.debug({ err: error, connection: this.id }, 'websocket error');
    });
    this.socket.on('message', (data, isBinary) => this.#receive(data, isBinary));
  }

  /** True once either side started closing; sends are dropped from then on. */
  get isClosed(): boolean {
    return this.#closing || this.socket.readyState !== WebSocket.OPEN;
  }

  /** The code and reason this side asked for when it closed the socket, if it did. */
  get requestedClose(): CloseInfo | undefined {
    return this.#requestedClose;
  }

  /** Messages waiting for the in-flight window (not counting those already handed to ws). */
  get queuedCount(): number {
    return this.#queue.length;
  }

  /** Queues a text message. Returns false when it was dropped (socket closing or overflowed). */
  send(data: string | Buffer): boolean {
    return this.#enqueue(undefined, data);
  }

  /**
   * Queues a snapshot: a still-queued message with the same `key` is dropped in favour of this
   * one, which goes to the back so publication order is kept among what is delivered.
   */
  sendLatest(key: string, data: string | Buffer): boolean {
    return this.#enqueue(key, data);
  }

  /** Registers a text-frame handler; returns its removal. Errors close the socket with 1011. */
  onMessage(handler: MessageHandler): () => void {
    this.#messageHandlers.add(handler);
    return () => this.#messageHandlers.delete(handler);
  }

  /**
   * Accepts binary frames on this socket. Without a handler a binary frame closes the socket
   * with UNSUPPORTED_DATA: every Marquee channel speaks JSON text unless it opts in here.
   */
  onBinary(handler: BinaryHandler | undefined): void {
    this.#binaryHandler = handler;
  }

  /** Runs `handler` once the socket is fully closed (at once if it already is). */
  onClose(handler: CloseHandler): () => void {
    const info = this.#closeInfo;
    if (info !== undefined) {
      queueMicrotask(() => handler(info));
      return () => undefined;
    }
    this.#closeHandlers.add(handler);
    return () => this.#closeHandlers.delete(handler);
  }

  /** Starts the closing handshake; ws destroys the socket if the peer never answers. */
  close(code: number, reason = ''): void {
    if (this.#closing) return;
    this.#requestedClose = { code, reason };
    this.#stop();
    try {
      this.socket.close(code, reason);
    } catch (error) {
      // An invalid code or a reason over 123 bytes: still end the socket.
      this.#logger.warn({ err: error, connection: this.id, code }, 'close failed; terminating');
      this.socket.terminate();
    }
  }

  /** Drops the socket without a closing handshake (dead peers, shutdown timeouts). */
  terminate(): void {
    this.#stop();
    this.socket.terminate();
  }

  #enqueue(key: string | undefined, data: string | Buffer): boolean {
    if (this.isClosed) {
      this.#traffic.dropped += 1;
      return false;
    }
    if (this.#queue.length === 0 && this.#inFlight < this.#maxInFlight) {
      this.#write(data);
      return true;
    }
    if (key !== undefined) {
      const previous = this.#latest.get(key);
      if (previous !== undefined) {
        this.#queue.splice(this.#queue.indexOf(previous), 1);
        this.#traffic.coalesced += 1;
      }
    }
    const item: Pending = { key, data };
    this.#queue.push(item);
    if (key !== undefined) this.#latest.set(key, item);
    if (this.#queue.length > this.#maxQueued) {
      this.#logger.warn(
        { connection: this.id, ip: this.ip, queued: this.#queue.length },
        'slow consumer: send queue overflowed',
      );
      this.close(CloseCodes.SLOW_CONSUMER, 'send queue overflowed');
      return false;
    }
    return true;
  }

  #write(data: string | Buffer): void {
    this.#inFlight += 1;
    this.#traffic.delivered += 1;
    // With a window of one there would be nothing in flight to carry a callback: always use one.
    if (this.#inFlight === 1 && this.#maxInFlight > 1 && this.socket.bufferedAmount === 0) {
      this.#unconfirmed = true;
      this.socket.send(data, TEXT_FRAME);
      settleOnNextTick(this.#settle);
      return;
    }
    this.socket.send(data, TEXT_FRAME, this.#written);
  }

  /** Completion of a write sent with a callback (one function per connection, no closures). */
  readonly #written = (error?: Error | null): void => {
    this.#inFlight -= 1;
    // An unconfirmed write is always the oldest in flight, so it completed before this one.
    this.#confirm();
    if (error === undefined || error === null) this.#pump();
  };

  /** The tick after an unconfirmed write: it is done once nothing is buffered any more. */
  readonly #settle = (): void => {
    if (!this.#unconfirmed || this.isClosed || this.socket.bufferedAmount > 0) return;
    this.#confirm();
    this.#pump();
  };

  #confirm(): void {
    if (!this.#unconfirmed) return;
    this.#unconfirmed = false;
    this.#inFlight -= 1;
  }

  #pump(): void {
    while (!this.isClosed && this.#inFlight < this.#maxInFlight) {
      const item = this.#queue.shift();
      if (item === undefined) return;
      if (item.key !== undefined && this.#latest.get(item.key) === item) {
        this.#latest.delete(item.key);
      }
      this.#write(item.data);
    }
  }

  #stop(): void {
    this.#closing = true;
    this.#traffic.dropped += this.#queue.length;
    this.#queue = [];
    this.#latest.clear();
  }

  #receive(data: RawData, isBinary: boolean): void {
    if (this.#closing) return;
    const buffer = toBuffer(data);
    if (isBinary) {
      const handler = this.#binaryHandler;
      if (handler === undefined) {
        this.close(CloseCodes.UNSUPPORTED_DATA, 'binary frames are not accepted');
      } else {
        this.#run(() => handler(buffer), true);
      }
      return;
    }
    const text = buffer.toString('utf8');
    for (const handler of this.#messageHandlers) this.#run(() => handler(text), true);
  }

  /** Runs channel code; a throw or rejection is logged and, for message handlers, ends the socket. */
  #run(fn: () => unknown, closeOnError: boolean): void {
    const fail = (error: unknown): void => {
      this.#logger.error({ err: error, connection: this.id }, 'websocket handler failed');
      if (closeOnError) this.close(CloseCodes.INTERNAL_ERROR, 'internal error');
    };
    try {
      const result = fn();
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
