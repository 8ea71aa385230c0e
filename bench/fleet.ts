/**
 * Fleet: N simulated signage devices held by one Marquee server process, against a plain `ws`
 * server (plain-server.ts) holding the same number of device sockets, in the same run. Each
 * server runs alone in a child process (server-process.ts), so its RSS and CPU time are its own;
 * each server's devices (device-process.ts: raw `ws` sockets with `acks=1` that ack every
 * command) run in a child process of their own. Measured:
 *
 * - RSS per connection: (RSS with N devices − RSS before the first) / N, garbage collected first;
 * - CPU at idle: both servers' CPU time over one heartbeat interval with N devices and no traffic;
 * - command latency: an open-loop load of `show_text_overlay` commands to scattered devices,
 *   `POST devices/{sn}/commands/` start → the device's receipt, timed in the device process;
 *   short trials alternate between the servers and the medians of each trial's p50 and p99 count.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { login } from '@marquee/server/testing';
import { DeviceFleet } from './lib/device-fleet';
import type { Audit } from './lib/ledger';
import { BENCH_ADMIN } from './lib/marquee';
import { DEVICE_ACCOUNT, registerDevices } from './lib/provision';
import { ServerChild, type ServerStats } from './lib/server-child';
import { measurement, type Benchmark, type BenchContext, type Measurement } from './types';
import { median } from './lib/stats';

interface Settings {
  readonly devices: number;
  /** Server heartbeat interval (Marquee's default is 25 s); the idle window is one interval. */
  readonly pingIntervalMs: number;
  /** Latency trial pairs (one per server, alternating which goes first). */
  readonly pairs: number;
  readonly trialMs: number;
  /** A first trial per server, not counted (connections to the admin API, JIT). */
  readonly warmupMs: number;
  readonly ratePerSecond: number;
}

const SETTINGS: Record<BenchContext['mode'], Settings> = {
  full: {
    devices: 10_000,
    pingIntervalMs: 25_000,
    pairs: 3,
    trialMs: 5000,
    warmupMs: 2000,
    ratePerSecond: 200,
  },
  smoke: {
    devices: 200,
    pingIntervalMs: 1000,
    pairs: 1,
    trialMs: 1000,
    warmupMs: 300,
    ratePerSecond: 50,
  },
};

const PREFIX = 'FLEET-';

interface Side {
  readonly label: 'Marquee' | 'plain ws';
  readonly server: ServerChild;
  readonly adminToken: string;
  fleet?: DeviceFleet;
  empty?: ServerStats;
  full?: ServerStats;
  idleCpuMicros?: number;
  readonly trials: (Audit & { readonly pair: number })[];
}

const round2 = (value: number) => Math.round(value * 100) / 100;

