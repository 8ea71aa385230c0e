/**
 * The one WebSocket entry point: a single `ws` server in `noServer` mode behind the HTTP
 * server's `upgrade` event, so every channel (now-playing, signage devices, monitoring ...) gets
 * the same routing, auth, per-IP limits, Origin check, heartbeat and shutdown. Everything that can
 * be refused is refused before the handshake, with an HTTP status, because that costs no socket
 * state. In order: unknown path 404, too many connects per second 429, a session cookie from a
 * foreign Origin 403 (see origin.ts), too many open sockets 429, then the channel's own auth.
 *
 * Each upgrade is logged once, accepted or refused, like Fastify logs a request; its URL goes
 * through `redactUrl` (log-redaction.ts), since sockets carry their token in the query (`?token=`).
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { MarqueeError, protocol } from '@marquee/sdk';
import { WebSocketServer, type WebSocket } from 'ws';
import { principalOf } from '../auth/principal';
import type { Identity } from '../auth/types';
import { credentialsFromRequest } from '../auth/request';
import type { Config } from '../config';
import { cookieOnly, createOriginCheck, crossOriginRefusal } from '../origin';
import { retryAfterOf } from '../rate-limit/retry-later';
import { serializeRequest } from '../log-redaction';
import { clientIp, compileTrust, requestHost } from './client-ip';
import { createConnectRate } from './connect-rate';
import { Connection } from './connection';
import { createHeartbeat } from './heartbeat';
import type { WsLogger } from './logger';
import { createPrincipalLimit } from './principal-limit';
import { rejectUpgrade } from './reject';
import { TrafficCounters, type TrafficStats } from './traffic';

const { CloseCodes } = protocol;

/** A channel: who may open it and what happens to an accepted socket. */
export interface ChannelHandler<Ctx> {
  /**
   * Decides who may connect, before the handshake. Throw a MarqueeError to refuse with its
   * HTTP status (401, 403 ...); anything else thrown becomes a 500.
   */
  authorize(req: IncomingMessage, url: URL): Ctx | Promise<Ctx>;
  /**
   * Wires an accepted socket up; register handlers synchronously so no frame is missed. `url` is
   * the upgrade request's URL (its query selects what some channels send).
   */
  onConnection(conn: Connection<Ctx>, ctx: Ctx, url: URL): void | Promise<void>;
  /**
   * Who `ctx` belongs to, so the sockets of a revoked user or display token can be closed at
   * once (`closeWhere`). @default nobody (an open channel)
   */
  identityOf?(ctx: Ctx): Identity | undefined;
  /**
   * Whether this channel's sockets count against `maxConnectionsPerUser` (by `identityOf`).
   * Off where the channel is bounded otherwise (one socket per signage device). @default true
   */
  readonly perUserLimit?: boolean;
  /** Body of a refusal in this channel's documented error shape. @default { code, message } */
  renderError?(error: MarqueeError): unknown;
}

export type WsGatewayConfig = Pick<
  Config,
  | 'trustProxy'
  | 'maxConnectionsPerIp'
  | 'maxConnectionsPerUser'
  | 'maxWsPayloadBytes'
  | 'wsPingIntervalMs'
  | 'wsMaxQueuedMessages'
  | 'wsConnectsPerIpPerSecond'
  | 'rateLimitExemptLoopback'
  | 'rateLimitMaxKeys'
  | 'corsOrigins'
>;

export interface WsGatewayOptions {
  readonly server: Server;
  readonly config: WsGatewayConfig;
  readonly logger: WsLogger;
  /** Sends per socket handed to ws before queueing starts (see Connection). @default 8 */
  readonly maxInFlightPerConnection?: number;
  /** How long `closeAll` waits for closing handshakes before terminating. @default 5000 */
  readonly closeTimeoutMs?: number;
  /** Monotonic millisecond clock (the connects-per-second windows). @default performance.now */
  readonly now?: () => number;
}

export interface WsGatewayStats {
  /** Open sockets, including those in their closing handshake. */
  readonly connections: number;
  readonly byChannel: Readonly<Record<string, number>>;
  /** Addresses holding a socket or a handshake in progress. */
  readonly distinctIps: number;
  readonly accepted: number;
  /** Refused upgrades by HTTP status since start. */
  readonly rejected: Readonly<Record<number, number>>;
  readonly deadPeersTerminated: number;
  readonly slowConsumersClosed: number;
  /** Messages delivered, coalesced and dropped since start, per registered channel. */
  readonly traffic: Readonly<Record<string, TrafficStats>>;
}

