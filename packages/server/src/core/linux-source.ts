/**
 * The system source on Linux: reads `/proc` and `/sys` directly, no child processes. The
 * systeminformation source it replaces there spent ~68 ms of CPU per 2-second tick, most of it in
 * the processes its temperature and `fsSize` calls spawn; this one reads five small kernel files
 * and makes one `statfs` call (bench/sampler.ts measures it beside a minimal `/proc` reader).
 *
 * - CPU: `/proc/stat`, the whole machine and each core, as busy time over the time since the
 *   previous read (the first read reports the average since boot).
 * - Memory: `/proc/meminfo`, used = MemTotal − MemAvailable (what `free` calls used).
 * - Disk: `statfs` of the configured path, used = (blocks − free blocks) × block size.
 * - Network: `/proc/net/dev`, received and sent bytes summed over every interface but loopback.
 * - Temperature: one CPU sensor found once among `/sys/class/hwmon` (coretemp, k10temp,
 *   cpu_thermal ...) and `/sys/class/thermal` zones; null where there is none.
 *
 * The `/proc` files are read synchronously: the kernel generates them in memory, in microseconds.
 * `statfs` and the sensor are read asynchronously, since a network mount or an I2C sensor can
 * block.
 */
import { readdirSync, readFileSync, promises as fs } from 'node:fs';
import { loadavg, uptime } from 'node:os';
import { join, resolve } from 'node:path';
import type { SystemReading, SystemSource } from './sampler';

export interface LinuxSourceOptions {
  /** Disk figures are the filesystem holding this path. @default '/' */
  readonly diskPath?: string;
  /** Root of procfs and sysfs (tests point these at fixture trees). */
  readonly procRoot?: string;
  readonly sysRoot?: string;
}

/** Busy and total jiffies of one CPU line of /proc/stat. */
interface CpuTimes {
  readonly busy: number;
  readonly total: number;
}

/** Parses the `cpu` and `cpuN` lines of /proc/stat: the whole machine first, then each core. */
export function parseProcStat(text: string): CpuTimes[] {
  const times: CpuTimes[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) {
      if (times.length > 0) break; // the cpu lines come first, together
      continue;
    }
    const fields = line.trim().split(/\s+/);
    // user nice system idle iowait irq softirq steal (guest and guest_nice are inside user/nice)
    let total = 0;
    for (let i = 1; i <= 8 && i < fields.length; i++) total += Number(fields[i]) || 0;
    const idle = (Number(fields[4]) || 0) + (Number(fields[5]) || 0);
    times.push({ busy: total - idle, total });
  }
  return times;
}

/** A value of /proc/meminfo in bytes (its figures are kB); undefined when absent. */
function meminfoBytes(text: string, key: string): number | undefined {
  const at = text.indexOf(`${key}:`);
  if (at === -1) return undefined;
  const match = /^\s*(\d+)/.exec(text.slice(at + key.length + 1, at + key.length + 40));
  return match ? Number(match[1]) * 1024 : undefined;
}

/** Total and used memory from /proc/meminfo (kernels before 3.14 lack MemAvailable). */
export function parseMeminfo(text: string): { total: number; used: number } {
  const total = meminfoBytes(text, 'MemTotal') ?? 0;
  const available =
    meminfoBytes(text, 'MemAvailable') ??
    (meminfoBytes(text, 'MemFree') ?? 0) +
      (meminfoBytes(text, 'Buffers') ?? 0) +
      (meminfoBytes(text, 'Cached') ?? 0);
  return { total, used: Math.max(0, total - available) };
}

/** Received and sent bytes summed over the interfaces of /proc/net/dev, loopback excluded. */
export function parseNetDev(text: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    if (name === 'lo' || /^lo\d*$/.test(name)) continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    // Receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes ...
    rx += Number(fields[0]) || 0;
    tx += Number(fields[8]) || 0;
  }
  return { rx, tx };
}

/** Driver names of hwmon chips that report the CPU package, in order of preference. */
const CPU_HWMON = ['coretemp', 'k10temp', 'zenpower', 'cpu_thermal', 'cpu-thermal', 'soc_thermal'];
/** Thermal zone types that are the CPU, in order of preference. */
const CPU_ZONES = [/x86_pkg_temp/, /cpu/i, /soc/i, /acpitz/];

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function listDir(path: string): string[] {
  try {
    return readdirSync(path).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  } catch {
    return [];
  }
}

