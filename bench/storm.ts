/**
 * Storm: N signage devices connected to one Marquee server process, which is SIGKILLed and
 * restarted on the same port and data directory; measured is the time from the kill until every
 * device is back on a new socket, against a plain `ws` server (plain-server.ts) killed and
 * restarted the same way with the same devices, in the same run. The devices (device-process.ts:
 * raw `ws`, `acks=1`, the SDK socket's reconnect backoff) de-duplicate by `command_id` and count
 * every receipt, and commands flow throughout:
 *
 * - a steady open-loop load of `show_text_overlay` commands to scattered devices, before, across
 *   and after the kill (POSTs that find no server are refused, not issued);
 * - a broadcast to every device (`POST commands/`, `"all"`) just before the kill: answered 202
 *   once stored and written to the sockets, the kill follows at once, before most acks are in;
 * - a broadcast to every device as soon as the restarted server listens, while the devices are
 *   still reconnecting (queued for most of them).
 *
 * Then: every accepted command must be applied exactly once (lost and duplicated count 0), and
 * the re-deliveries (a command the dead server wrote but never saw acknowledged, written again
 * with the same `command_id` and dropped by the device) are reported as they are.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { login } from '@marquee/server/testing';
import { DeviceFleet } from './lib/device-fleet';
import type { StormBack } from './lib/device-process';
import type { Audit } from './lib/ledger';
import { BENCH_ADMIN } from './lib/marquee';
import { DEVICE_ACCOUNT, registerDevices } from './lib/provision';
import { ServerChild } from './lib/server-child';
import type { ServerProcessData } from './lib/server-process';
import { measurement, type Benchmark, type BenchContext } from './types';

interface Settings {
  readonly devices: number;
  readonly ratePerSecond: number;
  /** Load before the kill. */
  readonly beforeKillMs: number;
  /** Load after the last device is back. */
  readonly afterBackMs: number;
  /** How long every device may take to come back before the run fails. */
  readonly backTimeoutMs: number;
  /** How long the audit waits for the last commands. */
  readonly auditWaitMs: number;
}

const SETTINGS: Record<BenchContext['mode'], Settings> = {
  full: {
    devices: 10_000,
    ratePerSecond: 100,
    beforeKillMs: 3000,
    afterBackMs: 5000,
    backTimeoutMs: 180_000,
    auditWaitMs: 60_000,
  },
  smoke: {
    devices: 200,
    ratePerSecond: 50,
    beforeKillMs: 500,
    afterBackMs: 500,
    backTimeoutMs: 60_000,
    auditWaitMs: 20_000,
  },
};

/**
 * `BENCH_STORM_DEVICES` and `BENCH_STORM_BACK_TIMEOUT_S` override the full run's size and how
 * long the devices may take to come back (a loaded machine); the report says so in `settings`.
 */
function withOverrides(settings: Settings): Settings {
  const devices = Number(process.env.BENCH_STORM_DEVICES ?? settings.devices);
  const backS = Number(process.env.BENCH_STORM_BACK_TIMEOUT_S ?? settings.backTimeoutMs / 1000);
  if (!Number.isInteger(devices) || devices < 1 || !(backS > 0)) {
    throw new Error('BENCH_STORM_DEVICES / BENCH_STORM_BACK_TIMEOUT_S must be positive numbers');
  }
  return { ...settings, devices, backTimeoutMs: backS * 1000 };
}

const PREFIX = 'STORM-';
const PING_INTERVAL_MS = 25_000;
const BROADCASTS = ['broadcast-before-kill', 'broadcast-after-restart'] as const;

interface Storm {
  readonly back: StormBack;
  /** From the kill to the restarted server listening. */
  readonly restartMs: number;
  /** The restarted process's own start → listening. */
  readonly readyMs: number;
}

