/**
 * `@marquee/server/watt`: Marquee as a Platformatic Watt application (`@platformatic/node`). Watt
 * imports this module in each worker thread, calls `create()` for the Fastify instance (Marquee
 * does not bind it: Watt does, every worker on the same port through `reusePort` on Linux) and
 * `close()` when the worker stops. The repository's `watt.json` points here; docs/deploy.md.
 *
 * Each worker is a whole Marquee instance with its own sockets. A socket stays on the worker that
 * accepted it, so with more than one worker what crosses workers (a command for a device held by
 * another worker, a session posted on one and watched on another) needs the store and the bus
 * that several instances share: PostgreSQL (MARQUEE_DATABASE_URL) and Redis (MARQUEE_REDIS_URL).
 * More than one worker without them is refused at start, naming the variables.
 */
import { threadId } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import { createServer, type MarqueeServer } from './app';
import { ConfigError, loadConfig, type Config, type LoadConfigOptions } from './core/config';

/** What Watt tells its worker threads (`globalThis.platformatic`); only what is read here. */
interface WattGlobals {
  readonly workerId?: number;
  readonly applicationConfig?: { readonly workers?: number | { readonly static?: number } };
  readonly runtimeConfig?: { readonly workers?: number | { readonly static?: number } };
}

/** How many workers Watt runs this application with (1 outside Watt). */
export function wattWorkers(globals: WattGlobals | undefined): number {
  const workers = globals?.applicationConfig?.workers ?? globals?.runtimeConfig?.workers;
  const count = typeof workers === 'number' ? workers : workers?.static;
  return typeof count === 'number' && Number.isInteger(count) && count > 0 ? count : 1;
}

/**
 * Refuses a configuration that cannot work across `workers` workers: every worker holds its own
 * sockets, so they must share the store (PostgreSQL) and the bus (Redis), and a listener of
 * Marquee's own beside Watt's port (MARQUEE_METRICS_LISTEN, MARQUEE_MONITORING_WS_PORT) could be
 * bound by one worker only.
 */
export function checkWorkers(
  workers: number,
  config: Pick<Config, 'databaseUrl' | 'metricsListen' | 'monitoringWsPort'> & {
    readonly redisUrl?: string | undefined;
  },
): void {
  if (workers <= 1) return;
  const problems: string[] = [];
  const missing = [
    config.databaseUrl === undefined ? 'MARQUEE_DATABASE_URL' : undefined,
    config.redisUrl === undefined ? 'MARQUEE_REDIS_URL' : undefined,
  ].filter((name) => name !== undefined);
  if (missing.length > 0) {
    problems.push(
      `they must share a store and a bus: set ${missing.join(' and ')} (PostgreSQL and Redis)`,
    );
  }
  const ownPorts = [
    config.metricsListen === undefined ? undefined : 'MARQUEE_METRICS_LISTEN',
    config.monitoringWsPort === undefined ? undefined : 'MARQUEE_MONITORING_WS_PORT',
  ].filter((name) => name !== undefined);
  if (ownPorts.length > 0) {
    problems.push(`${ownPorts.join(' and ')} cannot be bound by each of them: leave it unset`);
  }
  if (problems.length === 0) return;
  throw new ConfigError(
    `Watt runs Marquee with ${workers} workers; ${problems.join('; ')}. ` +
      'Or run one worker (MARQUEE_WORKERS=1). See docs/deploy.md.',
  );
}

let server: MarqueeServer | undefined;

/** Watt's factory: a Marquee server, not bound; Watt binds it and `started()` follows. */
export async function create(options: LoadConfigOptions = {}): Promise<FastifyInstance> {
  const globals = (globalThis as { platformatic?: WattGlobals }).platformatic;
  const config = loadConfig(options);
  checkWorkers(wattWorkers(globals), config);
  const created = await createServer(config);
  server = created;
  created.app.server.once('listening', () => {
    created.started().then(
      (url) =>
        created.app.log.info(
          { url, worker: globals?.workerId ?? 0, threadId },
          'Marquee worker listening',
        ),
      (error: unknown) =>
        created.app.log.error({ err: error }, 'Marquee worker failed after listening'),
    );
  });
  return created.app;
}

/** Watt calls this when the worker stops (then closes the Fastify instance, already closed). */
export async function close(): Promise<void> {
  const closing = server;
  server = undefined;
  await closing?.close();
}
