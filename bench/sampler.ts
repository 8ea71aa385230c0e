/**
 * Sampler: CPU per tick of Marquee's real system sampler (`createSystemSampler` with its default
 * source: `/proc` and `/sys` on Linux), spawned processes included, against a minimal sampler
 * written here that reads the same files with the fewest calls and computes the same figures.
 * Both run on a timer in this process, in alternating blocks; the medians are compared. A third
 * row measures the systeminformation source the sampler used before (and still uses off Linux),
 * against the same baseline, to show what the change saved.
 *
 * CPU is this process's (every thread: the `statfs` and sensor reads go through libuv's pool)
 * plus its reaped children's (`lib/cpu.ts`), so a source that shells out pays for it.
 */
import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import {
  createDefaultSource,
  createSystemInformationSource,
  createSystemSampler,
  type SystemSource,
} from '@marquee/server';
import { childrenCounted, cpuSince, cpuTime } from './lib/cpu';
import { median } from './lib/stats';
import { measurement, type Benchmark, type BenchContext } from './types';

interface Settings {
  /** Ticks per block. */
  readonly ticks: number;
  /** Block pairs (baseline and Marquee, alternating which goes first). */
  readonly pairs: number;
  readonly intervalMs: number;
  /** Ticks of the systeminformation source (each spawns processes: slower). */
  readonly siTicks: number;
  readonly siIntervalMs: number;
}

const SETTINGS: Record<BenchContext['mode'], Settings> = {
  full: { ticks: 100, pairs: 5, intervalMs: 20, siTicks: 10, siIntervalMs: 250 },
  smoke: { ticks: 10, pairs: 1, intervalMs: 20, siTicks: 2, siIntervalMs: 100 },
};

/** A block's result: CPU microseconds per tick. */
type Block = number;

/** Runs `ticks` samples of `sampler` on a timer of `intervalMs`; CPU per tick. */
async function samplerBlock(source: SystemSource, ticks: number, intervalMs: number) {
  const sampler = createSystemSampler({
    intervalMs,
    source,
    onError: (error) => {
      throw error;
    },
  });
  await sampler.latest(); // the first read (sensor discovery, since-boot CPU) is not a tick
  return timed(ticks, (done) => {
    let seen = 0;
    const off = sampler.subscribe(() => {
      seen += 1;
      if (seen === ticks) {
        off();
        done();
      }
    });
  });
}

/** CPU per tick of `run`, which calls `done` after `ticks` ticks. */
async function timed(ticks: number, run: (done: () => void) => void): Promise<Block> {
  const before = cpuTime();
  await new Promise<void>((resolve) => run(resolve));
  return cpuSince(before) / ticks;
}

/**
 * The baseline: the least a sampler can do for the same figures on Linux. Three `/proc` reads, a
 * `statfs`, one sensor file, the arithmetic; synchronous, nothing cached but the previous CPU
 * counters and the sensor path.
 */
function minimalProcSampler() {
  const zone = readdirSync('/sys/class/thermal', { withFileTypes: true })
    .map((entry) => join('/sys/class/thermal', entry.name, 'temp'))
    .find((file) => {
      try {
        readFileSync(file);
        return true;
      } catch {
        return false;
      }
    });
  let previous: number[][] = [];
  let sink = 0;
  return {
    tick(): void {
      const cpus = readFileSync('/proc/stat', 'latin1')
        .split('\n')
        .filter((line) => line.startsWith('cpu'))
        .map((line) => line.split(/\s+/).slice(1, 9).map(Number));
      const usage = cpus.map((times, i) => {
        const total =
          times.reduce((a, b) => a + b, 0) - (previous[i]?.reduce((a, b) => a + b, 0) ?? 0);
        const idle =
          (times[3] ?? 0) + (times[4] ?? 0) - ((previous[i]?.[3] ?? 0) + (previous[i]?.[4] ?? 0));
        return total > 0 ? (1 - idle / total) * 100 : 0;
      });
      previous = cpus;
      const mem = readFileSync('/proc/meminfo', 'latin1');
      const total = Number(/MemTotal:\s+(\d+)/.exec(mem)?.[1]);
      const available = Number(/MemAvailable:\s+(\d+)/.exec(mem)?.[1]);
      let rx = 0;
      let tx = 0;
      for (const line of readFileSync('/proc/net/dev', 'latin1').split('\n').slice(2)) {
        const [name, rest] = line.split(':');
        if (rest === undefined || name?.trim() === 'lo') continue;
        const fields = rest.trim().split(/\s+/);
        rx += Number(fields[0]);
        tx += Number(fields[8]);
      }
      const disk = statfsSync('/');
      const temp = zone === undefined ? null : Number(readFileSync(zone, 'latin1')) / 1000;
      sink += (usage[0] ?? 0) + (total - available) + rx + tx + disk.bfree + (temp ?? 0);
    },
    get sink() {
      return sink;
    },
  };
}

