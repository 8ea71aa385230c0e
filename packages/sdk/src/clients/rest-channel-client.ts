/**
 * What the clients of a surface with REST routes and a push-only channel share (the GPU host,
 * the media stack): a typed HTTP client reading the surface's error body, with the caller's
 * `token` read again for every request; the reconnecting socket on the channel; its
 * connection-level events (`invalid-message`, `state`, `error`) re-emitted on the client; and
 * `state`, `connect()` and `close()`. Each client adds its routes and its channel's messages.
 */
import type { $ZodType } from 'zod/v4/core';
import type { MarqueeError } from '../errors';
import type { ErrorShape } from '../protocol/tables';
import { channelUrl } from '../transport/channel-url';
import { Emitter, type EventMap } from '../transport/emitter';
import { createHttpClient, type HttpClient } from '../transport/http-client';
import { ReconnectingSocket } from '../transport/reconnecting-socket';
import type {
  InvalidMessage,
  SocketOptions,
  SocketState,
  StateChange,
} from '../transport/socket-types';

/** The connection-level events every such client emits. */
export interface ChannelEvents {
  'invalid-message': [invalid: InvalidMessage];
  state: [change: StateChange];
  error: [error: MarqueeError];
}

/** The socket options a caller may pass (the client sets the URL, schema and queueing). */
export type ChannelSocketOptions<Incoming> = Omit<
  SocketOptions<Incoming, never>,
  'url' | 'incoming' | 'outgoing' | 'coalesceKey' | 'onConnect' | 'maxQueue'
>;

export interface RestChannelOptions<Incoming> extends ChannelSocketOptions<Incoming> {
  readonly baseUrl: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

export interface RestChannelSetup<Incoming> {
  readonly errorShape: ErrorShape;
  readonly channelPath: string;
  readonly incoming: $ZodType<Incoming>;
  /** The limit for one REST call when the caller gives none. @default 30000 */
  readonly timeoutMs?: number;
}

export abstract class RestChannelClient<
  Events extends EventMap<Events> & ChannelEvents,
  Incoming,
> extends Emitter<Events> {
  /** The push channel, for connection-level events and state. */
  readonly socket: ReconnectingSocket<Incoming, never>;
  protected readonly http: HttpClient;

  protected constructor(options: RestChannelOptions<Incoming>, setup: RestChannelSetup<Incoming>) {
    super();
    const { baseUrl, fetch, timeoutMs, ...socketOptions } = options;
    const token = socketOptions.token;
    const limit = timeoutMs ?? setup.timeoutMs;
    this.http = createHttpClient({
      baseUrl,
      errorShape: setup.errorShape,
      ...(limit === undefined ? {} : { timeoutMs: limit }),
      ...(fetch ? { fetch } : {}),
      // Read per request; after a 401 the request is retried once with whatever it returns then.
      ...(token ? { auth: { getAccessToken: async () => token(), refresh: async () => {} } } : {}),
    });
    this.socket = new ReconnectingSocket<Incoming, never>({
      ...socketOptions,
      url: channelUrl(baseUrl, setup.channelPath),
      incoming: setup.incoming,
    });
    // Events is a ChannelEvents too; the casts only tell the generic emitter so.
    const self = this as unknown as Emitter<ChannelEvents>;
    this.socket.on('invalid-message', (invalid) => self.emit('invalid-message', invalid));
    this.socket.on('state', (change) => self.emit('state', change));
    this.socket.on('error', (error) => self.emit('error', error));
  }

  get state(): SocketState {
    return this.socket.state;
  }

  /** Opens the push channel (and keeps it open until `close()`). */
  connect(): this {
    this.socket.connect();
    return this;
  }

  /** Closes the push channel for good; REST calls keep working. */
  close(): void {
    this.socket.close();
  }
}
