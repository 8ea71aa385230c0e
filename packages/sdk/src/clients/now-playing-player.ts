/**
 * The web player's client for the Now Playing surface: it reports the session being played with
 * `POST /api/dashboard/session/update` on the seed's 5–10 s cadence (see `SessionReporter`) and
 * takes playback commands from dashboards over `WS /api/dashboard/player/ws` (Marquee extension).
 *
 * A command is handed to the `onControl` handlers; when they all return (or resolve) the client
 * acknowledges with `ok: true`, when one throws (or rejects, or overruns `controlTimeoutMs`) with
 * `ok: false` and the error's message, which the dashboard receives as its 502 `detail`. After a
 * successful command the client applies it to what it reports: `pause` and `resume` post the new
 * state, `stop` ends the session without a final update (the server removes it itself).
 *
 * The same `token` signs the updates (Bearer) and the socket (`?token=`); it is read again for
 * every request and reconnect, so a refreshed token is picked up.
 */
import { safeParse } from 'zod/v4/core';
import { MarqueeError, toMarqueeError } from '../errors';
import {
  SessionUpdate,
  SessionUpdateResponse,
  nowPlayingErrorShape,
  type SessionState,
  type nowPlayingRoutes,
} from '../protocol/now-playing';
import {
  PlayerClientMessage,
  PlayerServerMessage,
  type ClaimResult,
  type ControlCommand,
  type PlayerAck,
  type playbackChannels,
} from '../protocol/playback';
import { channelUrl } from '../transport/channel-url';
import { Emitter } from '../transport/emitter';
import { createHttpClient, type HttpClient } from '../transport/http-client';
import { ReconnectingSocket } from '../transport/reconnecting-socket';
import type { SocketOptions, SocketState, StateChange } from '../transport/socket-types';
import { SessionReporter, type ReportedSession, type PlayerSessionInfo } from './session-reporter';

// Typed against the protocol tables, so a renamed path fails to compile here.
type UpdateRoute = Extract<(typeof nowPlayingRoutes)[number], { id: 'nowPlaying.sessionUpdate' }>;
const UPDATE_PATH: UpdateRoute['path'] = '/api/dashboard/session/update';
const CHANNEL_PATH: (typeof playbackChannels)[0]['path'] = '/api/dashboard/player/ws';

/** Applies a command in the app (pause the `<video>` ...); throw or reject to refuse it. */
export type ControlHandler = (command: ControlCommand) => void | Promise<void>;

export interface PlayerClientOptions extends Omit<
  SocketOptions<PlayerServerMessage, PlayerClientMessage>,
  'url' | 'incoming' | 'outgoing' | 'onConnect' | 'coalesceKey' | 'tokenParam'
> {
  /** The server, e.g. `http://media-server:8000`; the socket uses ws:// or wss:// to match. */
  readonly baseUrl: string;
  /**
   * The signed-in user's access token, for both the updates and the player channel.
   * @default undefined (the server answers 401)
   */
  readonly token?: () => string | undefined | Promise<string | undefined>;
  /**
   * The fetch implementation for the updates.
   * @default globalThis.fetch
   */
  readonly fetch?: typeof fetch;
  /**
   * Limit for one update request.
   * @default 30000
   */
  readonly timeoutMs?: number;
  /**
   * Time between updates while playing, in milliseconds; the seed's player posts every 5–10 s.
   * @default 5000
   */
  readonly updateIntervalMs?: number;
  /**
   * Time between keep-alive updates while paused, so a paused session stays listed (and
   * resumable) past the server's 30 s expiry; `false` posts nothing while paused.
   * @default 20000
   */
  readonly pausedKeepAliveMs?: number | false;
  /**
   * How long the `onControl` handlers may take before the command is refused.
   * @default 10000
   */
  readonly controlTimeoutMs?: number;
  /**
   * Unix ms clock, for the position posted between the app's reports.
   * @default Date.now
   */
  readonly now?: () => number;
}

