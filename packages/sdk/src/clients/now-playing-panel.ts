/**
 * The Now Playing panel client (seed 000): the push channel `WS /api/dashboard/ws`, each message
 * validated and emitted as a typed `snapshot` event, plus `GET /api/dashboard/stats`.
 * Connection-level events (open, close, reconnecting, dropped) stay on `client.socket`.
 *
 * Profiles: `profile: 'compact'` asks for the compact profile and `fields` for a field list (query
 * parameters, on the socket and the REST fallback alike); messages are validated with the
 * matching schema, and `createPanelClient` types the `snapshot` event to match.
 *
 * Fallback: with `fallback` set, once `after` connection attempts in a row fail (the server
 * refuses the upgrade, a proxy drops it, the WebSocket constructor throws) the client polls
 * `GET /api/dashboard/now-playing` every `pollIntervalMs` and emits its answers as the same
 * `snapshot` events. The socket keeps retrying meanwhile; when it opens, polling stops.
 *
 * Imports reach the protocol's schema files directly, never the surface's index, so a panel app
 * does not bundle the route tables or the server-only schemas (see docs/size.md).
 */
import type { $ZodType } from 'zod/v4/core';
import { toMarqueeError, type MarqueeError } from '../errors';
import { CompactSnapshot } from '../protocol/now-playing/compact';
import { nowPlayingErrorShape } from '../protocol/now-playing/errors';
import {
  fieldSnapshotSchema,
  type FieldSnapshot,
  type SessionField,
} from '../protocol/now-playing/fields';
import type { nowPlayingChannels, nowPlayingRoutes } from '../protocol/now-playing/routes';
import { Snapshot, StatsResponse } from '../protocol/now-playing/snapshot';
import { channelUrl } from '../transport/channel-url';
import { Emitter } from '../transport/emitter';
import { createHttpClient, type HttpClient } from '../transport/http-client';
import { ReconnectingSocket } from '../transport/reconnecting-socket';
import type {
  InvalidMessage,
  SocketOptions,
  SocketState,
  StateChange,
} from '../transport/socket-types';

// Typed against the protocol tables, so a renamed path fails to compile here.
type Route<Id> = Extract<(typeof nowPlayingRoutes)[number], { id: Id }>;
const STATS_PATH: Route<'nowPlaying.stats'>['path'] = '/api/dashboard/stats';
const SNAPSHOT_PATH: Route<'nowPlaying.get'>['path'] = '/api/dashboard/now-playing';
const CHANNEL_PATH: (typeof nowPlayingChannels)[0]['path'] = '/api/dashboard/ws';

/** REST polling while the socket cannot connect. */
export interface PanelFallbackOptions {
  /**
   * Time between two polls of `GET /api/dashboard/now-playing`.
   * @default 5000
   */
  readonly pollIntervalMs?: number;
  /**
   * Connection attempts in a row that must fail (end without opening) before polling starts.
   * @default 3
   */
  readonly after?: number;
}

/** Socket options that make sense for a push-only channel, plus where the server is. */
interface PanelBaseOptions extends Omit<
  SocketOptions<Snapshot, never>,
  'url' | 'incoming' | 'outgoing' | 'coalesceKey' | 'onConnect' | 'maxQueue'
> {
  /** The server, e.g. `http://media-server:8080`; the socket uses ws:// or wss:// to match. */
  readonly baseUrl: string;
  /**
   * The fetch implementation for REST calls.
   * @default globalThis.fetch
   */
  readonly fetch?: typeof fetch;
  /**
   * Limit for one REST call.
   * @default 30000
   */
  readonly timeoutMs?: number;
  /**
   * Poll the REST route while the socket cannot connect; the route needs a display token or a
   * user's, from `token` (sent as Bearer).
   * @default undefined (no polling)
   */
  readonly fallback?: PanelFallbackOptions;
}

/** Which form of the snapshot to receive. */
export type PanelProfileOptions =
  | {
      /**
       * `full`: the seed's snapshot; `compact`: the compact profile (`CompactSnapshot`, at most
       * 1024 bytes of JSON).
       * @default 'full'
       */
      readonly profile?: 'full';
      /**
       * Session fields to receive (full profile only); sessions then carry only these.
       * @default undefined (every field)
       */
      readonly fields?: readonly SessionField[];
    }
  | { readonly profile: 'compact'; readonly fields?: undefined };

export type PanelClientOptions = PanelBaseOptions & PanelProfileOptions;

/** The message a panel created with options `O` receives. */
export type PanelMessage<O extends PanelProfileOptions = PanelProfileOptions> = O extends {
  readonly profile: 'compact';
}
  ? CompactSnapshot
  : O extends { readonly fields: readonly (infer F extends SessionField)[] }
    ? FieldSnapshot<F>
    : Snapshot;

export interface PanelClientEvents<M = Snapshot> {
  snapshot: [snapshot: M];
  'invalid-message': [invalid: InvalidMessage];
  state: [change: StateChange];
  error: [error: MarqueeError];
  /** REST polling started (`true`) or stopped because the socket connected (`false`). */
  polling: [active: boolean];
}

