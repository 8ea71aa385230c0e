/**
 * Mounts the signage surface (seed 002) and Marquee's fleet admin API on it: device routes,
 * media downloads, screenshots, the device WebSocket, and the admin media, playlist, device and
 * command routes. Login and refresh are the core's (`core-routes.ts`).
 *
 * The routes live in their own Fastify context because they parse multipart bodies: the
 * multipart parser is registered there only, so no other surface's content types change.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../../core/auth';
import type { Config } from '../../core/config';
import type { Authenticator } from '../../core/routes';
import type { Store } from '../../core/store';
import type { WsGateway } from '../../core/ws';
import { mountAdminCommands } from './admin-commands';
import { mountAdminDevices } from './admin-devices';
import { mountAdminMedia } from './admin-media';
import { mountAdminPlaylists } from './admin-playlists';
import { SignageCommands } from './commands';
import { DeviceConnections } from './connections';
import { mountDeviceChannel } from './device-channel';
import { mountDeviceRoutes } from './device-routes';
import { SignageFiles } from './files';
import { InFlightResponses } from './in-flight';
import { mountMediaDownload } from './media-download';
import type { SignageRouteOptions } from './route-helpers';
import { mountScreenshots } from './screenshots';

/** How long shutdown waits for file downloads in progress before closing their connections. */
const SHUTDOWN_GRACE_MS = 2000;

export interface SignageOptions {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly auth: Pick<AuthService, 'authenticate'>;
  readonly authenticate: Authenticator;
  readonly gateway: WsGateway;
  readonly config: Pick<
    Config,
    | 'dataDir'
    | 'maxMediaUploadBytes'
    | 'maxScreenshotBytes'
    | 'maxScreenshotsPerDevice'
    | 'commandTtlSeconds'
    | 'maxPendingCommandsPerDevice'
  >;
  /** Unix ms. */
  readonly now: () => number;
  readonly validateResponses: boolean;
  /** How often queued commands are checked for expiry. @default 30000 */
  readonly commandSweepIntervalMs?: number;
  /** Where a relative data directory is resolved from. @default process.cwd() */
  readonly cwd?: string;
}

export interface Signage {
  readonly files: SignageFiles;
  readonly connections: DeviceConnections;
  readonly commands: SignageCommands;
  /** Stops the expiry sweeper; waits for deliveries in progress. */
  stop(): Promise<void>;
}

export function mountSignage(options: SignageOptions): Signage {
  const { app, store, config, now, validateResponses, authenticate } = options;
  const files = new SignageFiles(config.dataDir, options.cwd);
  const connections = new DeviceConnections();
  const inFlight = new InFlightResponses();
  const commands = new SignageCommands({
    store,
    connections,
    now,
    defaultTtlSeconds: config.commandTtlSeconds,
    maxQueuedPerDevice: config.maxPendingCommandsPerDevice,
    logger: app.log,
    ...(options.commandSweepIntervalMs === undefined
      ? {}
      : { sweepIntervalMs: options.commandSweepIntervalMs }),
  });

  void app.register(async (scope) => {
    // Limits are per route (receiveUpload); these only bound what any multipart body may hold.
    await scope.register(multipart, { limits: { fields: 20, fieldSize: 64 * 1024, files: 1 } });
    const common: SignageRouteOptions = { store, authenticate, now, validateResponses };
    mountDeviceRoutes(scope, { ...common, files });
    mountMediaDownload(scope, { ...common, files, inFlight });
    mountScreenshots(scope, {
      ...common,
      files,
      inFlight,
      maxBytes: config.maxScreenshotBytes,
      keepPerDevice: config.maxScreenshotsPerDevice,
    });
    mountAdminMedia(scope, { ...common, files, maxBytes: config.maxMediaUploadBytes });
    mountAdminPlaylists(scope, { ...common, files, commands });
    mountAdminDevices(scope, { ...common, connections, commands, files });
    mountAdminCommands(scope, {
      ...common,
      commands,
      maxQueuedPerDevice: config.maxPendingCommandsPerDevice,
    });
  });

  // Before Fastify's sweep of idle connections at close; see in-flight.ts.
  app.addHook('preClose', async () => {
    await inFlight.settle(SHUTDOWN_GRACE_MS);
  });

  mountDeviceChannel({
    gateway: options.gateway,
    auth: options.auth,
    store,
    connections,
    commands,
    now,
    logger: app.log,
  });

  return { files, connections, commands, stop: () => commands.stop() };
}
