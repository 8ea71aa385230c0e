/**
 * One nvidia-smi for everyone: 1 or 50 sockets on `/api/gpu/ws` cost the same nvidia-smi runs per
 * interval (counted in the fake's own log of its runs), and nobody watching costs none.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import {
  openGpuSocket,
  startGpuServer,
  type GpuSocket,
  type GpuTestServer,
} from '../helpers/gpu-host';

const INTERVAL_MS = 1000;
const WINDOW_MS = 3000;
/** The first sample spawns the fake nvidia-smi (a Node process): slow on a loaded runner. */
const FIRST_SAMPLE = { timeout: 15_000, interval: 50 } as const;

let g: GpuTestServer;
beforeEach(async () => {
  g = await startGpuServer({ gpuSampleIntervalMs: INTERVAL_MS });
});
afterEach(async () => {
  await g.close();
});

/** nvidia-smi runs (and sampler samples) during one window, every socket receiving updates. */
async function measure(sockets: readonly GpuSocket[]): Promise<{ runs: number; samples: number }> {
  const seen = sockets.map((s) => s.ofEvent('vram_update').length);
  g.host.clearReceived();
  const before = g.t.server.gpu.sampler.sampleCount;
  await sleep(WINDOW_MS);
  const runs = g.host.received.length;
  const samples = g.t.server.gpu.sampler.sampleCount - before;
  sockets.forEach((s, i) => expect(s.ofEvent('vram_update').length).toBeGreaterThan(seen[i] ?? 0));
  return { runs, samples };
}

it('runs nvidia-smi as often for 50 subscribers as for 1, and not at all for none', async () => {
  const first = await openGpuSocket(g.t.wsUrl, g.token);
  await vi.waitFor(
    () => expect(first.ofEvent('vram_update').length).toBeGreaterThan(0),
    FIRST_SAMPLE,
  );
  const one = await measure([first]);

  const others = await Promise.all(
    Array.from({ length: 49 }, () => openGpuSocket(g.t.wsUrl, g.token)),
  );
  const all = [first, ...others];
  await vi.waitFor(
    () => all.forEach((s) => expect(s.ofEvent('vram_update').length).toBeGreaterThan(0)),
    FIRST_SAMPLE,
  );
  const fifty = await measure(all);

  // Both windows: about one sample per interval (a window holds 3 ticks, 2 or 4 at its edges)
  // and two nvidia-smi runs per sample (GPUs, then compute processes), whatever the audience.
  const perWindow = WINDOW_MS / INTERVAL_MS;
  for (const [who, { runs, samples }] of [
    ['1 subscriber', one],
    ['50 subscribers', fifty],
  ] as const) {
    const measured = `${who}: ${runs} runs, ${samples} samples`;
    expect(samples, measured).toBeGreaterThanOrEqual(perWindow - 1);
    expect(samples, measured).toBeLessThanOrEqual(perWindow + 1);
    expect(runs, measured).toBeGreaterThanOrEqual(2 * samples - 2);
    expect(runs, measured).toBeLessThanOrEqual(2 * samples + 2);
  }

  await Promise.all(all.map((s) => s.close()));
  await vi.waitFor(() => expect(g.t.server.gpu.sampler.subscriberCount).toBe(0), FIRST_SAMPLE);
  await sleep(INTERVAL_MS);
  g.host.clearReceived();
  await sleep(2 * INTERVAL_MS);
  expect(g.host.received).toEqual([]);
}, 60_000);