/**
 * Prefer `createPanelClient`, which infers `M` from the options; with `new`, name the message
 * type that matches them (`new PanelClient<CompactSnapshot>({ ..., profile: 'compact' })`).
 */
export class PanelClient<M = Snapshot> extends Emitter<PanelClientEvents<M>> {
  /** The underlying socket, for connection-level events and state. */
  readonly socket: ReconnectingSocket<M, never>;
  readonly #http: HttpClient;
  readonly #schema: $ZodType<M>;
  readonly #query: Readonly<Record<string, string>>;
  readonly #fallback: Required<PanelFallbackOptions> | undefined;
  #latest: M | undefined;
  /** Connection attempts in a row that ended without opening. */
  #failures = 0;
  #opened = false;
  #polling = false;
  /** Bumped whenever polling stops, so a poll still in flight cannot restart the loop. */
  #pollRun = 0;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: PanelClientOptions) {
    super();
    const { baseUrl, fetch, timeoutMs, fallback, profile, fields, ...socketOptions } = options;
    // The options select the schema at run time; `M` names its output for the type system.
    this.#schema = messageSchema(profile, fields) as $ZodType<M>;
    this.#query = profileQuery(profile, fields);
    this.#fallback = fallback && { pollIntervalMs: 5000, after: 3, ...fallback };
    this.socket = new ReconnectingSocket<M, never>({
      ...socketOptions,
      url: channelUrl(baseUrl, CHANNEL_PATH, this.#query),
      incoming: this.#schema,
    });
    const token = socketOptions.token;
    this.#http = createHttpClient({
      baseUrl,
      errorShape: nowPlayingErrorShape,
      ...(fetch ? { fetch } : {}),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      // Read per request; after a 401 the request is retried once with whatever it returns then.
      ...(token ? { auth: { getAccessToken: async () => token(), refresh: async () => {} } } : {}),
    });
    this.socket.on('message', (message) => this.#deliver(message));
    this.socket.on('invalid-message', (invalid) => this.emit('invalid-message', invalid));
    this.socket.on('state', (change) => this.emit('state', change));
    this.socket.on('error', (error) => this.emit('error', error));
    this.socket.on('open', () => {
      this.#opened = true;
      this.#failures = 0;
      this.#stopPolling();
    });
    this.socket.on('close', () => {
      if (!this.#opened) this.#failures++;
      this.#opened = false;
      const fallbackNow = this.#fallback && this.#failures >= this.#fallback.after;
      if (fallbackNow && this.socket.state !== 'closed') this.#startPolling();
    });
  }

  /** The most recent valid snapshot, from the socket or a poll, if one arrived. */
  get latest(): M | undefined {
    return this.#latest;
  }

  get state(): SocketState {
    return this.socket.state;
  }

  /** Whether the client is polling the REST route because the socket cannot connect. */
  get polling(): boolean {
    return this.#polling;
  }

  /** Opens the push channel (and keeps it open until `close()`). */
  connect(): this {
    this.socket.connect();
    return this;
  }

  /** Closes the push channel for good and stops polling. */
  close(): void {
    this.#stopPolling();
    this.socket.close();
  }

  /** `GET /api/dashboard/stats`: system statistics only (an open route: no token is sent). */
  stats(): Promise<StatsResponse> {
    return this.#http.request({ path: STATS_PATH, schema: StatsResponse, auth: false });
  }

  #deliver(message: M): void {
    this.#latest = message;
    this.emit('snapshot', message);
  }

  #startPolling(): void {
    if (this.#polling) return;
    this.#polling = true;
    this.emit('polling', true);
    void this.#poll(this.#pollRun);
  }

  #stopPolling(): void {
    if (!this.#polling) return;
    this.#polling = false;
    this.#pollRun++;
    clearTimeout(this.#pollTimer);
    this.emit('polling', false);
  }

  async #poll(run: number): Promise<void> {
    try {
      const message = await this.#http.request({
        path: SNAPSHOT_PATH,
        query: this.#query,
        schema: this.#schema,
      });
      if (run === this.#pollRun) this.#deliver(message);
    } catch (error) {
      if (run === this.#pollRun) this.emit('error', toMarqueeError(error));
    }
    if (run !== this.#pollRun) return;
    this.#pollTimer = setTimeout(
      () => void this.#poll(run),
      this.#fallback?.pollIntervalMs ?? 5000,
    );
  }
}

/** Creates a panel client, typed by its profile; call `connect()` to open the push channel. */
export function createPanelClient<const O extends PanelClientOptions>(
  options: O,
): PanelClient<PanelMessage<O>> {
  return new PanelClient<PanelMessage<O>>(options);
}

function messageSchema(
  profile: 'full' | 'compact' | undefined,
  fields: readonly SessionField[] | undefined,
): $ZodType<unknown> {
  if (profile === 'compact') return CompactSnapshot;
  return fields ? fieldSnapshotSchema(fields) : Snapshot;
}

/** The query that selects the profile; empty for the seed's full snapshot. */
function profileQuery(
  profile: 'full' | 'compact' | undefined,
  fields: readonly SessionField[] | undefined,
): Record<string, string> {
  if (profile === 'compact') return { profile };
  return fields ? { fields: fields.join(',') } : {};
}
