/**
 * Builds a Marquee server from a Config: store, auth, hub, WebSocket gateway, shared system
 * sampler, the core routes and every surface module in `SURFACES` (see core/surface.ts). `listen()` binds, `close()` shuts down gracefully: sockets
 * get GOING_AWAY, in-flight requests finish, the store is flushed and closed.
 */
import { monotonicNow, type MonotonicClock } from './core/clock';
import type { Writable } from 'node:stream';
import cookie from '@fastify/cookie';
import { MarqueeError, protocol } from '@marquee/sdk';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  authenticateRequest,
  authorize,
  createAuthService,
  credentialsFromRequest,
  type AuthService,
  type Identity,
} from './core/auth';
import type { Config } from './core/config';
import { registerBodyParsers } from './core/body-parsers';
import { mountCoreRoutes } from './core/core-routes';
import { registerCors } from './core/cors';
import { busMetrics, createBus, type ClusterBus } from './core/bus';
import { closeHttp } from './core/http-close';
import { mountMetrics, storageMetrics, type Metrics } from './core/metrics';
import { registerOriginCheck } from './core/origin';
import { pino } from 'pino';
import { loggerOptions } from './core/log-redaction';
import { LogTap } from './core/log-tap';
import { sendError } from './core/http-errors';
import { clientErrorHandler, frameworkErrorHandler } from './core/malformed-requests';
import { registerRateLimits } from './core/rate-limit';
import { claimDataDir } from './core/server-lock';
import { sweepBackupLeftovers } from './core/backup-leftovers';
import { assertWritableDataDir } from './core/data-dir-check';
import type { Authenticator } from './core/routes';
import { createSystemSampler, type SystemSampler, type SystemSource } from './core/sampler';
import { StorageMonitor } from './core/storage';
import { openStore, type Store } from './core/store';
import {
  errorShapeFor,
  mountSurface,
  surfaceMigrations,
  type MountedSurface,
  type SurfaceModule,
} from './core/surface';
import { compileTrust, createHub, createWsGateway, type Hub, type WsGateway } from './core/ws';
import { createMediaStack, shareMediaStack, type MediaStack } from './integrations/media';
import { mqttMetrics, startMqttBridge, type MqttBridge } from './integrations/mqtt';
import { mountPages } from './pages';
import { gpuModule } from './surfaces/gpu/module';
import { mediaStackModule } from './surfaces/media-stack/module';
import { MONITORING_TOPIC, monitoringModule } from './surfaces/monitoring/module';
import type { GpuSurface } from './surfaces/gpu/mount';
import { nowPlayingModule } from './surfaces/now-playing/module';
import { NOW_PLAYING_TOPIC, type NowPlayingService } from './surfaces/now-playing/service';
import type { Thumbnails } from './surfaces/now-playing/thumbnails';
import { signageModule, type Signage } from './surfaces/signage/module';
import { startBackupSchedule, type BackupSchedule } from './core/backup-schedule';
import { VERSION } from './version';

/** Every surface the server mounts, in mount order. Adding a surface is one line here. */
export const SURFACES = [
  nowPlayingModule,
  gpuModule,
  signageModule,
  mediaStackModule,
  monitoringModule,
] as const;

/** The error shape of the surface whose prefix `url` falls under (core's for the rest). */
function shapeFor(url: string): protocol.ErrorShape {
  return errorShapeFor(SURFACES, url, protocol.core.coreSurface.errorShape);
}

/** How long in-flight HTTP requests get to finish on shutdown before their connections are cut. */
const HTTP_CLOSE_GRACE_MS = 5000;

/**
 * Pending connections the kernel holds until the server accepts them (Node's default: 511). A
 * signage fleet reconnecting at once after a restart arrives faster than the server accepts
 * (each device socket is authenticated and its queue flushed); the kernel drops the SYNs beyond
 * the backlog and every dropped device then waits out TCP's retransmission backoff (1, 3, 7, 15,
 * 31, 63 s). The storm benchmark (bench/storm.ts) measured all of 10,000 devices back after 115 s
 * with 511 and 21 s with 4096. Linux caps it at net.core.somaxconn (4096 since 5.4).
 */
const LISTEN_BACKLOG = 4096;