export interface WsGateway {
  /** Routes upgrades whose pathname is exactly `path` to `handler`. */
  channel<Ctx>(path: string, handler: ChannelHandler<Ctx>): void;
  /**
   * Serves the upgrades of another HTTP server (a second port) with the same limits, auth and
   * shutdown, for the channels at `paths` only (others are refused 404). Returns the detach.
   */
  attach(server: Server, paths: readonly string[]): () => void;
  /**
   * Graceful shutdown: refuses new upgrades with 503, closes every socket with `code` and
   * resolves once all are closed, terminating those still open after `closeTimeoutMs`.
   */
  closeAll(code?: number, reason?: string): Promise<void>;
  /** Closes the sockets matching `predicate` (e.g. a revoked token's); returns how many. */
  closeWhere(predicate: (conn: Connection) => boolean, code: number, reason?: string): number;
  connectionCount(): number;
  stats(): WsGatewayStats;
}

/**
 * Attaches to `server`'s `upgrade` event. Over the per-IP limit the upgrade is refused with
 * HTTP 429 + Retry-After rather than accepted and closed with TRY_AGAIN_LATER: it is cheaper
 * and handshakes in progress count toward the limit, so a flood of slow authorizations cannot
 * get around it.
 */
export function createWsGateway(options: WsGatewayOptions): WsGateway {
  const { server, config, logger } = options;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.maxWsPayloadBytes,
    clientTracking: false,
  });
  const trust = compileTrust(config.trustProxy);
  const originAllowed = createOriginCheck(config.corsOrigins);
  const connectRate = createConnectRate({
    perSecond: config.wsConnectsPerIpPerSecond,
    exemptLoopback: config.rateLimitExemptLoopback,
    maxKeys: config.rateLimitMaxKeys,
    now: options.now,
  });
  const channels = new Map<string, ChannelHandler<unknown>>();
  const traffic = new Map<string, TrafficCounters>();
  const connections = new Set<Connection>();
  const perIp = new Map<string, number>();
  const perPrincipal = createPrincipalLimit(config.maxConnectionsPerUser);
  const rejected: Record<number, number> = {};
  let accepted = 0;
  let deadPeers = 0;
  let slowConsumers = 0;
  let sequence = 0;
  let closing = false;

  const heartbeat = createHeartbeat({
    intervalMs: config.wsPingIntervalMs,
    onDead: () => {
      deadPeers += 1;
    },
  });

  const logUpgrade = (req: IncomingMessage, status: number, extra: object = {}): void => {
    logger.info(
      { req: serializeRequest(req), status, ...extra },
      status === 101 ? 'websocket accepted' : 'websocket refused',
    );
  };

  const refuse = (
    req: IncomingMessage,
    socket: Duplex,
    error: MarqueeError,
    channel?: ChannelHandler<unknown>,
  ): void => {
    const status = error.status >= 400 && error.status <= 599 ? error.status : 500;
    rejected[status] = (rejected[status] ?? 0) + 1;
    logUpgrade(req, status, { code: error.code });
    const body = channel?.renderError?.(error) ?? { code: error.code, message: error.message };
    const retryAfter = retryAfterOf(error) ?? (status === 429 ? 5 : undefined);
    rejectUpgrade(socket, status, body, retryAfter ? { 'Retry-After': String(retryAfter) } : {});
  };

  const accept = (
    socket: WebSocket,
    ip: string,
    url: URL,
    channel: ChannelHandler<unknown>,
    ctx: unknown,
  ): Connection => {
    sequence += 1;
    accepted += 1;
    const conn = new Connection({
      id: `ws-${sequence}`,
      ip,
      channel: url.pathname,
      ctx,
      identity: channel.identityOf?.(ctx),
      socket,
      maxQueuedMessages: config.wsMaxQueuedMessages,
      maxInFlight: options.maxInFlightPerConnection ?? 8,
      logger,
      traffic: traffic.get(url.pathname) ?? new TrafficCounters(),
    });
    connections.add(conn);
    heartbeat.add(socket);
    conn.onClose(() => {
      connections.delete(conn);
      heartbeat.remove(socket);
      if (conn.requestedClose?.code === CloseCodes.SLOW_CONSUMER) slowConsumers += 1;
    });
    try {
      const result = channel.onConnection(conn, ctx, url);
      if (result instanceof Promise) result.catch((error: unknown) => failed(conn, error));
    } catch (error) {
      failed(conn, error);
    }
    return conn;
  };

  const failed = (conn: Connection, error: unknown): void => {
    logger.error({ err: error, connection: conn.id, channel: conn.channel }, 'onConnection failed');
    conn.close(CloseCodes.INTERNAL_ERROR, 'internal error');
  };

  const upgrade = async (
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
    ip: string,
    channel: ChannelHandler<unknown>,
  ): Promise<void> => {
    let ctx: unknown;
    try {
      ctx = await channel.authorize(req, url);
    } catch (error) {
      if (!(error instanceof MarqueeError)) {
        logger.error({ err: error, path: url.pathname }, 'websocket authorize failed');
      }
      const refusal =
        error instanceof MarqueeError ? error : new MarqueeError('INTERNAL', 'Internal error');
      refuse(req, socket, refusal, channel);
      return;
    }
    if (closing) return refuse(req, socket, shuttingDown(), channel);
    if (socket.destroyed) return;
    const principal =
      channel.perUserLimit === false ? undefined : principalOf(channel.identityOf?.(ctx));
    if (principal !== undefined && !perPrincipal.acquire(principal, socket)) {
      logger.warn({ principal }, 'websocket refused: too many connections for this account');
      const error = new MarqueeError('RATE_LIMITED', 'Too many connections for this account');
      return refuse(req, socket, error, channel);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', destroyOnError);
      const conn = accept(ws, ip, url, channel, ctx);
      logUpgrade(req, 101, { connection: conn.id });
    });
  };

  const onUpgrade = (
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    only?: ReadonlySet<string>,
  ): void => {
    socket.on('error', destroyOnError);
    if (closing) return refuse(req, socket, shuttingDown());
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return refuse(req, socket, new MarqueeError('BAD_REQUEST', 'Malformed request URL'));
    }
    const channel = only?.has(url.pathname) === false ? undefined : channels.get(url.pathname);
    if (channel === undefined) {
      return refuse(
        req,
        socket,
        new MarqueeError('NOT_FOUND', `No WebSocket channel at ${url.pathname}`),
      );
    }
    const ip = clientIp(req, trust);
    const tooFast = connectRate(ip);
    if (tooFast !== undefined) return refuse(req, socket, tooFast, channel);
    const creds = credentialsFromRequest(req.headers, url);
    if (cookieOnly(creds) && !originAllowed(req.headers.origin, requestHost(req, trust))) {
      return refuse(req, socket, crossOriginRefusal(), channel);
    }
    const held = perIp.get(ip) ?? 0;
    if (config.maxConnectionsPerIp > 0 && held >= config.maxConnectionsPerIp) {
      logger.warn({ ip, held }, 'websocket refused: too many connections from this address');
      const error = new MarqueeError('RATE_LIMITED', 'Too many connections from this address');
      return refuse(req, socket, error, channel);
    }
    // The slot is held from here until the raw socket closes, whichever way it ends.
    perIp.set(ip, held + 1);
    socket.once('close', () => {
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left > 0) perIp.set(ip, left);
      else perIp.delete(ip);
    });
    void upgrade(req, socket, head, url, ip, channel);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    onUpgrade(req, socket, head),
  );

  return {
    channel(path, handler) {
      if (channels.has(path)) throw new Error(`WebSocket channel ${path} is already registered`);
      channels.set(path, handler);
      traffic.set(path, new TrafficCounters());
    },

    attach(other, paths) {
      const only = new Set(paths);
      const listener = (req: IncomingMessage, socket: Duplex, head: Buffer) =>
        onUpgrade(req, socket, head, only);
      other.on('upgrade', listener);
      return () => {
        other.off('upgrade', listener);
      };
    },

    async closeAll(code = CloseCodes.GOING_AWAY, reason = 'server shutting down') {
      closing = true;
      const open = [...connections];
      for (const conn of open) conn.close(code, reason);
      const allClosed = Promise.all(open.map((conn) => conn.closed));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = await Promise.race([
        allClosed.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), options.closeTimeoutMs ?? 5000);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        for (const conn of open) conn.terminate();
        await allClosed;
      }
      heartbeat.stop();
      wss.close();
    },

    closeWhere(predicate, code, reason = '') {
      let count = 0;
      for (const conn of connections) {
        if (conn.isClosed || !predicate(conn)) continue;
        conn.close(code, reason);
        count += 1;
      }
      return count;
    },

    connectionCount: () => connections.size,

    stats() {
      const byChannel: Record<string, number> = {};
      for (const conn of connections) byChannel[conn.channel] = (byChannel[conn.channel] ?? 0) + 1;
      return {
        connections: connections.size,
        byChannel,
        distinctIps: perIp.size,
        accepted,
        rejected: { ...rejected },
        deadPeersTerminated: deadPeers,
        slowConsumersClosed: slowConsumers,
        traffic: Object.fromEntries([...traffic].map(([path, counted]) => [path, { ...counted }])),
      };
    },
  };
}

/** Until ws owns a socket, a reset from the peer must not become an uncaught 'error'. */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

function shuttingDown(): MarqueeError {
  return new MarqueeError('SERVICE_UNAVAILABLE', 'The server is shutting down');
}