function baselineBlock(ticks: number, intervalMs: number): Promise<Block> {
  const probe = minimalProcSampler();
  probe.tick();
  return timed(ticks, (done) => {
    let seen = 0;
    const timer = setInterval(() => {
      probe.tick();
      seen += 1;
      if (seen >= ticks) {
        clearInterval(timer);
        done();
      }
    }, intervalMs);
    probe.tick();
    seen += 1;
    if (seen >= ticks) {
      clearInterval(timer);
      done();
    }
  });
}

export const sampler: Benchmark = {
  name: 'sampler',
  title: 'Sampler: CPU per tick of the system sampler',
  description:
    "CPU per tick of Marquee's system sampler with its real source (`/proc` and `/sys` on Linux), " +
    'this process and the processes it spawns, against a minimal `/proc` sampler reading the same ' +
    'files in the same run (alternating blocks, medians compared); and the systeminformation ' +
    'source it replaced, against the same baseline. Target: ≤ 2 × the minimal sampler.',

  async run(context) {
    if (process.platform !== 'linux') {
      throw new Error('the sampler benchmark reads /proc: Linux only');
    }
    const settings = SETTINGS[context.mode];
    const marquee: Block[] = [];
    const baseline: Block[] = [];
    // Warm-up, not counted: the first blocks pay for compiling the code paths.
    await samplerBlock(createDefaultSource(), settings.ticks, settings.intervalMs);
    await baselineBlock(settings.ticks, settings.intervalMs);
    for (let pair = 0; pair < settings.pairs; pair++) {
      const runMarquee = async () =>
        marquee.push(
          await samplerBlock(createDefaultSource(), settings.ticks, settings.intervalMs),
        );
      const runBaseline = async () =>
        baseline.push(await baselineBlock(settings.ticks, settings.intervalMs));
      if (pair % 2 === 0) {
        await runBaseline();
        await runMarquee();
      } else {
        await runMarquee();
        await runBaseline();
      }
      context.log(
        `  pair ${pair + 1}: Marquee ${(marquee.at(-1) ?? 0).toFixed(0)} µs/tick, minimal ${(baseline.at(-1) ?? 0).toFixed(0)} µs/tick`,
      );
    }
    const siBlock = await samplerBlock(
      createSystemInformationSource(),
      settings.siTicks,
      settings.siIntervalMs,
    );
    const siBaseline = await baselineBlock(settings.siTicks, settings.siIntervalMs);
    context.log(`  systeminformation ${siBlock.toFixed(0)} µs/tick`);

    const ms = (micros: number) => Math.round(micros) / 1000;
    return {
      measurements: [
        measurement({
          metric: `CPU per tick, children included (median of ${marquee.length} blocks of ${settings.ticks})`,
          unit: 'ms',
          subject: ms(median(marquee)),
          subjectLabel: 'Marquee sampler',
          baseline: ms(median(baseline)),
          baselineLabel: 'minimal /proc',
          target: { op: '<=', ratio: 2 },
        }),
        measurement({
          metric: `CPU per tick, children included (${settings.siTicks} ticks)`,
          unit: 'ms',
          subject: ms(siBlock),
          subjectLabel: 'systeminformation source',
          baseline: ms(siBaseline),
          baselineLabel: 'minimal /proc',
        }),
      ],
      notes: childrenCounted
        ? []
        : ['CPU of child processes could not be read on this platform: not included.'],
      details: {
        settings,
        marqueeMicrosPerTick: marquee,
        baselineMicrosPerTick: baseline,
        siMicrosPerTick: siBlock,
      },
    };
  },
};
