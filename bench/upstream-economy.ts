/**
 * Upstream economy: N panels must cost the machine's sensors what one panel costs. One simulated
 * panel (`PanelSimulator`, the ESP32's compact subscription) and then N, each against a fresh
 * server with a counting fake system source, subscribed for the same number of sampler
 * intervals; the system reads are counted (the sampler's `sampleCount`, cross-checked with the
 * source's own count), over the steady window and over the whole run including the connects.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { PanelSimulator } from '@marquee/simulators';
import { startBenchServer } from './lib/marquee';
import { measurement, type Benchmark, type BenchContext } from './types';

interface Settings {
  readonly panels: number;
  readonly intervalMs: number;
  /** Sampler intervals in the steady window. */
  readonly intervals: number;
}

const SETTINGS: Record<BenchContext['mode'], Settings> = {
  full: { panels: 1000, intervalMs: 500, intervals: 10 },
  smoke: { panels: 50, intervalMs: 100, intervals: 5 },
};

interface Run {
  readonly panels: number;
  /** Samples taken while all panels were subscribed, over `intervals` intervals (tick-aligned). */
  readonly steadySamples: number;
  /** Samples from the first connect to the end, and the intervals that took. */
  readonly totalSamples: number;
  readonly totalIntervals: number;
  readonly sourceReads: number;
  readonly framesPerPanel: number;
  readonly connectMs: number;
}

async function measure(panels: number, settings: Settings): Promise<Run> {
  const bench = await startBenchServer({
    sampleIntervalMs: settings.intervalMs,
    maxConnectionsPerIp: panels + 100,
  });
  const fleet: PanelSimulator[] = [];
  try {
    const startSamples = bench.server.sampler.sampleCount;
    const started = performance.now();
    for (let i = 0; i < panels; i++) {
      fleet.push(new PanelSimulator({ server: bench.url, receivedLimit: 1 }).start());
    }
    const deadline = Date.now() + 30_000;
    while (fleet.some((p) => p.state !== 'live')) {
      if (Date.now() > deadline) throw new Error('panels did not all go live within 30 s');
      await sleep(10);
    }
    const connectMs = performance.now() - started;
    // Start the window just after a tick and end it half an interval after the K-th next one, so
    // it holds exactly K ticks whatever their phase: any other read shows as an extra sample.
    const sampler = bench.server.sampler;
    const tick = sampler.sampleCount;
    while (sampler.sampleCount === tick) await sleep(2);
    const before = sampler.sampleCount;
    const framesBefore = fleet.reduce((sum, p) => sum + p.stats.framesOk, 0);
    await sleep((settings.intervals + 0.5) * settings.intervalMs);
    const after = sampler.sampleCount;
    const frames = fleet.reduce((sum, p) => sum + p.stats.framesOk, 0) - framesBefore;
    return {
      panels,
      steadySamples: after - before,
      totalSamples: after - startSamples,
      totalIntervals: (performance.now() - started) / settings.intervalMs,
      sourceReads: bench.source.reads,
      framesPerPanel: frames / panels,
      connectMs,
    };
  } finally {
    await Promise.all(fleet.map((p) => p.stop()));
    await bench.close();
  }
}

export const upstreamEconomy: Benchmark = {
  name: 'upstream-economy',
  title: 'Upstream economy: N panels cost the sensors what one costs',
  description:
    'System samples (reads of the machine’s CPU, memory, disk and network figures) taken while ' +
    '1 simulated ESP32 panel is subscribed, against the same with N panels, for the same number ' +
    'of sampler intervals, each on a fresh server. Target: the same count (ratio 1).',

  async run(context) {
    const settings = SETTINGS[context.mode];
    const one = await measure(1, settings);
    context.log(`  1 panel: ${one.steadySamples} samples in ${settings.intervals} intervals`);
    const many = await measure(settings.panels, settings);
    context.log(
      `  ${settings.panels} panels: ${many.steadySamples} samples in ${settings.intervals} intervals ` +
        `(connected in ${Math.round(many.connectMs)} ms)`,
    );
    const notes: string[] = [];
    if (many.framesPerPanel < settings.intervals * 0.8) {
      notes.push(
        `${settings.panels} panels received ${many.framesPerPanel.toFixed(1)} frames each in ` +
          `${settings.intervals} intervals: broadcasts fell behind the sampler.`,
      );
    }
    return {
      measurements: [
        measurement({
          metric: `system samples in ${settings.intervals} intervals of ${settings.intervalMs} ms`,
          unit: 'samples',
          subject: many.steadySamples,
          subjectLabel: `${settings.panels} panels`,
          baseline: one.steadySamples,
          baselineLabel: '1 panel',
          target: { op: '==', ratio: 1 },
        }),
        measurement({
          metric: 'system samples per interval, connects included',
          unit: 'samples',
          subject: round2(many.totalSamples / many.totalIntervals),
          subjectLabel: `${settings.panels} panels`,
          baseline: round2(one.totalSamples / one.totalIntervals),
          baselineLabel: '1 panel',
          // The connects take longer with N panels, so this window is not tick-aligned: ±1 tick.
          target: { op: '==', ratio: 1, tolerance: 0.15 },
        }),
      ],
      notes,
      details: { settings, runs: [one, many] },
    };
  },
};

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
