/**
 * The Linux system source: parsers against kernel-format fixtures, sensor discovery and CPU
 * deltas on a fixture tree (real files in a temp dir), and one read of this machine compared with
 * systeminformation's figures.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createLinuxSource,
  findCpuSensor,
  parseMeminfo,
  parseNetDev,
  parseProcStat,
} from '../../src/core/linux-source';
import { createDefaultSource, createSystemInformationSource } from '../../src/core/sampler';

const STAT = (user: number, idle: number, core0: [number, number], core1: [number, number]) =>
  [
    `cpu  ${user} 0 0 ${idle} 0 0 0 0 0 0`,
    `cpu0 ${core0[0]} 0 0 ${core0[1]} 0 0 0 0 0 0`,
    `cpu1 ${core1[0]} 0 0 ${core1[1]} 0 0 0 0 0 0`,
    'intr 1234 0 0',
    'ctxt 99',
    'cpu_not_a_cpu_line_after_the_block 1 2 3',
    '',
  ].join('\n');

const MEMINFO = [
  'MemTotal:        4000000 kB',
  'MemFree:          500000 kB',
  'MemAvailable:    3000000 kB',
  'Buffers:          100000 kB',
  'Cached:          1000000 kB',
  '',
].join('\n');

const NET_DEV = [
  'Inter-|   Receive                                                |  Transmit',
  ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
  '    lo: 999999     100    0    0    0     0          0         0   999999     100    0    0    0     0       0          0',
  '  eth0: 1000       10    0    0    0     0          0         0     200       2    0    0    0     0       0          0',
  'wlan0:   50        1    0    0    0     0          0         0      30       1    0    0    0     0       0          0',
  '',
].join('\n');

let root: string;

function put(path: string, text: string): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'marquee-linux-source-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('parsers', () => {
  it('reads busy and total jiffies per CPU line, iowait counted as idle', () => {
    const times = parseProcStat('cpu  10 5 5 70 10 0 0 0 3 0\ncpu0 1 0 0 9 0 0 0 0 0 0\nintr 1\n');
    // Guest time is already inside user: only the first eight fields add up.
    expect(times).toEqual([
      { busy: 20, total: 100 },
      { busy: 1, total: 10 },
    ]);
  });

  it('computes used memory as MemTotal − MemAvailable, with a fallback for old kernels', () => {
    expect(parseMeminfo(MEMINFO)).toEqual({ total: 4_096_000_000, used: 1_024_000_000 });
    const old = MEMINFO.replace(/MemAvailable.*\n/, '');
    // free + buffers + cached = 1,600,000 kB available
    expect(parseMeminfo(old)).toEqual({ total: 4_096_000_000, used: 2_400_000 * 1024 });
  });

  it('sums received and sent bytes over every interface but loopback', () => {
    expect(parseNetDev(NET_DEV)).toEqual({ rx: 1050, tx: 230 });
  });
});

describe('sensor discovery', () => {
  it('prefers a CPU hwmon chip over thermal zones', () => {
    put('sys/class/thermal/thermal_zone0/type', 'acpitz\n');
    put('sys/class/thermal/thermal_zone0/temp', '40000\n');
    put('sys/class/hwmon/hwmon0/name', 'nvme\n');
    put('sys/class/hwmon/hwmon0/temp1_input', '30000\n');
    put('sys/class/hwmon/hwmon1/name', 'k10temp\n');
    put('sys/class/hwmon/hwmon1/temp1_input', '55250\n');
    expect(findCpuSensor(join(root, 'sys'))).toBe(join(root, 'sys/class/hwmon/hwmon1/temp1_input'));
  });

  it('falls back to the CPU thermal zone (a Raspberry Pi) and finds nothing where none is', () => {
    put('sys/class/thermal/thermal_zone0/type', 'gpu-thermal\n');
    put('sys/class/thermal/thermal_zone0/temp', '41000\n');
    put('sys/class/thermal/thermal_zone1/type', 'cpu-thermal\n');
    put('sys/class/thermal/thermal_zone1/temp', '48312\n');
    expect(findCpuSensor(join(root, 'sys'))).toBe(
      join(root, 'sys/class/thermal/thermal_zone1/temp'),
    );
    expect(findCpuSensor(join(root, 'nothing'))).toBeUndefined();
  });
});

describe('Linux source on a fixture tree', () => {
  function fixture(stat: string): void {
    put('proc/stat', stat);
    put('proc/meminfo', MEMINFO);
    put('proc/net/dev', NET_DEV);
    put('sys/class/thermal/thermal_zone0/type', 'cpu-thermal\n');
    put('sys/class/thermal/thermal_zone0/temp', '48312\n');
  }

  it('reports usage since boot first, then over the time between reads, per core', async () => {
    fixture(STAT(100, 300, [50, 150], [50, 150]));
    const source = createLinuxSource({
      procRoot: join(root, 'proc'),
      sysRoot: join(root, 'sys'),
      diskPath: root,
    });
    const first = await source.read();
    expect(first.cpuPercent).toBe(25);
    expect(first.corePercents).toEqual([25, 25]);
    expect(first.cpuTempC).toBeCloseTo(48.312, 3);
    expect(first.memTotalBytes).toBe(4_096_000_000);
    expect(first.memUsedBytes).toBe(1_024_000_000);
    expect(first.rxBytes).toBe(1050);
    expect(first.txBytes).toBe(230);
    expect(first.diskTotalBytes).toBeGreaterThan(0);
    expect(first.diskUsedBytes).toBeLessThanOrEqual(first.diskTotalBytes);

    // core 0 busy 90 of 100 jiffies, core 1 idle the whole time.
    put('proc/stat', STAT(190, 410, [140, 160], [50, 250]));
    put('sys/class/thermal/thermal_zone0/temp', 'garbage\n');
    const second = await source.read();
    expect(second.cpuPercent).toBe(45);
    expect(second.corePercents).toEqual([90, 0]);
    expect(second.cpuTempC).toBeNull();
  });

  it('reports no usage when a counter went backwards rather than a negative figure', async () => {
    fixture(STAT(100, 300, [50, 150], [50, 150]));
    const source = createLinuxSource({ procRoot: join(root, 'proc'), sysRoot: join(root, 'sys') });
    await source.read();
    put('proc/stat', STAT(10, 400, [5, 200], [5, 200]));
    const after = await source.read();
    expect(after.cpuPercent).toBe(0);
    expect(after.corePercents).toEqual([0, 0]);
  });

  it('rejects (the sampler skips the tick) when /proc cannot be read', async () => {
    const source = createLinuxSource({ procRoot: join(root, 'missing'), sysRoot: root });
    await expect(source.read()).rejects.toThrow(/ENOENT/);
  });
});

describe.runIf(process.platform === 'linux')('Linux source (this machine)', () => {
  it('is the default source here and agrees with systeminformation', async () => {
    const linux = createDefaultSource();
    const si = createSystemInformationSource();
    const [mine, theirs] = await Promise.all([linux.read(), si.read()]);
    expect(mine.corePercents?.length).toBe(theirs.corePercents?.length);
    expect(mine.memTotalBytes).toBe(theirs.memTotalBytes);
    // Memory in use moves between the two reads; within 5 % of the total.
    expect(Math.abs(mine.memUsedBytes - theirs.memUsedBytes)).toBeLessThan(
      mine.memTotalBytes * 0.05,
    );
    // df counts 1K blocks; statfs counts blocks of the filesystem's size.
    expect(Math.abs(mine.diskTotalBytes - theirs.diskTotalBytes)).toBeLessThan(
      mine.diskTotalBytes * 0.01,
    );
    expect(mine.rxBytes).toBeGreaterThanOrEqual(0);
    expect(mine.uptimeSeconds).toBeGreaterThan(0);
    for (const core of mine.corePercents ?? []) {
      expect(core).toBeGreaterThanOrEqual(0);
      expect(core).toBeLessThanOrEqual(100);
    }
  }, 30_000);
});
