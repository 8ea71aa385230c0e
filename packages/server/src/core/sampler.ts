/**
 * The system sampler: ONE reader of CPU, memory, disk and network figures for the whole server.
 * Every socket, REST call and dashboard that wants system stats subscribes here, so 1,000
 * displays cost the machine what one costs. The timer runs only while somebody listens, and a
 * slow read (a hung `df`, a busy sensor) skips ticks instead of stacking up reads (both are
 * `./shared-sampler`'s; this file adds the probe and the units).
 *
 * Units (the seed's field names): percentages 0–100; `ram_*_mb` in MiB (2^20 bytes), rounded;
 * `disk_*_gb` in GB (10^9 bytes, as disk vendors and `df -H` count), one decimal; network rates in
 * true bits per second (byte-counter delta × 8 / elapsed seconds); uptime in whole seconds.
 */
import { networkInterfaces, loadavg } from 'node:os';
import { resolve, sep } from 'node:path';
import type { protocol } from '@marquee/sdk';
import si from 'systeminformation';
import { monotonicNow } from './clock';
import { createLinuxSource } from './linux-source';
import {
  createSharedSampler,
  type SharedSampler,
  type SharedSamplerOptions,
} from './shared-sampler';

/** The snapshot's `system` block minus `active_users`, which only the session store knows. */
export type SystemSample = Omit<protocol.nowPlaying.SystemStats, 'active_users'>;

/** Raw figures from the machine; the sampler turns them into rates and display units. */
export interface SystemReading {
  readonly cpuPercent: number;
  /** Busy percent of each logical core (empty or absent where the source cannot tell). */
  readonly corePercents?: readonly number[];
  /** Degrees Celsius, or null where no sensor can be read. */
  readonly cpuTempC: number | null;
  readonly memUsedBytes: number;
  readonly memTotalBytes: number;
  readonly diskUsedBytes: number;
  readonly diskTotalBytes: number;
  /** Cumulative bytes received / sent since boot, summed over non-loopback interfaces. */
  readonly rxBytes: number;
  readonly txBytes: number;
  readonly uptimeSeconds: number;
  readonly loadAvg1: number;
}

/**
 * Where readings come from; tests inject a fake, production reads `/proc` and `/sys` on Linux
 * (`./linux-source`) and uses systeminformation elsewhere.
 */
export interface SystemSource {
  read(): Promise<SystemReading>;
}

export interface SystemSamplerOptions extends Omit<
  SharedSamplerOptions<SystemSample>,
  'probe' | 'intervalMs'
> {
  /** Time between samples while anyone is subscribed (config.sampleIntervalMs). */
  readonly intervalMs: number;
  /** @default createDefaultSource() */
  readonly source?: SystemSource;
}

/** The shared sampler of system stats: `sampleCount` counts reads of the machine. */
export interface SystemSampler extends SharedSampler<SystemSample> {
  /**
   * The raw reading a sample was made from (per-core figures, exact bytes), for surfaces that
   * need more than the Now Playing block; undefined for an object that is not one of its samples.
   */
  readingOf(sample: SystemSample): SystemReading | undefined;
}

interface Counters {
  readonly rx: number;
  readonly tx: number;
  readonly at: number;
}

export function createSystemSampler(options: SystemSamplerOptions): SystemSampler {
  const { source = createDefaultSource(), ...shared } = options;
  // Network rates divide by the time between two readings: monotonic, so a wall-clock step
  // gives neither a negative nor a diluted rate.
  const now = options.now ?? monotonicNow;
  let previous: Counters | undefined;
  const readings = new WeakMap<SystemSample, SystemReading>();
  const sampler = createSharedSampler({
    ...shared,
    onError: options.onError ?? ((error: unknown) => console.error('system sample', error)),
    probe: () =>
      source.read().then((reading) => {
        const at = now();
        const sample = toSample(reading, previous, at);
        previous = { rx: reading.rxBytes, tx: reading.txBytes, at };
        readings.set(sample, reading);
        return sample;
      }),
  });
  return Object.assign(sampler, { readingOf: (sample: SystemSample) => readings.get(sample) });
}

/** `/proc` and `/sys` on Linux, systeminformation elsewhere. */
export function createDefaultSource(
  options: SystemInformationSourceOptions = {},
  platform: NodeJS.Platform = process.platform,
): SystemSource {
  return platform === 'linux' ? createLinuxSource(options) : createSystemInformationSource(options);
}