/** Sends `tag` to every device; resolves with how many commands were accepted. */
async function broadcast(url: string, token: string, tag: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/admin/cloud/commands/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      sn_numbers: 'all',
      command: { action: 'show_text_overlay', text_overlay: { text: tag } },
    }),
  });
  const text = await res.text();
  if (res.status !== 202) throw new Error(`broadcast ${tag}: ${res.status} ${text}`);
  return (JSON.parse(text) as { commands: unknown[] }).commands.length;
}

/**
 * Kills `server`, restarts it on the same port (and data), and waits until every device is back;
 * `afterRestart` runs as soon as the new process listens.
 */
async function killAndRestart(
  server: ServerChild,
  data: ServerProcessData,
  devices: DeviceFleet,
  settings: Settings,
  afterRestart: (server: ServerChild) => Promise<void>,
): Promise<{ server: ServerChild; storm: Storm }> {
  const { back } = await devices.markStorm(settings.backTimeoutMs);
  const killedAt = performance.now();
  await server.kill();
  const restarted = await ServerChild.start({ ...data, port: server.port });
  const restartMs = performance.now() - killedAt;
  await afterRestart(restarted);
  return {
    server: restarted,
    storm: { back: await back, restartMs: Math.round(restartMs), readyMs: restarted.readyMs },
  };
}