/**
 * The file that holds the CPU temperature in millidegrees, found once: a hwmon chip of a CPU
 * driver first (its `temp1_input` is the package or Tctl), else the first matching thermal zone.
 */
export function findCpuSensor(sysRoot: string): string | undefined {
  const hwmonDir = join(sysRoot, 'class/hwmon');
  const chips = listDir(hwmonDir).map((entry) => ({
    dir: join(hwmonDir, entry),
    name: readText(join(hwmonDir, entry, 'name'))?.trim() ?? '',
  }));
  for (const driver of CPU_HWMON) {
    const chip = chips.find((each) => each.name === driver);
    if (chip && readText(join(chip.dir, 'temp1_input')) !== undefined) {
      return join(chip.dir, 'temp1_input');
    }
  }
  const thermalDir = join(sysRoot, 'class/thermal');
  const zones = listDir(thermalDir)
    .filter((entry) => entry.startsWith('thermal_zone'))
    .map((entry) => ({
      file: join(thermalDir, entry, 'temp'),
      type: readText(join(thermalDir, entry, 'type'))?.trim() ?? '',
    }));
  for (const pattern of CPU_ZONES) {
    const zone = zones.find((each) => pattern.test(each.type));
    if (zone && readText(zone.file) !== undefined) return zone.file;
  }
  return undefined;
}

/** Millidegrees as sysfs writes them → °C; null for an unreadable or implausible value. */
function celsius(text: string | undefined): number | null {
  if (text === undefined) return null;
  const milli = Number(text.trim());
  if (!Number.isFinite(milli)) return null;
  const degrees = milli / 1000;
  return degrees > -40 && degrees < 150 ? degrees : null;
}

/** Percent busy between two readings of one CPU line. */
function busyPercent(now: CpuTimes, before: CpuTimes | undefined): number {
  const total = now.total - (before?.total ?? 0);
  const busy = now.busy - (before?.busy ?? 0);
  // A counter that went backwards (a core brought back online) has no honest figure.
  if (!(total > 0) || busy < 0) return 0;
  return Math.min(100, (busy / total) * 100);
}

export function createLinuxSource(options: LinuxSourceOptions = {}): SystemSource {
  const proc = options.procRoot ?? '/proc';
  const sysRoot = options.sysRoot ?? '/sys';
  const diskPath = resolve(options.diskPath ?? '/');
  const statPath = join(proc, 'stat');
  const meminfoPath = join(proc, 'meminfo');
  const netDevPath = join(proc, 'net/dev');
  let sensor: string | null | undefined;
  let previous: CpuTimes[] = [];

  const temperature = async (): Promise<number | null> => {
    sensor ??= findCpuSensor(sysRoot) ?? null;
    if (sensor === null) return null;
    return celsius(await fs.readFile(sensor, 'utf8').catch(() => undefined));
  };

  return {
    async read(): Promise<SystemReading> {
      const [disk, tempC] = await Promise.all([fs.statfs(diskPath), temperature()]);
      const cpus = parseProcStat(readFileSync(statPath, 'latin1'));
      const memory = parseMeminfo(readFileSync(meminfoPath, 'latin1'));
      const net = parseNetDev(readFileSync(netDevPath, 'latin1'));
      const [all, ...cores] = cpus;
      const before = previous;
      previous = cpus;
      return {
        cpuPercent: all === undefined ? 0 : busyPercent(all, before[0]),
        corePercents: cores.map((core, index) => busyPercent(core, before[index + 1])),
        cpuTempC: tempC,
        memUsedBytes: memory.used,
        memTotalBytes: memory.total,
        diskUsedBytes: (disk.blocks - disk.bfree) * disk.bsize,
        diskTotalBytes: disk.blocks * disk.bsize,
        rxBytes: net.rx,
        txBytes: net.tx,
        uptimeSeconds: uptime(),
        loadAvg1: loadavg()[0] ?? 0,
      };
    },
  };
}