export const fleet: Benchmark = {
  name: 'fleet',
  title: 'Fleet: 10,000 signage devices on one server process',
  description:
    'N simulated signage devices (raw `ws` sockets with `acks=1`, acknowledging every command) ' +
    'held by one Marquee server process, against a plain `ws` server holding the same number of ' +
    'device sockets and writing each POSTed command to its device; both servers in child ' +
    'processes of their own, the devices in others. RSS per connection, CPU over one idle ' +
    'heartbeat interval, and POST → device receipt latency under a steady open-loop command ' +
    'load (alternating trials, medians). Targets: ≤ 30 KB RSS per device, p99 ≤ 25 ms.',

  async run(context) {
    const settings = SETTINGS[context.mode];
    const n = settings.devices;
    const dataDir = mkdtempSync(join(tmpdir(), 'marquee-bench-fleet-'));
    const sides: Side[] = [];
    try {
      const marquee = await ServerChild.start({
        kind: 'marquee',
        port: 0,
        dataDir,
        pingIntervalMs: settings.pingIntervalMs,
        deviceUser: DEVICE_ACCOUNT,
      });
      sides.push({
        label: 'Marquee',
        server: marquee,
        adminToken: await login(marquee.url, BENCH_ADMIN),
        trials: [],
      });
      const plain = await ServerChild.start({
        kind: 'plain',
        port: 0,
        pingIntervalMs: settings.pingIntervalMs,
      });
      sides.push({ label: 'plain ws', server: plain, adminToken: 'unused', trials: [] });

      const deviceToken = await login(marquee.url, DEVICE_ACCOUNT);
      const registerMs = await registerDevices(marquee.url, deviceToken, PREFIX, n);
      context.log(`  registered ${n} devices in ${Math.round(registerMs)} ms`);

      for (const side of sides) {
        side.empty = await side.server.stats(true);
        const started = performance.now();
        side.fleet = await DeviceFleet.start({
          url: side.server.url,
          token: deviceToken,
          count: n,
          prefix: PREFIX,
        });
        await side.server.waitForConnections(n);
        const connectMs = performance.now() - started;
        await sleep(1000);
        side.full = await side.server.stats(true);
        context.log(
          `  ${side.label.padEnd(8)} ${n} devices connected in ${Math.round(connectMs)} ms; ` +
            `RSS ${mb(side.empty.rssBytes)} → ${mb(side.full.rssBytes)} MB`,
        );
      }

      // Idle: both servers over the same window, one heartbeat interval long.
      const before = await Promise.all(sides.map((side) => side.server.stats()));
      const idleStarted = performance.now();
      await sleep(settings.pingIntervalMs);
      const idleMs = performance.now() - idleStarted;
      const after = await Promise.all(sides.map((side) => side.server.stats()));
      sides.forEach((side, i) => {
        side.idleCpuMicros = (after[i]?.cpuMicros ?? 0) - (before[i]?.cpuMicros ?? 0);
      });

      const trial = async (side: Side, name: string, ms: number): Promise<Audit> => {
        const devices = side.fleet;
        if (devices === undefined) throw new Error(`${side.label} has no devices`);
        await devices.startLoad({
          url: side.server.url,
          adminToken: side.adminToken,
          ratePerSecond: settings.ratePerSecond,
          tag: `${side.label}-${name}-`,
        });
        await sleep(ms);
        await devices.stopLoad();
        return devices.audit([], 10_000);
      };
      for (const side of sides) await trial(side, 'warmup', settings.warmupMs);
      for (let pair = 0; pair < settings.pairs; pair++) {
        const order = pair % 2 === 0 ? sides : [...sides].reverse();
        for (const side of order) {
          const result = await trial(side, String(pair), settings.trialMs);
          side.trials.push({ ...result, pair });
          context.log(
            `  ${side.label.padEnd(8)} trial ${pair + 1}: ${result.latency.count} commands, ` +
              `p50 ${result.latency.p50Ms} ms, p99 ${result.latency.p99Ms} ms, max ${result.latency.maxMs} ms` +
              (result.lost > 0 ? `, ${result.lost} LOST` : ''),
          );
        }
      }

      const [m, p] = sides as [Side, Side];
      const perConnectionKb = (side: Side) =>
        round2(((side.full?.rssBytes ?? 0) - (side.empty?.rssBytes ?? 0)) / n / 1024);
      const idlePercent = (side: Side) => round2(((side.idleCpuMicros ?? 0) / 1000 / idleMs) * 100);
      const latency = (side: Side, key: 'p50Ms' | 'p99Ms') =>
        round2(median(side.trials.map((t) => t.latency[key])));
      const devices = `${n.toLocaleString('en-US')} devices`;
      const measurements: Measurement[] = [
        measurement({
          metric: `RSS per connection, ${devices}`,
          unit: 'KB',
          subject: perConnectionKb(m),
          subjectLabel: 'Marquee',
          baseline: perConnectionKb(p),
          baselineLabel: 'plain ws',
          target: { op: '<=', value: 30 },
        }),
        measurement({
          metric: `server CPU at idle, ${devices}, ${settings.pingIntervalMs / 1000} s heartbeat`,
          unit: '% of a core',
          subject: idlePercent(m),
          subjectLabel: 'Marquee',
          baseline: idlePercent(p),
          baselineLabel: 'plain ws',
        }),
        measurement({
          metric: `command latency p50, ${devices}, ${settings.ratePerSecond}/s (median of ${m.trials.length})`,
          unit: 'ms',
          subject: latency(m, 'p50Ms'),
          subjectLabel: 'Marquee',
          baseline: latency(p, 'p50Ms'),
          baselineLabel: 'plain ws',
        }),
        measurement({
          metric: `command latency p99, ${devices}, ${settings.ratePerSecond}/s (median of ${m.trials.length})`,
          unit: 'ms',
          subject: latency(m, 'p99Ms'),
          subjectLabel: 'Marquee',
          baseline: latency(p, 'p99Ms'),
          baselineLabel: 'plain ws',
          target: { op: '<=', value: 25 },
        }),
      ];

      const notes: string[] = [];
      for (const side of sides) {
        const lost = side.trials.reduce((sum, t) => sum + t.lost, 0);
        const redelivered = side.trials.reduce((sum, t) => sum + t.redeliveries, 0);
        if (lost > 0 || redelivered > 0) {
          notes.push(
            `${side.label}: ${lost} commands never reached their device, ${redelivered} arrived twice.`,
          );
        }
      }
      return {
        measurements,
        notes,
        details: {
          settings,
          registerMs: Math.round(registerMs),
          idleMs: Math.round(idleMs),
          servers: sides.map((side) => ({
            server: side.label,
            rssEmptyBytes: side.empty?.rssBytes,
            rssFullBytes: side.full?.rssBytes,
            heapUsedEmptyBytes: side.empty?.heapUsedBytes,
            heapUsedFullBytes: side.full?.heapUsedBytes,
            heapPerConnectionBytes: Math.round(
              ((side.full?.heapUsedBytes ?? 0) - (side.empty?.heapUsedBytes ?? 0)) / n,
            ),
            externalPerConnectionBytes: Math.round(
              ((side.full?.externalBytes ?? 0) - (side.empty?.externalBytes ?? 0)) / n,
            ),
            idleCpuMicros: side.idleCpuMicros,
            trials: side.trials.map((t) => ({
              pair: t.pair,
              posts: t.posts,
              lost: t.lost,
              redeliveries: t.redeliveries,
              latency: t.latency,
            })),
          })),
        },
      };
    } finally {
      for (const side of sides) {
        await side.fleet?.close();
        await side.server.kill();
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}
