/**
 * Cluster: signage command latency across the hop between two instances, beside one instance,
 * in the same run and on the same PostgreSQL database. Every server is a child process of its
 * own (server-process.ts); each fleet of devices (device-process.ts: raw `ws` sockets with
 * `acks=1` that ack every command) runs in another.
 *
 * - one instance: a Marquee server on PostgreSQL without the bus; its devices are connected to
 *   it and the commands are POSTed to it;
 * - across the hop: two Marquee servers on the same database and one Redis (`MARQUEE_REDIS_URL`,
 *   a key prefix of this run); the devices are connected to B and every command is POSTed to A,
 *   so each one is stored by A, routed through Redis to B and written by B.
 *
 * Latency is `POST devices/{sn}/commands/` start → the device's receipt, under an open-loop load;
 * short trials alternate between the two setups and the medians of each trial's p50 and p99
 * count. The devices of each setup are half of N (N split over the two setups' servers).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { login } from '@marquee/server/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DeviceFleet } from './lib/device-fleet';
import type { Audit } from './lib/ledger';
import { BENCH_ADMIN } from './lib/marquee';
import { DEVICE_ACCOUNT, registerDevices } from './lib/provision';
import { ServerChild } from './lib/server-child';
import { median } from './lib/stats';
import { measurement, type Benchmark, type BenchContext } from './types';

interface Settings {
  /** Devices per setup. */
  readonly devices: number;
  readonly pairs: number;
  readonly trialMs: number;
  readonly warmupMs: number;
  readonly ratePerSecond: number;
}

const SETTINGS: Record<BenchContext['mode'], Settings> = {
  full: { devices: 5000, pairs: 3, trialMs: 5000, warmupMs: 2000, ratePerSecond: 200 },
  smoke: { devices: 100, pairs: 1, trialMs: 1000, warmupMs: 300, ratePerSecond: 50 },
};

const PG_URL = process.env.MARQUEE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.MARQUEE_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function dropKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

interface Setup {
  readonly label: 'one instance' | 'across the hop';
  /** Where the commands are POSTed. */
  readonly postTo: ServerChild;
  /** Where the devices are connected. */
  readonly holder: ServerChild;
  readonly prefix: string;
  fleet?: DeviceFleet;
  readonly trials: (Audit & { readonly pair: number })[];
}

const round2 = (value: number) => Math.round(value * 100) / 100;

