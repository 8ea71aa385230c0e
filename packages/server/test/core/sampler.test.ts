/**
 * The shared system sampler with a scripted source and fake timers, plus one smoke test of the
 * real systeminformation source against the protocol schema.
 */
import { protocol } from '@marquee/sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import {
  createSystemInformationSource,
  createSystemSampler,
  type SystemReading,
  type SystemSample,
  type SystemSource,
} from '../../src/core/sampler';

const INTERVAL = 2_000;
const GiB = 2 ** 30;

const base: SystemReading = {
  cpuPercent: 23.44,
  cpuTempC: 54.23,
  memUsedBytes: 1.5 * GiB,
  memTotalBytes: 4 * GiB,
  diskUsedBytes: 45.2e9,
  diskTotalBytes: 58e9,
  rxBytes: 1_000_000,
  txBytes: 500_000,
  uptimeSeconds: 442_800.7,
  loadAvg1: 0.4512,
};

/** A source returning scripted readings, one per read (the last one repeats). */
function scripted(...readings: Partial<SystemReading>[]): SystemSource & { reads: number } {
  const source = {
    reads: 0,
    read() {
      const reading = readings[Math.min(source.reads, readings.length - 1)] ?? {};
      source.reads += 1;
      return Promise.resolve({ ...base, ...reading });
    },
  };
  return source;
}

