/**
 * Fan-out: the seed 000 snapshot (~1.6 KB) to N subscribers of `WS /api/dashboard/ws`, Marquee's
 * real broadcast path (the Now Playing service builds the snapshot, the hub serialises it once,
 * each connection's bounded queue hands the same bytes to `ws`) against a plain `ws`
 * WebSocketServer sending the same bytes to the same number of clients, in the same run. Both
 * servers run on this thread; the clients (raw `ws`, counting frames) run in a child process, so
 * on a 2-core machine each side has a core. Rounds are paced (client-fleet.ts); short trials
 * alternate between the two servers, whose clients stay connected, and the median of each counts:
 * a machine shared with other work drifts, and alternating pairs see the same drift.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { ClientFleet, type RoundsResult } from './lib/client-fleet';
import { startBenchServer } from './lib/marquee';
import { playSeedSessions } from './lib/seed-snapshot';
import { measurement, type Benchmark, type BenchContext, type Measurement } from './types';
import { median } from './lib/stats';

interface Settings {
  readonly sizes: readonly number[];
  readonly trialMs: number;
  readonly warmupMs: number;
  /** Trial pairs (plain ws, then Marquee, alternating which goes first) per size. */
  readonly pairs: number;
}

const SETTINGS: Record<BenchContext['mode'], Settings> = {
  full: { sizes: [1000, 5000], trialMs: 2000, warmupMs: 1000, pairs: 5 },
  smoke: { sizes: [50], trialMs: 400, warmupMs: 100, pairs: 1 },
};

interface Server {
  readonly label: string;
  readonly url: string;
  /** Sends one message to every subscriber. */
  publish(): void;
  /** Frames every client gets on connect before the measurement (Marquee: the greeting). */
  readonly greeting: number;
}

interface Trial extends RoundsResult {
  readonly server: string;
  readonly clients: number;
}

/** Both servers' clients stay connected for the whole size, so trials can alternate quickly. */
async function runSize(
  servers: readonly Server[],
  clients: number,
  settings: Settings,
  context: BenchContext,
): Promise<Trial[]> {
  const fleets = new Map<Server, ClientFleet>();
  try {
    for (const server of servers) {
      const fleet = await ClientFleet.start(server.url, clients);
      fleets.set(server, fleet);
      await fleet.waitForEach(server.greeting, 15_000);
    }
    // Let stragglers (a broadcast that raced the connects) land before counting starts.
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const [server, fleet] of fleets) {
      await fleet.runRounds(() => server.publish(), settings.warmupMs);
    }
    const trials: Trial[] = [];
    for (let pair = 0; pair < settings.pairs; pair++) {
      const order = pair % 2 === 0 ? servers : [...servers].reverse();
      for (const server of order) {
        const fleet = fleets.get(server);
        if (fleet === undefined) continue;
        const result = await fleet.runRounds(() => server.publish(), settings.trialMs);
        context.log(
          `  ${server.label.padEnd(8)} N=${clients}: ${Math.round(result.deliveriesPerSecond).toLocaleString('en-US')} deliveries/s ` +
            `(${result.rounds} rounds; server thread ${(result.serverCpuMicros / result.deliveries).toFixed(2)} µs CPU/delivery; ` +
            `clients ${Math.round((result.clientCpuMicros / 1000 / result.elapsedMs) * 100)}% of a core)`,
        );
        trials.push({ ...result, server: server.label, clients });
      }
    }
    return trials;
  } finally {
    for (const fleet of fleets.values()) await fleet.close();
  }
}