export interface PlayerClientEvents {
  /** An update was accepted by the server. */
  update: [update: SessionUpdate];
  /** A command was handled and acknowledged with `ack`. */
  control: [command: ControlCommand, ack: PlayerAck];
  /** The server registered this player; commands can arrive from now on. */
  ready: [playerId: string];
  /** The server's answer to a claim (sent on `startSession` and on every reconnect). */
  claimed: [result: ClaimResult];
  state: [change: StateChange];
  /** Periodic updates that failed, socket errors and refused claims. */
  error: [error: MarqueeError];
}

export class PlayerClient extends Emitter<PlayerClientEvents> {
  /** The player channel, for connection-level events and state. */
  readonly socket: ReconnectingSocket<PlayerServerMessage, PlayerClientMessage>;
  readonly #http: HttpClient;
  readonly #reporter: SessionReporter;
  readonly #handlers = new Set<ControlHandler>();
  readonly #controlTimeoutMs: number;

  constructor(options: PlayerClientOptions) {
    super();
    const {
      baseUrl,
      token,
      fetch,
      timeoutMs,
      updateIntervalMs,
      pausedKeepAliveMs,
      controlTimeoutMs,
      now,
      heartbeat,
      ...socketOptions
    } = options;
    this.#controlTimeoutMs = controlTimeoutMs ?? 10_000;
    this.#http = createHttpClient({
      baseUrl,
      errorShape: nowPlayingErrorShape,
      // The token is read per request; a 401 retries once with whatever it returns then.
      auth: { getAccessToken: async () => token?.(), refresh: () => Promise.resolve() },
      ...(fetch ? { fetch } : {}),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
    this.#reporter = new SessionReporter({
      post: (update) => this.#post(update),
      ...(updateIntervalMs === undefined ? {} : { updateIntervalMs }),
      ...(pausedKeepAliveMs === undefined ? {} : { pausedKeepAliveMs }),
      ...(now ? { now } : {}),
      onError: (error) => this.emit('error', toMarqueeError(error)),
    });
    this.socket = new ReconnectingSocket<PlayerServerMessage, PlayerClientMessage>({
      ...socketOptions,
      ...(token ? { token } : {}),
      // Browsers have no protocol ping; the channel answers an app-level one.
      heartbeat: heartbeat ?? { message: () => ({ type: 'ping' }) },
      url: channelUrl(baseUrl, CHANNEL_PATH),
      incoming: PlayerServerMessage,
      outgoing: PlayerClientMessage,
      onConnect: (socket) => {
        const current = this.#reporter.current;
        if (current) socket.send({ type: 'claim', session_id: current.session_id });
      },
    });
    this.socket.onMessage('control', (command) => void this.#handle(command));
    this.socket.onMessage('ready', (ready) => this.emit('ready', ready.player_id));
    this.socket.onMessage('claimed', (result) => {
      this.emit('claimed', result);
      if (!result.ok) {
        this.emit(
          'error',
          new MarqueeError('FORBIDDEN', result.error ?? `Claim of ${result.session_id} refused`),
        );
      }
    });
    this.socket.onMessage('error', (error) =>
      this.emit('error', new MarqueeError(error.code, error.message)),
    );
    this.socket.on('state', (change) => this.emit('state', change));
    this.socket.on('error', (error) => this.emit('error', error));
  }

  get state(): SocketState {
    return this.socket.state;
  }

  /** The session being reported, if any. */
  get session(): ReportedSession | undefined {
    return this.#reporter.current;
  }

  /** Opens the player channel, to receive commands (updates work without it). */
  connect(): this {
    this.socket.connect();
    return this;
  }

  /** Stops reporting and closes the channel for good; call `endSession()` first to say so. */
  close(): void {
    this.#reporter.drop();
    this.socket.close();
  }

  /**
   * Starts reporting a session (ending the current one first) and claims it on the channel;
   * resolves with its id once the first update was accepted.
   */
  async startSession(info: PlayerSessionInfo): Promise<string> {
    await this.endSession();
    const sessionId = info.session_id ?? globalThis.crypto.randomUUID();
    const started = this.#reporter.start({ ...info, session_id: sessionId });
    this.#send({ type: 'claim', session_id: sessionId });
    return started;
  }

  /**
   * Reports the playback position, and the state when given. A state change posts at once;
   * `stopped` ends the session like `endSession()`.
   */
  updatePosition(currentTime: number, state?: SessionState): Promise<void> {
    return this.#reporter.update(currentTime, state);
  }

  /** Posts the final `stopped` update and releases the session. */
  endSession(): Promise<void> {
    const current = this.#reporter.current;
    if (!current) return Promise.resolve();
    this.#send({ type: 'release', session_id: current.session_id });
    return this.#reporter.end();
  }

  /** Adds a handler that applies commands; returns its removal. */
  onControl(handler: ControlHandler): () => void {
    this.#handlers.add(handler);
    return () => {
      this.#handlers.delete(handler);
    };
  }

  async #post(update: SessionUpdate): Promise<void> {
    const checked = safeParse(SessionUpdate, update);
    if (!checked.success) {
      const first = checked.error.issues[0];
      throw new MarqueeError(
        'INVALID_MESSAGE',
        `Invalid session update${first ? `: ${first.message} at [${first.path.join('.')}]` : ''}`,
        { details: checked.error.issues, cause: checked.error },
      );
    }
    await this.#http.request({
      method: 'POST',
      path: UPDATE_PATH,
      body: checked.data,
      schema: SessionUpdateResponse,
    });
    this.emit('update', checked.data);
  }

  /** Sends now when open; otherwise the next open's claim covers it, so nothing is queued. */
  #send(message: PlayerClientMessage): void {
    if (this.socket.state === 'open') this.socket.send(message);
  }

  async #handle(command: ControlCommand): Promise<void> {
    const ack = await this.#apply(command);
    if (this.socket.state !== 'closed') this.socket.send(ack);
    if (ack.ok && this.#reporter.current?.session_id === command.session_id) {
      switch (command.action) {
        case 'pause':
          this.#reporter.setState('paused').catch((e: unknown) => this.#failed(e));
          break;
        case 'resume':
          this.#reporter.setState('playing').catch((e: unknown) => this.#failed(e));
          break;
        case 'stop':
          // The server removes the session itself; a final update would only bring it back.
          this.#reporter.drop();
          this.#send({ type: 'release', session_id: command.session_id });
          break;
      }
    }
    this.emit('control', command, ack);
  }

  async #apply(command: ControlCommand): Promise<PlayerAck> {
    const refuse = (error: string): PlayerAck => ({
      type: 'ack',
      command_id: command.command_id,
      ok: false,
      error: error.slice(0, 2000),
    });
    if (this.#reporter.current?.session_id !== command.session_id) {
      return refuse(`This player is not playing session ${command.session_id}`);
    }
    if (this.#handlers.size === 0) return refuse('The player has no control handler');
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.all(
          [...this.#handlers].map((handler) => Promise.resolve().then(() => handler(command))),
        ),
        new Promise((_, reject) => {
          timer = setTimeout(
            () =>
              reject(new Error(`The player did not apply it within ${this.#controlTimeoutMs} ms`)),
            this.#controlTimeoutMs,
          );
        }),
      ]);
      return { type: 'ack', command_id: command.command_id, ok: true };
    } catch (error) {
      return refuse(error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(timer);
    }
  }

  #failed(error: unknown): void {
    this.emit('error', toMarqueeError(error));
  }
}

/** Creates a player client; call `connect()` to receive commands. */
export function createPlayerClient(options: PlayerClientOptions): PlayerClient {
  return new PlayerClient(options);
}