/** Turns raw counters into the protocol's units; rates need the previous reading. */
function toSample(
  reading: SystemReading,
  previous: Counters | undefined,
  at: number,
): SystemSample {
  const elapsedSeconds = previous === undefined ? 0 : (at - previous.at) / 1000;
  const rate = (current: number, before: number | undefined): number => {
    if (before === undefined || elapsedSeconds <= 0) return 0;
    const delta = current - before;
    // A negative delta is a counter reset (interface re-created, 32-bit wrap): no honest rate.
    return delta > 0 && Number.isFinite(delta) ? Math.round((delta * 8) / elapsedSeconds) : 0;
  };
  const temp = reading.cpuTempC;
  return {
    cpu_percent: percentOf(finite(reading.cpuPercent), 100),
    cpu_temp: temp === null || !Number.isFinite(temp) ? null : round(temp, 1),
    ram_percent: percentOf(reading.memUsedBytes, reading.memTotalBytes),
    ram_used_mb: Math.round(finite(reading.memUsedBytes) / 2 ** 20),
    ram_total_mb: Math.round(finite(reading.memTotalBytes) / 2 ** 20),
    disk_percent: percentOf(reading.diskUsedBytes, reading.diskTotalBytes),
    disk_used_gb: round(finite(reading.diskUsedBytes) / 1e9, 1),
    disk_total_gb: round(finite(reading.diskTotalBytes) / 1e9, 1),
    network_down_bps: rate(reading.rxBytes, previous?.rx),
    network_up_bps: rate(reading.txBytes, previous?.tx),
    uptime_seconds: Math.floor(finite(reading.uptimeSeconds)),
    load_avg: round(finite(reading.loadAvg1), 2),
  };
}

function finite(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function percentOf(part: number, whole: number): number {
  if (!(whole > 0)) return 0;
  return Math.min(100, round((finite(part) / whole) * 100, 1));
}

export interface SystemInformationSourceOptions {
  /** Disk stats come from the filesystem holding this path (e.g. the data dir). @default '/' */
  readonly diskPath?: string;
}

/** Reads the real machine through systeminformation and node:os. */
export function createSystemInformationSource(
  options: SystemInformationSourceOptions = {},
): SystemSource {
  const diskPath = resolve(options.diskPath ?? '/');
  return {
    async read() {
      const [load, temperature, mem, disks, nets] = await Promise.all([
        si.currentLoad(),
        // No sensor (VMs, containers, most ARM boards without drivers) is a null, not an error.
        si.cpuTemperature().then(
          (t) => t.main,
          () => null,
        ),
        si.mem(),
        si.fsSize(),
        si.networkStats('*'),
      ]);
      const disk = filesystemOf(disks, diskPath);
      const loopback = loopbackInterfaces();
      let rxBytes = 0;
      let txBytes = 0;
      for (const net of nets) {
        if (loopback.has(net.iface) || /^lo\d*$|loopback/i.test(net.iface)) continue;
        rxBytes += finite(net.rx_bytes);
        txBytes += finite(net.tx_bytes);
      }
      return {
        cpuPercent: load.currentLoad,
        corePercents: load.cpus.map((cpu) => cpu.load),
        // systeminformation reports -1 (older versions) or null when it found no sensor.
        cpuTempC:
          typeof temperature === 'number' && Number.isFinite(temperature) && temperature !== -1
            ? temperature
            : null,
        memUsedBytes: mem.active,
        memTotalBytes: mem.total,
        diskUsedBytes: disk?.used ?? 0,
        diskTotalBytes: disk?.size ?? 0,
        rxBytes,
        txBytes,
        uptimeSeconds: si.time().uptime,
        loadAvg1: loadavg()[0] ?? 0,
      };
    },
  };
}

/** The filesystem with the longest mount point containing `path` ('/' as a last resort). */
function filesystemOf(
  disks: readonly { readonly mount: string; readonly size: number; readonly used: number }[],
  path: string,
) {
  let best: (typeof disks)[number] | undefined;
  for (const disk of disks) {
    const mount = disk.mount.endsWith(sep) ? disk.mount : disk.mount + sep;
    const contains = path === disk.mount || path.startsWith(mount);
    if (contains && (best === undefined || disk.mount.length > best.mount.length)) best = disk;
  }
  return best ?? disks.find((disk) => disk.mount === '/');
}

function loopbackInterfaces(): Set<string> {
  const names = new Set<string>();
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    if (addresses?.length && addresses.every((address) => address.internal)) names.add(name);
  }
  return names;
}
