/**
 * Mounts the signage surface (seed 002) and Marquee's fleet admin API on it: device routes,
 * media downloads, screenshots, the device WebSocket, and the admin media, playlist, device and
 * command routes. Login and refresh are the core's (`core-routes.ts`).
 */
import multipart from '@fastify/multipart';
import { protocol } from '@marquee/sdk';
import { runningServers } from '../../core/server-lock';
import { defineSurfaceModule } from '../../core/surface';
import { mountAdminChannel } from './admin-channel';
import { mountAdminCommands } from './admin-commands';
import { mountAdminDevices } from './admin-devices';
import { mountAdminMedia } from './admin-media';
import { mountAdminPlaylists } from './admin-playlists';
import { SignageCluster } from './cluster';
import { SignageCommands } from './commands';
import { DeviceConnections } from './connections';
import { mountDeviceChannel } from './device-channel';
import { mountDeviceRoutes } from './device-routes';
import { SignageFiles } from './files';
import { FleetEvents } from './fleet-events';
import { InFlightResponses } from './in-flight';
import { mountMediaDownload } from './media-download';
import type { SignageRouteOptions } from './route-helpers';
import { signageMetrics } from './metrics';
import { Pairing } from './pairing';
import { mountPairingRoutes } from './pairing-routes';
import { mountProofOfPlay, pruneOldPlays } from './proof-of-play';
import { mountScreenshots, pruneScreenshots } from './screenshots';
import { signageStore, type SignageRepositories } from './store';
import { sweepSignageFiles } from './sweep';

/** How long shutdown waits for file downloads in progress before closing their connections. */
const SHUTDOWN_GRACE_MS = 2000;
/** How often plays past their retention are deleted when no batch arrives to do it. */
const PLAY_PRUNE_INTERVAL_MS = 3600_000;

/** What the signage surface exposes on `MarqueeServer` (tests, simulators, benchmarks). */
export interface Signage {
  /** The surface's own repositories (devices, media, playlists, commands ...). */
  readonly store: SignageRepositories;
  readonly files: SignageFiles;
  readonly connections: DeviceConnections;
  readonly commands: SignageCommands;
}

export const signageModule = defineSurfaceModule<Signage, SignageRepositories>({
  name: 'signage',
  errorShape: protocol.signage.signageErrorShape,
  prefixes: [
    '/api/v1/admin/cloud/',
    '/api/v1/cloud/',
    '/api/v1/screenshot',
    '/media/',
    '/ws/cloud/',
  ],
  store: signageStore,
  async mount({ app, repositories: store, config, now, validateResponses, authenticate, ...ctx }) {
    const files = new SignageFiles(config.dataDir);
    // Files and rows agree after a crash; not while another server uses the directory. Not on a
    // bus either: instances on other hosts may share the directory, and their uploads in progress
    // (in `tmp/`) are invisible to this host's process list.
    if (!ctx.bus.clustered && runningServers(config.dataDir).length === 0) {
      await sweepSignageFiles(store, files, app.log).catch((error: unknown) => {
        app.log.warn({ err: error }, 'signage sweep failed; files and rows are checked next start');
      });
    }
    const events = new FleetEvents({ now, monotonic: ctx.monotonic, logger: app.log });
    const connections = new DeviceConnections(events);
    const inFlight = new InFlightResponses();
    const cluster = new SignageCluster({ bus: ctx.bus, connections, logger: app.log });
    const commands = new SignageCommands({
      store,
      connections,
      ...(ctx.bus.clustered ? { route: (sns: readonly string[]) => cluster.route(sns) } : {}),
      now,
      defaultTtlSeconds: config.commandTtlSeconds,
      maxQueuedPerDevice: config.maxPendingCommandsPerDevice,
      logger: app.log,
      batching: { maxDelayMs: config.signageBatchDelayMs },
      events,
    });
    cluster.start(commands);

    // Limits are per route (receiveUpload); these only bound what any multipart body may hold.
    // The parser is registered in this surface's context only: no other surface's types change.
    await app.register(multipart, { limits: { fields: 20, fieldSize: 64 * 1024, files: 1 } });
    const common: SignageRouteOptions = { store, authenticate, now, validateResponses };
    mountDeviceRoutes(app, { ...common, files });
    mountMediaDownload(app, { ...common, files, inFlight });
    mountScreenshots(app, {
      ...common,
      files,
      storage: ctx.storage,
      inFlight,
      maxBytes: config.maxScreenshotBytes,
      keepPerDevice: config.maxScreenshotsPerDevice,
      events,
    });
    mountAdminMedia(app, {
      ...common,
      files,
      storage: ctx.storage,
      maxBytes: config.maxMediaUploadBytes,
    });
    // After the thumbnail cache: old screenshots (never a device's newest) give space back.
    ctx.storage.addReclaimer('old screenshots', (wanted) => pruneScreenshots(store, files, wanted));
    mountAdminPlaylists(app, { ...common, files, commands });
    mountAdminDevices(app, { ...common, connections, commands, files, cluster, events });
    const pairing = new Pairing({
      store,
      users: ctx.auth.users,
      accounts: ctx.store.users,
      now,
      monotonic: ctx.monotonic,
      ttlSeconds: config.pairingCodeTtlSeconds,
      maxPending: config.maxPendingPairings,
      maxWaiting: config.maxPendingPairings,
      events,
    });
    mountPairingRoutes(app, { authenticate, validateResponses, pairing });
    const plays = {
      retentionDays: config.proofOfPlayRetentionDays,
      maxRows: config.maxProofOfPlayRows,
    };
    mountProofOfPlay(app, {
      ...common,
      ...plays,
      maxRowsPerDevice: config.maxProofOfPlayRowsPerDevice,
      batchesPerMinute: config.proofOfPlayBatchesPerMinute,
      monotonic: ctx.monotonic,
    });
    // Each batch prunes; this covers a fleet that stopped sending (retention still applies).
    const prunePlays = () => {
      pruneOldPlays(store, now(), plays).catch((error: unknown) => {
        app.log.warn({ err: error }, 'pruning old plays failed');
      });
    };
    prunePlays();
    const pruneTimer = setInterval(prunePlays, PLAY_PRUNE_INTERVAL_MS);
    pruneTimer.unref();
    mountAdminCommands(app, {
      ...common,
      commands,
      maxQueuedPerDevice: config.maxPendingCommandsPerDevice,
    });

    // Before Fastify's sweep of idle connections at close; see in-flight.ts.
    app.addHook('preClose', async () => {
      await inFlight.settle(SHUTDOWN_GRACE_MS);
    });

    mountDeviceChannel({
      gateway: ctx.gateway,
      auth: ctx.auth,
      store,
      connections,
      commands,
      cluster,
      now,
      logger: app.log,
      events,
    });
    const offAdminChannel = mountAdminChannel({
      gateway: ctx.gateway,
      hub: ctx.hub,
      auth: ctx.auth,
      events,
      bus: ctx.bus,
      logger: app.log,
      now,
    });

    return {
      api: { store, files, connections, commands },
      metrics: { collectors: [signageMetrics(store, connections)] },
      // Stops the expiry sweeper; waits for deliveries in progress.
      stop: () => {
        clearInterval(pruneTimer);
        cluster.stop();
        offAdminChannel();
        return commands.stop();
      },
    };
  },
});