export interface CreateServerOptions {
  /** Unix ms clock: timestamps people read. @default Date.now */
  readonly now?: () => number;
  /** Millisecond clock for durations; never steps with the wall clock (core/clock.ts). @default performance.now */
  readonly monotonic?: MonotonicClock;
  /** Replaces the systeminformation source (tests, simulators). */
  readonly systemSource?: SystemSource;
  /** Check every response against its documented schema (tests). @default false */
  readonly validateResponses?: boolean;
  /** Called once with the generated admin password on first start. @default prints it */
  readonly onGeneratedPassword?: (username: string, password: string) => void;
  /** Where the log goes (tests capture it). @default standard output */
  readonly logStream?: Writable;
}

export interface MarqueeServer {
  readonly app: FastifyInstance;
  readonly config: Config;
  readonly store: Store;
  readonly auth: AuthService;
  readonly hub: Hub;
  readonly gateway: WsGateway;
  readonly sampler: SystemSampler;
  /** The configured media upstreams, one shared poller each (media-stack and Now Playing read them). */
  readonly mediaStack: MediaStack;
  readonly nowPlaying: NowPlayingService;
  /** Media roots, thumbnail cache and the poster_thumb resolver. */
  readonly thumbnails: Thumbnails;
  /** GPU host (seed 004): the shared nvidia-smi sampler, the Ollama adapter and downloads. */
  readonly gpu: Omit<GpuSurface, 'stop'>;
  /** Signage (seed 002) and its fleet admin API: device sockets, command queue, files. */
  readonly signage: Signage;
  /** The API of a mounted surface module (throws for one not in `SURFACES`). */
  surface<Api, Repositories>(module: SurfaceModule<Api, Repositories>): Api;
  /** `GET /metrics`, and its own listener when MARQUEE_METRICS_LISTEN is set. */
  readonly metrics: Metrics;
  /** The data directory's disk: free space, faults met, the upload reserve. */
  readonly storage: StorageMonitor;
  /** The bus between instances (Redis with MARQUEE_REDIS_URL, else local to this process). */
  readonly bus: ClusterBus;
  /** The MQTT bridge for Home Assistant; undefined unless MARQUEE_MQTT_URL is set. */
  readonly mqtt: MqttBridge | undefined;
  /** Binds `config.host:config.port`; resolves with the base URL (port 0 picks a free port). */
  listen(): Promise<string>;
  /**
   * What follows the bind, for a runtime that binds `app` itself (Watt, see watt.ts): marks the
   * data directory in use, sweeps backup leftovers, starts scheduled backups and the metrics
   * listener. `listen()` calls it; resolves with the base URL.
   */
  started(): Promise<string>;
  close(): Promise<void>;
}

/** Closes at once the sockets opened with credentials that no longer hold. */
function closeRevoked(
  gateway: WsGateway,
  revoked: (identity: Identity) => boolean,
  reason: string,
): void {
  gateway.closeWhere(
    (conn) => conn.identity !== undefined && revoked(conn.identity),
    protocol.CloseCodes.UNAUTHORIZED,
    reason,
  );
}

/** The bus message that closes revoked credentials' sockets on every instance. */
const REVOKED = 'core.revoked';

/** Credentials revoked: a user's (and their display tokens), or display tokens alone. */
interface Revocation {
  readonly userId: number | null;
  readonly displayTokenIds: readonly string[];
}

function matchesRevocation(revoked: Revocation): (identity: Identity) => boolean {
  return (who) =>
    who.kind === 'user'
      ? who.userId === revoked.userId
      : revoked.displayTokenIds.includes(who.tokenId);
}