export const cluster: Benchmark = {
  name: 'cluster',
  title: 'Cluster: command latency across the hop between two instances',
  description:
    'Signage command latency (POST → device receipt) with the command POSTed to instance A and ' +
    'the device connected to instance B (two Marquee processes on one PostgreSQL database and ' +
    'one Redis, MARQUEE_REDIS_URL), beside one Marquee process on the same database without ' +
    'the bus; N devices per setup, raw `ws` sockets with `acks=1`, open-loop load, alternating ' +
    'trials, medians. Target (issue 15): p99 ≤ 15 ms across the hop at 200 commands/s.',

  async run(context) {
    const settings = SETTINGS[context.mode];
    const n = settings.devices;
    const name = `marquee_bench_${randomBytes(5).toString('hex')}`;
    const prefix = `marquee-bench-${randomBytes(5).toString('hex')}:`;
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    const databaseUrl = url.toString();
    await admin(`CREATE DATABASE ${name}`);
    const dirs: string[] = [];
    const servers: ServerChild[] = [];
    const setups: Setup[] = [];
    const start = async (options: { bus: boolean; deviceUser: boolean }) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'marquee-bench-cluster-'));
      dirs.push(dataDir);
      const server = await ServerChild.start({
        kind: 'marquee',
        port: 0,
        dataDir,
        pingIntervalMs: 25_000,
        databaseUrl,
        ...(options.bus ? { redis: { url: REDIS_URL, prefix } } : {}),
        ...(options.deviceUser ? { deviceUser: DEVICE_ACCOUNT } : {}),
      });
      servers.push(server);
      return server;
    };
    try {
      const single = await start({ bus: false, deviceUser: true });
      const a = await start({ bus: true, deviceUser: false });
      const b = await start({ bus: true, deviceUser: false });
      setups.push(
        { label: 'one instance', postTo: single, holder: single, prefix: 'ONE-', trials: [] },
        { label: 'across the hop', postTo: a, holder: b, prefix: 'HOP-', trials: [] },
      );
      const deviceToken = await login(single.url, DEVICE_ACCOUNT);
      const adminToken = await login(single.url, BENCH_ADMIN);
      for (const setup of setups) {
        const ms = await registerDevices(setup.holder.url, deviceToken, setup.prefix, n);
        context.log(`  ${setup.label}: registered ${n} devices in ${Math.round(ms)} ms`);
        setup.fleet = await DeviceFleet.start({
          url: setup.holder.url,
          token: deviceToken,
          count: n,
          prefix: setup.prefix,
        });
      }
      // The holders' own sockets (the single server holds only its fleet; B only the other).
      await single.waitForConnections(n);
      await b.waitForConnections(n);
      await sleep(1000);

      const trial = async (setup: Setup, tag: string, ms: number): Promise<Audit> => {
        const fleet = setup.fleet;
        if (fleet === undefined) throw new Error(`${setup.label} has no devices`);
        await fleet.startLoad({
          url: setup.postTo.url,
          adminToken,
          ratePerSecond: settings.ratePerSecond,
          tag: `${setup.prefix}${tag}-`,
        });
        await sleep(ms);
        await fleet.stopLoad();
        return fleet.audit([], 10_000);
      };
      for (const setup of setups) await trial(setup, 'warmup', settings.warmupMs);
      for (let pair = 0; pair < settings.pairs; pair++) {
        const order = pair % 2 === 0 ? setups : [...setups].reverse();
        for (const setup of order) {
          const result = await trial(setup, String(pair), settings.trialMs);
          setup.trials.push({ ...result, pair });
          context.log(
            `  ${setup.label.padEnd(14)} trial ${pair + 1}: ${result.latency.count} commands, ` +
              `p50 ${result.latency.p50Ms} ms, p99 ${result.latency.p99Ms} ms` +
              (result.lost > 0 ? `, ${result.lost} LOST` : ''),
          );
        }
      }

      const [one, hop] = setups as [Setup, Setup];
      const latency = (setup: Setup, key: 'p50Ms' | 'p99Ms') =>
        round2(median(setup.trials.map((t) => t.latency[key])));
      const label = `${n.toLocaleString('en-US')} devices per setup, ${settings.ratePerSecond}/s (median of ${hop.trials.length})`;
      const notes: string[] = [];
      for (const setup of setups) {
        const lost = setup.trials.reduce((sum, t) => sum + t.lost, 0);
        const twice = setup.trials.reduce((sum, t) => sum + t.redeliveries, 0);
        if (lost > 0 || twice > 0) {
          notes.push(`${setup.label}: ${lost} commands never arrived, ${twice} arrived twice.`);
        }
      }
      return {
        measurements: [
          measurement({
            metric: `command latency p50, ${label}`,
            unit: 'ms',
            subject: latency(hop, 'p50Ms'),
            subjectLabel: 'across the hop',
            baseline: latency(one, 'p50Ms'),
            baselineLabel: 'one instance',
          }),
          measurement({
            metric: `command latency p99, ${label}`,
            unit: 'ms',
            subject: latency(hop, 'p99Ms'),
            subjectLabel: 'across the hop',
            baseline: latency(one, 'p99Ms'),
            baselineLabel: 'one instance',
            target: { op: '<=', value: 15 },
          }),
        ],
        notes,
        details: {
          settings,
          setups: setups.map((setup) => ({
            setup: setup.label,
            trials: setup.trials.map((t) => ({
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
      for (const setup of setups) await setup.fleet?.close();
      for (const server of servers) await server.kill();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await dropKeys(prefix).catch(() => undefined);
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  },
};