export const storm: Benchmark = {
  name: 'storm',
  title: 'Storm: SIGKILL and restart with 10,000 devices connected',
  description:
    'N signage devices connected to one Marquee server process, which is SIGKILLed under a steady ' +
    'command load, just after a broadcast to every device, and restarted on the same port and data; ' +
    'a second broadcast follows as soon as it listens. Time from the kill until every device is ' +
    'back, against a plain `ws` server killed and restarted the same way with the same devices ' +
    '(raw `ws`, `acks=1`, the SDK socket’s reconnect backoff); then every command accepted (202) ' +
    'is counted at the devices, which de-duplicate by `command_id`. Targets: all back within 30 s, ' +
    '0 lost, 0 applied twice.',

  async run(context) {
    const settings = withOverrides(SETTINGS[context.mode]);
    const n = settings.devices;
    const dataDir = mkdtempSync(join(tmpdir(), 'marquee-bench-storm-'));
    let server: ServerChild | undefined;
    let devices: DeviceFleet | undefined;
    const cleanUp = async () => {
      await devices?.close();
      devices = undefined;
      // SIGTERM: a profiled server (BENCH_SERVER_NODE_FLAGS) writes its profile as it exits.
      await server?.stop();
      server = undefined;
    };
    try {
      // Baseline: the plain ws server, killed and restarted with the same devices.
      const plainData: ServerProcessData = {
        kind: 'plain',
        port: 0,
        pingIntervalMs: PING_INTERVAL_MS,
      };
      server = await ServerChild.start(plainData);
      devices = await DeviceFleet.start({
        url: server.url,
        token: 'unused',
        count: n,
        prefix: PREFIX,
      });
      await server.waitForConnections(n);
      const plainRun = await killAndRestart(server, plainData, devices, settings, () =>
        Promise.resolve(),
      );
      server = plainRun.server;
      const plain = plainRun.storm;
      const plainCpuMs = Math.round((await server.stats()).cpuMicros / 1000);
      context.log(
        `  plain ws: all ${n} back ${plain.back.ms} ms after the kill (listening again after ${plain.restartMs} ms)`,
      );
      await cleanUp();

      // Marquee.
      const marqueeData: ServerProcessData = {
        kind: 'marquee',
        port: 0,
        dataDir,
        pingIntervalMs: PING_INTERVAL_MS,
      };
      server = await ServerChild.start({ ...marqueeData, deviceUser: DEVICE_ACCOUNT });
      const url = server.url;
      const admin = await login(url, BENCH_ADMIN);
      const deviceToken = await login(url, DEVICE_ACCOUNT);
      const registerMs = await registerDevices(url, deviceToken, PREFIX, n);
      devices = await DeviceFleet.start({ url, token: deviceToken, count: n, prefix: PREFIX });
      await server.waitForConnections(n);
      context.log(
        `  Marquee: ${n} devices registered (${Math.round(registerMs)} ms) and connected`,
      );

      await devices.startLoad({
        url,
        adminToken: admin,
        ratePerSecond: settings.ratePerSecond,
        tag: 'load-',
      });
      await sleep(settings.beforeKillMs);
      const before = await broadcast(url, admin, BROADCASTS[0]);
      let after = 0;
      const marqueeRun = await killAndRestart(server, marqueeData, devices, settings, async () => {
        after = await broadcast(url, admin, BROADCASTS[1]);
      });
      server = marqueeRun.server;
      const marquee = marqueeRun.storm;
      const marqueeStats = await server.stats();
      const marqueeLoop = marqueeStats.eventLoopMaxMs;
      const marqueeCpuMs = Math.round(marqueeStats.cpuMicros / 1000);
      context.log(
        `  Marquee:  all ${n} back ${marquee.back.ms} ms after the kill (listening again after ${marquee.restartMs} ms)`,
      );
      await sleep(settings.afterBackMs);
      await devices.stopLoad();
      const audit: Audit = await devices.audit([...BROADCASTS], settings.auditWaitMs);
      context.log(
        `  Marquee:  ${audit.issued} commands issued, ${audit.lost} lost, ${audit.duplicated} applied twice, ` +
          `${audit.redeliveries} re-deliveries dropped by the devices`,
      );
      if (before !== n || after !== n) {
        throw new Error(`a broadcast reached ${before} / ${after} devices, not ${n}`);
      }

      const notes: string[] = [];
      if (audit.lost > 0) {
        notes.push(
          `LOST ${audit.lost} commands, e.g. ${audit.lostSample.join(', ')} (device|tag).`,
        );
      }
      if (audit.unknown > 0) notes.push(`${audit.unknown} commands arrived that nobody issued.`);
      notes.push(
        `${audit.posts.refused} load POSTs found no server (refused while it was down; not issued), ` +
          `${audit.posts.ambiguous} broke with the kill (their fate unknown to the sender; ` +
          `${audit.ambiguousDelivered} of them had been stored and were delivered).`,
      );
      return {
        measurements: [
          measurement({
            metric: `time until all ${n.toLocaleString('en-US')} devices are back after SIGKILL`,
            unit: 's',
            subject: marquee.back.ms / 1000,
            subjectLabel: 'Marquee',
            baseline: plain.back.ms / 1000,
            baselineLabel: 'plain ws',
            target: { op: '<=', value: 30 },
          }),
          measurement({
            metric: 'CPU of the restarted server process until all are back (start-up included)',
            unit: 's',
            subject: marqueeCpuMs / 1000,
            subjectLabel: 'Marquee',
            baseline: plainCpuMs / 1000,
            baselineLabel: 'plain ws',
          }),
          measurement({
            metric: 'commands lost (never received)',
            unit: 'commands',
            subject: audit.lost,
            subjectLabel: 'Marquee',
            baseline: audit.issued,
            baselineLabel: 'issued',
            target: { op: '==', value: 0 },
          }),
          measurement({
            metric: 'commands applied twice (two command_ids)',
            unit: 'commands',
            subject: audit.duplicated,
            subjectLabel: 'Marquee',
            baseline: audit.issued,
            baselineLabel: 'issued',
            target: { op: '==', value: 0 },
          }),
          measurement({
            metric: 're-deliveries (same command_id again, dropped by the device)',
            unit: 'frames',
            subject: audit.redeliveries,
            subjectLabel: 'Marquee',
            baseline: audit.issued,
            baselineLabel: 'issued',
          }),
        ],
        notes,
        details: {
          settings,
          registerMs: Math.round(registerMs),
          broadcasts: { beforeKill: before, afterRestart: after },
          storms: { marquee, plain },
          // CPU time of each restarted server process from its start until every device was
          // back (start-up included): less bent by other work on the machine than wall time.
          restartedServerCpuMs: { marquee: marqueeCpuMs, plain: plainCpuMs },
          marqueeEventLoopMaxMs: marqueeLoop,
          audit,
        },
      };
    } finally {
      await cleanUp();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