export async function createServer(
  config: Config,
  options: CreateServerOptions = {},
): Promise<MarqueeServer> {
  const now = options.now ?? Date.now;
  const monotonic = options.monotonic ?? monotonicNow;
  const validateResponses = options.validateResponses ?? false;
  // Every log line passes the tap on its way out, so a surface can keep it (monitoring's /logs).
  const logTap = new LogTap(options.logStream ?? pino.destination(1));
  const app = Fastify({
    logger: loggerOptions(config.logLevel, logTap),
    trustProxy: compileTrust(config.trustProxy) ?? false,
    bodyLimit: config.maxBodyBytes,
    // Path parameters are bounded by their schemas (a 255-character sn_number, a 4096-character
    // media path), not by Fastify's default of 100, which would answer 414 before validation.
    routerOptions: { maxParamLength: 8192 },
    forceCloseConnections: 'idle',
    frameworkErrors: frameworkErrorHandler(shapeFor),
    clientErrorHandler: clientErrorHandler(shapeFor),
  });
  const modules: readonly SurfaceModule<unknown, unknown>[] = SURFACES;
  const storage = new StorageMonitor({
    dataDir: config.dataDir,
    reserveBytes: config.storageReserveBytes,
    logger: app.log,
  });
  app.decorate('storage', storage);
  assertWritableDataDir(config.dataDir);
  const store = await openStore(config, { migrations: surfaceMigrations(modules) });
  const auth = createAuthService({ store, config, now: () => new Date(now()), logger: app.log });
  const boot = await auth.bootstrap();
  if (boot.generatedPassword !== undefined) {
    const report =
      options.onGeneratedPassword ??
      ((username: string, password: string) =>
        process.stdout.write(
          `\n  Marquee created the admin account "${username}" with the password:\n\n    ${password}\n\n` +
            '  It is shown only this once. Set DASHBOARD_AUTH_PASSWORD to choose your own.\n\n',
        ));
    report(config.adminUsername, boot.generatedPassword);
  }

  registerBodyParsers(app);
  registerCors(app, config.corsOrigins);
  registerOriginCheck(app, config.corsOrigins);
  await app.register(cookie);
  const { logins } = await registerRateLimits(app, config, monotonic);
  const hub = createHub({
    onHookError: (error, topic) => app.log.error({ err: error, topic }, 'hub hook failed'),
  });
  const gateway = createWsGateway({ server: app.server, config, logger: app.log, now: monotonic });
  const sampler = createSystemSampler({
    intervalMs: config.sampleIntervalMs,
    now: monotonic,
    ...(options.systemSource ? { source: options.systemSource } : {}),
    onError: (error) => app.log.warn({ err: error }, 'system sample failed'),
  });

  // One poller per configured upstream, shared by every surface (media-stack, Now Playing).
  const mediaStack = createMediaStack(config, {
    now,
    monotonic,
    onListenerError: (error) => app.log.error({ err: error }, 'media upstream listener failed'),
    onPushError: (reason) => app.log.warn({ reason }, 'media upstream push socket'),
  });

  const authenticate: Authenticator = async (request, policy, scope) => {
    if (policy === 'none') return undefined;
    const identity = await authenticateRequest(auth, credentialsFromRequest(request.headers));
    authorize(policy, identity, scope);
    return identity;
  };

  // What no route's own handler answers (a malformed or oversized body sent to an unknown path,
  // pages, metrics): in the shape of the surface the path falls under, not Fastify's.
  app.setErrorHandler((error, request, reply) => {
    sendError(request, reply, shapeFor(request.url), error);
  });
  app.setNotFoundHandler((request, reply) => {
    sendError(
      request,
      reply,
      shapeFor(request.url),
      new MarqueeError(
        'NOT_FOUND',
        `No route for ${request.method} ${request.url.split('?')[0] ?? ''}`,
      ),
    );
  });

  // Before the surfaces mount: they register their message handlers on it.
  const bus = createBus(config, app.log, now);
  /** Closes revoked credentials' sockets here, and asks every other instance to do the same. */
  const revoke = (revoked: Revocation, reason: string): void => {
    closeRevoked(gateway, matchesRevocation(revoked), reason);
    bus.broadcast(REVOKED, { ...revoked, reason });
  };
  bus.on(REVOKED, (payload) => {
    const revoked = payload as Revocation & { reason: string };
    closeRevoked(gateway, matchesRevocation(revoked), revoked.reason);
  });

  // Several instances: one polls the media upstreams and shares their snapshots (media/cluster.ts).
  const stopSharingMedia = shareMediaStack(mediaStack, bus);

  const startedAt = monotonic();
  mountCoreRoutes(app, {
    auth,
    authenticate,
    logins,
    version: VERSION,
    storeKind: store.kind,
    storage,
    startedAt,
    monotonic,
    validateResponses,
    onDisplayTokenRevoked: (id) => {
      revoke({ userId: null, displayTokenIds: [id] }, 'Token revoked');
    },
  });
  auth.users.onRevoked(({ userId, displayTokenIds }) => {
    revoke({ userId, displayTokenIds: [...displayTokenIds] }, 'Credentials revoked');
  });
  const context = {
    config,
    store,
    auth,
    authenticate,
    hub,
    gateway,
    sampler,
    mediaStack,
    now,
    monotonic,
    validateResponses,
    logger: app.log,
    logTap,
    storage,
    bus,
  };
  const mounted = new Map<SurfaceModule<unknown, unknown>, MountedSurface<unknown>>();
  for (const module of modules) mounted.set(module, await mountSurface(app, module, context));
  const surface = <Api, Repositories>(module: SurfaceModule<Api, Repositories>): Api => {
    const found = mounted.get(module);
    if (found === undefined) throw new Error(`Surface ${module.name} is not mounted`);
    return found.api as Api;
  };
  const nowPlaying = surface(nowPlayingModule);

  // Subscribes to what the surfaces already produce (hub topics, the GPU sampler): no second reader.
  const mqtt =
    config.mqttUrl === undefined
      ? undefined
      : startMqttBridge({
          config: { ...config, mqttUrl: config.mqttUrl },
          hub,
          topics: { nowPlaying: NOW_PLAYING_TOPIC, monitoring: MONITORING_TOPIC },
          gpuSampler: surface(gpuModule).sampler,
          signage: surface(signageModule),
          control: nowPlaying.control,
          version: VERSION,
          logger: app.log,
          now,
        });

  mountPages(app);
  const surfaceMetrics = [...mounted.values()].map((each) => each.metrics ?? {});
  const metrics = mountMetrics(app, {
    config,
    authenticate,
    logger: app.log,
    gateway,
    samplers: Object.fromEntries([
      ['system', sampler],
      ...surfaceMetrics.flatMap((each) => Object.entries(each.samplers ?? {})),
    ]),
    collectors: [
      storageMetrics(storage),
      busMetrics(bus),
      ...(mqtt === undefined ? [] : [mqttMetrics(mqtt)]),
      ...surfaceMetrics.flatMap((each) => each.collectors ?? []),
    ],
  });

  let closing: Promise<void> | undefined;
  // Tells `marquee user` that this data directory is in use (see core/server-lock.ts).
  let releaseDataDir: (() => void) | undefined;
  let backups: BackupSchedule | undefined;
  let startedUrl: Promise<string> | undefined;
  const started = (): Promise<string> =>
    (startedUrl ??= (async () => {
      await metrics.listen();
      for (const each of mounted.values()) await each.listen?.();
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      releaseDataDir ??= claimDataDir(config.dataDir, url);
      // Before this process stages a backup of its own (backup-leftovers.ts).
      await sweepBackupLeftovers(config.dataDir, app.log);
      if (config.backupDir !== undefined) {
        backups ??= startBackupSchedule({
          dataDir: config.dataDir,
          dir: config.backupDir,
          everySeconds: config.backupEverySeconds,
          keep: config.backupKeep,
          logger: app.log,
        });
      }
      return url;
    })());
  return {
    app,
    config,
    store,
    auth,
    hub,
    gateway,
    sampler,
    mediaStack,
    nowPlaying: nowPlaying.service,
    thumbnails: nowPlaying.thumbnails,
    gpu: surface(gpuModule),
    signage: surface(signageModule),
    surface,
    metrics,
    storage,
    bus,
    mqtt,
    async listen() {
      await app.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG });
      return started();
    },
    started,
    close() {
      closing ??= (async () => {
        await backups?.stop();
        await mqtt?.stop();
        for (const each of [...mounted.values()].reverse()) await each.stop?.();
        stopSharingMedia();
        // After the surfaces: their last claims and states are released with it.
        await bus.stop();
        mediaStack.stop();
        await metrics.close();
        await gateway.closeAll(protocol.CloseCodes.GOING_AWAY, 'Server shutting down');
        await closeHttp(app, HTTP_CLOSE_GRACE_MS);
        await store.close();
        releaseDataDir?.();
      })();
      return closing;
    },
  };
}