export const fanOut: Benchmark = {
  name: 'fan-out',
  title: 'Fan-out: the seed 000 snapshot to N panels',
  description:
    "Marquee's `/api/dashboard/ws` broadcast (service → hub → per-connection queue → ws) against a " +
    'plain `ws` WebSocketServer sending the same ~1.6 KB of JSON to the same number of clients. ' +
    'Clients are raw `ws` sockets in a child process; rounds are paced so neither server queues or ' +
    'drops; short trials alternate between the servers and the medians are compared. ' +
    'Target: Marquee ≥ 0.8 × plain ws.',

  async run(context) {
    const settings = SETTINGS[context.mode];
    const largest = Math.max(...settings.sizes);
    const marquee = await startBenchServer({
      maxConnectionsPerIp: largest + 100,
      // No sampler ticks and no session expiry during a trial: every broadcast is the publisher's.
      sampleIntervalMs: 3_600_000,
      sessionTtlSeconds: 86_400,
    });
    const plain = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await new Promise((resolve) => plain.once('listening', resolve));
    try {
      const token = await marquee.login();
      const payload = await playSeedSessions(marquee, token);
      context.log(`  payload: ${payload.length} bytes (seed 000 snapshot)`);
      const servers: Server[] = [
        {
          label: 'plain ws',
          url: `ws://127.0.0.1:${(plain.address() as AddressInfo).port}`,
          greeting: 0,
          publish: () => {
            for (const client of plain.clients) client.send(payload, { binary: false });
          },
        },
        {
          label: 'Marquee',
          url: `${marquee.url.replace(/^http/, 'ws')}/api/dashboard/ws`,
          greeting: 1,
          publish: () => marquee.server.nowPlaying.broadcast(),
        },
      ];

      const trials: Trial[] = [];
      for (const clients of settings.sizes) {
        trials.push(...(await runSize(servers, clients, settings, context)));
      }

      const measurements: Measurement[] = [];
      const notes: string[] = [];
      for (const clients of settings.sizes) {
        const of = (label: string) =>
          trials.filter((t) => t.clients === clients && t.server === label);
        const m = of('Marquee');
        const p = of('plain ws');
        const rate = (list: readonly Trial[]) =>
          Math.round(median(list.map((t) => t.deliveriesPerSecond)));
        const cpu = (list: readonly Trial[]) =>
          round2(median(list.map((t) => t.serverCpuMicros / t.deliveries)));
        measurements.push(
          measurement({
            metric: `deliveries/s, ${clients} clients (median of ${m.length})`,
            unit: 'msg/s',
            subject: rate(m),
            subjectLabel: 'Marquee',
            baseline: rate(p),
            baselineLabel: 'plain ws',
            target: { op: '>=', ratio: 0.8 },
          }),
          measurement({
            metric: `server-thread CPU per delivery, ${clients} clients`,
            unit: 'µs',
            subject: cpu(m),
            subjectLabel: 'Marquee',
            baseline: cpu(p),
            baselineLabel: 'plain ws',
          }),
        );
        const clientLoad = median(p.map((t) => t.clientCpuMicros / 1000 / t.elapsedMs));
        if (clientLoad > 0.9) {
          notes.push(
            `${clients} clients: the client process used ${Math.round(clientLoad * 100)}% of a core in the plain ws ` +
              'trials, so deliveries/s is bounded by the clients as much as by the server; the server-thread ' +
              'CPU per delivery compares the servers alone.',
          );
        }
        const frameSizes = new Set([...m, ...p].map((t) => t.clientStats.lastFrameBytes));
        if (frameSizes.size > 1) {
          notes.push(
            `${clients} clients: frame sizes differed: ${[...frameSizes].join(' / ')} bytes.`,
          );
        }
      }
      return {
        measurements,
        notes,
        details: {
          payloadBytes: payload.length,
          settings,
          trials: trials.map((t) => ({
            server: t.server,
            clients: t.clients,
            rounds: t.rounds,
            deliveries: t.deliveries,
            elapsedMs: Math.round(t.elapsedMs),
            deliveriesPerSecond: Math.round(t.deliveriesPerSecond),
            serverCpuMicros: t.serverCpuMicros,
            clientCpuMicros: t.clientCpuMicros,
            frameBytes: t.clientStats.lastFrameBytes,
          })),
        },
      };
    } finally {
      for (const client of plain.clients) client.terminate();
      await new Promise((resolve) => plain.close(resolve));
      await marquee.close();
    }
  },
};

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