function sampler(source: SystemSource) {
  return createSystemSampler({
    intervalMs: INTERVAL,
    source,
    now: () => Date.now(),
    setInterval: (fn, ms) => setInterval(fn, ms),
    clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
    onError: (error) => {
      throw error;
    },
  });
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('system sampler', () => {
  it('converts units and computes true bits per second from counter deltas', async () => {
    const samples: SystemSample[] = [];
    const s = sampler(
      scripted({}, { rxBytes: 1_000_000 + 655_360, txBytes: 500_000 + 65_536 }, {}),
    );
    s.subscribe((sample) => samples.push(sample));
    await vi.advanceTimersByTimeAsync(0);
    expect(samples[0]).toEqual({
      cpu_percent: 23.4,
      cpu_temp: 54.2,
      ram_percent: 37.5,
      ram_used_mb: 1536,
      ram_total_mb: 4096,
      disk_percent: 77.9,
      disk_used_gb: 45.2,
      disk_total_gb: 58,
      network_down_bps: 0, // first sample: no previous counters
      network_up_bps: 0,
      uptime_seconds: 442_800,
      load_avg: 0.45,
    });

    await vi.advanceTimersByTimeAsync(INTERVAL);
    // 655,360 bytes in 2 s = 327,680 B/s = 2,621,440 bit/s (the seed's example figure).
    expect(samples[1]).toMatchObject({ network_down_bps: 2_621_440, network_up_bps: 262_144 });

    // The third reading goes back to the base counters: a reset, reported as 0, not negative.
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(samples[2]).toMatchObject({ network_down_bps: 0, network_up_bps: 0 });
    expect(() =>
      protocol.nowPlaying.SystemStats.parse({ ...samples[1], active_users: 0 }),
    ).not.toThrow();
  });

  it('hands back the raw reading of each sample (per-core figures), and of nothing else', async () => {
    const s = sampler(scripted({ corePercents: [10, 90] }, { corePercents: [50, 50] }));
    const first = await s.latest();
    expect(s.readingOf(first)?.corePercents).toEqual([10, 90]);
    vi.advanceTimersByTime(INTERVAL);
    const second = await s.latest();
    expect(s.readingOf(second)?.corePercents).toEqual([50, 50]);
    expect(s.readingOf(first)?.corePercents).toEqual([10, 90]);
    expect(s.readingOf({ ...second })).toBeUndefined();
  });

  it('reports a missing temperature sensor as null, never a number', async () => {
    const s = sampler(scripted({ cpuTempC: null }, { cpuTempC: Number.NaN }));
    const first = await s.latest();
    expect(first.cpu_temp).toBeNull();
    vi.advanceTimersByTime(INTERVAL);
    expect((await s.latest()).cpu_temp).toBeNull();
  });

  it('samples at once on the first subscriber and stops after the last unsubscribes', async () => {
    const source = scripted({});
    const s = sampler(source);
    expect(vi.getTimerCount()).toBe(0);
    const offA = s.subscribe(() => undefined);
    const offB = s.subscribe(() => undefined);
    expect(source.reads).toBe(1);
    expect(vi.getTimerCount()).toBe(1);

    await vi.advanceTimersByTimeAsync(INTERVAL * 3);
    expect(s.sampleCount).toBe(4);
    offA();
    offA();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(s.sampleCount).toBe(5);
    offB();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(INTERVAL * 10);
    expect(s.sampleCount).toBe(5);
    expect(s.subscriberCount).toBe(0);
  });

  it('costs the same number of samples for 1,000 subscribers as for 1', async () => {
    const run = async (subscribers: number): Promise<{ samples: number; deliveries: number }> => {
      const s = sampler(scripted({}));
      let deliveries = 0;
      const offs = Array.from({ length: subscribers }, () => s.subscribe(() => (deliveries += 1)));
      await vi.advanceTimersByTimeAsync(INTERVAL * 30);
      for (const off of offs) off();
      return { samples: s.sampleCount, deliveries };
    };
    const one = await run(1);
    const many = await run(1_000);
    expect(one.samples).toBe(31);
    expect(many.samples).toBe(one.samples);
    expect(many.deliveries).toBe(one.samples * 1_000);
  });

  it('never overlaps reads: ticks during a slow read are skipped', async () => {
    let release: (() => void) | undefined;
    let reads = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const slow: SystemSource = {
      async read() {
        reads += 1;
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise<void>((resolve) => (release = resolve));
        concurrent -= 1;
        return base;
      },
    };
    const s = sampler(slow);
    const got: SystemSample[] = [];
    s.subscribe((sample) => got.push(sample));
    await vi.advanceTimersByTimeAsync(INTERVAL * 5);
    expect(reads).toBe(1);
    const latest = s.latest(); // shares the read in flight
    release?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(got).toHaveLength(1);
    expect(await latest).toBe(got[0]);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(reads).toBe(2);
    expect(maxConcurrent).toBe(1);
    release?.();
  });

  it('latest() reuses a fresh sample and reads again once it is stale', async () => {
    const source = scripted({});
    const s = sampler(source);
    await s.latest();
    await s.latest();
    expect(source.reads).toBe(1);
    vi.advanceTimersByTime(INTERVAL);
    await s.latest();
    expect(source.reads).toBe(2);
  });

  it('keeps sampling after a failed read', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const s = createSystemSampler({
      intervalMs: INTERVAL,
      source: {
        read: () => (fail ? Promise.reject(new Error('df hung')) : Promise.resolve(base)),
      },
      onError: (error) => errors.push(error),
    });
    const got: SystemSample[] = [];
    const off = s.subscribe((sample) => got.push(sample));
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(1);
    fail = false;
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(got).toHaveLength(1);
    off();
  });
});

describe('systeminformation source (this machine)', () => {
  it('reads plausible figures that satisfy the protocol schema', async () => {
    vi.useRealTimers();
    const s = createSystemSampler({
      intervalMs: INTERVAL,
      source: createSystemInformationSource(),
    });
    const sample = await s.latest();
    const { active_users: _activeUsers, ...sampleShape } = protocol.nowPlaying.SystemStats.shape;
    const parsed = z.strictObject(sampleShape).parse(sample);
    expect(parsed.ram_total_mb).toBeGreaterThan(0);
    expect(parsed.ram_used_mb).toBeLessThanOrEqual(parsed.ram_total_mb);
    expect(parsed.disk_total_gb).toBeGreaterThan(0);
    expect(parsed.disk_used_gb).toBeLessThanOrEqual(parsed.disk_total_gb);
    expect(parsed.uptime_seconds).toBeGreaterThan(0);
    expect(parsed.network_down_bps).toBe(0); // first sample of this sampler
    if (parsed.cpu_temp !== null) {
      expect(parsed.cpu_temp).toBeGreaterThan(-50);
      expect(parsed.cpu_temp).toBeLessThan(150);
    }
  }, 30_000);
});
