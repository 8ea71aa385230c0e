/**
 * Fan-out: the seed 000 snapshot (~1.6 KB) to N subscribers of `WS /api/dashboard/ws`, Marquee's
 * real broadcast path (the Now Playing service builds the snapshot, the hub serialises it once,
 * each connection's bounded queue hands the same bytes to `ws`) against a plain `ws`
 * WebSocketServer sending the same bytes to the same number of clients, in the same run. Both
 * servers run on this thread; the clients (raw `ws`, counting frames) run in a child process, so
 * on a 2-core machine each side has a core. Rounds are paced (client-fleet.ts); short trials
 * alternate between the two servers, whose clients stay connected, and the median of each counts:
 * a machine shared with other work drifts, and alternating pairs see the same drift.
 *
 * `fan-out-sampler` is the same broadcast with Marquee's real system sampler (the default source,
 * ticking every 2 s as configured by default) instead of a counting fake, comparing the server
 * process's CPU per round, its threads and the processes it spawns included (lib/cpu.ts); each
 * trial connects its own clients, so the sampler runs only during Marquee's trials.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { createDefaultSource } from '@marquee/server';
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
  /** Each trial connects its own clients (see runSize). */
  readonly isolate: boolean;
}

type Variant = 'fake-source' | 'real-sampler';

const SETTINGS: Record<Variant, Record<BenchContext['mode'], Settings>> = {
  'fake-source': {
    full: { sizes: [1000, 5000], trialMs: 2000, warmupMs: 1000, pairs: 5, isolate: false },
    smoke: { sizes: [50], trialMs: 400, warmupMs: 100, pairs: 1, isolate: false },
  },
  // Trials of 6 s hold three ticks of the sampler's default 2-second interval.
  'real-sampler': {
    full: { sizes: [1000], trialMs: 6000, warmupMs: 1000, pairs: 5, isolate: true },
    smoke: { sizes: [50], trialMs: 400, warmupMs: 100, pairs: 1, isolate: true },
  },
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

/** Runs `trial` with a fleet of `clients` connected to `server`, greeted and warmed up. */
async function withFleet<T>(
  server: Server,
  clients: number,
  warmupMs: number,
  trial: (fleet: ClientFleet) => Promise<T>,
): Promise<T> {
  const fleet = await ClientFleet.start(server.url, clients);
  try {
    await fleet.waitForEach(server.greeting, 15_000);
    // Let stragglers (a broadcast that raced the connects) land before counting starts.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await fleet.runRounds(() => server.publish(), warmupMs);
    return await trial(fleet);
  } finally {
    await fleet.close();
  }
}

/**
 * Trial pairs for one size, alternating which server goes first. Normally both servers' clients
 * stay connected for the whole size, so trials can alternate quickly; with `isolate`, each trial
 * connects its own clients and closes them after, so nothing of one server (its sampler, which
 * runs while it has subscribers) runs during the other's trial.
 */
async function runSize(
  servers: readonly Server[],
  clients: number,
  settings: Settings,
  context: BenchContext,
): Promise<Trial[]> {
  const trials: Trial[] = [];
  const runTrial = async (server: Server, fleet: ClientFleet) => {
    const result = await fleet.runRounds(() => server.publish(), settings.trialMs);
    context.log(
      `  ${server.label.padEnd(8)} N=${clients}: ${Math.round(result.deliveriesPerSecond).toLocaleString('en-US')} deliveries/s ` +
        `(${result.rounds} rounds; server thread ${(result.serverCpuMicros / result.deliveries).toFixed(2)} µs CPU/delivery, ` +
        `process and children ${(result.serverProcessCpuMicros / result.rounds / 1000).toFixed(2)} ms CPU/round; ` +
        `clients ${Math.round((result.clientCpuMicros / 1000 / result.elapsedMs) * 100)}% of a core)`,
    );
    trials.push({ ...result, server: server.label, clients });
  };
  const order = (pair: number) => (pair % 2 === 0 ? servers : [...servers].reverse());
  if (settings.isolate) {
    for (let pair = 0; pair < settings.pairs; pair++) {
      for (const server of order(pair)) {
        await withFleet(server, clients, settings.warmupMs, (fleet) => runTrial(server, fleet));
      }
    }
    return trials;
  }
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
    for (let pair = 0; pair < settings.pairs; pair++) {
      for (const server of order(pair)) {
        const fleet = fleets.get(server);
        if (fleet !== undefined) await runTrial(server, fleet);
      }
    }
    return trials;
  } finally {
    for (const fleet of fleets.values()) await fleet.close();
  }
}

function fanOutBenchmark(variant: Variant): Benchmark {
  const real = variant === 'real-sampler';
  return {
    name: real ? 'fan-out-sampler' : 'fan-out',
    title: real
      ? 'Fan-out with the real system sampler'
      : 'Fan-out: the seed 000 snapshot to N panels',
    description: real
      ? "The fan-out benchmark with Marquee's real system sampler (default source, 2 s interval) " +
        'instead of a counting fake: server process CPU per round (every thread and spawned ' +
        'processes included) against plain `ws` sending the same bytes; each trial connects its own ' +
        'clients. Target: Marquee ≥ 0.8 × plain ws (CPU per round ≤ 1.25 ×).'
      : "Marquee's `/api/dashboard/ws` broadcast (service → hub → per-connection queue → ws) against a " +
        'plain `ws` WebSocketServer sending the same ~1.6 KB of JSON to the same number of clients. ' +
        'Clients are raw `ws` sockets in a child process; rounds are paced so neither server queues or ' +
        'drops; short trials alternate between the servers and the medians are compared. ' +
        'Target: Marquee ≥ 0.8 × plain ws.',

    async run(context) {
      const settings = SETTINGS[variant][context.mode];
      const largest = Math.max(...settings.sizes);
      const marquee = await startBenchServer(
        {
          maxConnectionsPerIp: largest + 100,
          // With the fake source: no sampler ticks during a trial, every broadcast is the
          // publisher's. With the real one: the default interval. No session expiry either way.
          ...(real ? {} : { sampleIntervalMs: 3_600_000 }),
          // Monitoring's recording would keep the sampler running during the plain ws trials,
          // which share this process: off, it runs only while Marquee's clients are connected.
          monitoringRecord: false,
          sessionTtlSeconds: 86_400,
        },
        real ? { systemSource: createDefaultSource() } : {},
      );
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
          const perRound = (list: readonly Trial[]) =>
            round2(median(list.map((t) => t.serverProcessCpuMicros / t.rounds / 1000)));
          if (real) {
            measurements.push(
              measurement({
                metric: `server process CPU per round, children included, ${clients} clients (median of ${m.length})`,
                unit: 'ms',
                subject: perRound(m),
                subjectLabel: 'Marquee, real sampler',
                baseline: perRound(p),
                baselineLabel: 'plain ws',
                target: { op: '<=', ratio: 1.25 },
              }),
            );
          }
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
              serverProcessCpuMicros: t.serverProcessCpuMicros,
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
}

export const fanOut = fanOutBenchmark('fake-source');
export const fanOutSampler = fanOutBenchmark('real-sampler');

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
