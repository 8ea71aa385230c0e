/**
 * One server of the fleet and storm benchmarks, alone in its process so that its memory and CPU
 * time are its own and it can be SIGKILLed: Marquee (`@marquee/server/testing` on a given port
 * and data directory, per-IP limit off) or the plain `ws` baseline (plain-server.ts). Run with
 * `--expose-gc` so `stats` can collect garbage first. Protocol over IPC (parent → child →
 * parent):
 *
 *   (unprompted)               { type: 'listening', url, readyMs }
 *   { type: 'stats', gc }   →  { type: 'stats', rssBytes, heapUsedBytes, cpuMicros, connections, ... }
 *
 * `readyMs`: from process start to listening (what a restart costs before the first device can
 * come back).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startTestServer } from '@marquee/server/testing';
import { BENCH_ADMIN } from './marquee';
import { startPlainServer } from './plain-server';

export interface ServerProcessData {
  readonly kind: 'marquee' | 'plain';
  /** 0: any free port (a restart passes the first one's). */
  readonly port: number;
  /** Marquee's data directory, kept across restarts. */
  readonly dataDir?: string;
  readonly pingIntervalMs: number;
  /** Marquee: the store in this PostgreSQL database instead of SQLite. */
  readonly databaseUrl?: string;
  /** Marquee: the bus between instances (with `databaseUrl`) and its key prefix. */
  readonly redis?: { readonly url: string; readonly prefix: string };
  /** Marquee: an account to create (first start only) that the devices sign in with. */
  readonly deviceUser?: { readonly username: string; readonly password: string };
}

export type ServerRequest = { type: 'stats'; gc: boolean };

export type ServerReply =
  | { type: 'listening'; url: string; readyMs: number }
  | {
      type: 'stats';
      rssBytes: number;
      heapUsedBytes: number;
      heapTotalBytes: number;
      externalBytes: number;
      /** User + system CPU time since the process started. */
      cpuMicros: number;
      /** Open device sockets. */
      connections: number;
      /** The longest the event loop was blocked since the process started, in ms. */
      eventLoopMaxMs: number;
    };

const send = process.send?.bind(process);
if (send === undefined) throw new Error('server-process.ts runs as a child process with IPC');
const data = JSON.parse(process.argv[2] ?? '{}') as ServerProcessData;
const post = (reply: ServerReply) => send(reply);

async function start(): Promise<{ url: string; connections: () => number }> {
  if (data.kind === 'plain') {
    const plain = await startPlainServer(data.port, data.pingIntervalMs);
    return { url: plain.url, connections: () => plain.connectionCount() };
  }
  const marquee = await startTestServer(
    {
      port: data.port,
      logLevel: 'error',
      maxConnectionsPerIp: 0,
      // All 10,000 devices share 127.0.0.1: the per-address connect rate would throttle the
      // reconnect storm itself, which a real fleet (one address per screen) never meets.
      wsConnectsPerIpPerSecond: 0,
      wsPingIntervalMs: data.pingIntervalMs,
      ...(data.databaseUrl === undefined ? {} : { databaseUrl: data.databaseUrl }),
      ...(data.redis === undefined
        ? {}
        : { redisUrl: data.redis.url, redisPrefix: data.redis.prefix }),
    },
    { admin: BENCH_ADMIN, ...(data.dataDir === undefined ? {} : { dataDir: data.dataDir }) },
  );
  if (data.deviceUser !== undefined) {
    await marquee.server.auth.createUser({ ...data.deviceUser, role: 'device' });
  }
  return { url: marquee.url, connections: () => marquee.server.gateway.connectionCount() };
}

async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const server = await start();
// A graceful exit on SIGTERM, so `--cpu-prof` (BENCH_SERVER_NODE_FLAGS) gets to write its profile.
process.once('SIGTERM', () => process.exit(0));
process.on('message', (request: ServerRequest) => {
  void (async () => {
    if (request.gc) await collectGarbage();
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    post({
      type: 'stats',
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      externalBytes: memory.external,
      cpuMicros: cpu.user + cpu.system,
      connections: server.connections(),
      eventLoopMaxMs: Math.round(loopDelay.max / 1e6),
    });
  })();
});
post({ type: 'listening', url: server.url, readyMs: Math.round(performance.now()) });
