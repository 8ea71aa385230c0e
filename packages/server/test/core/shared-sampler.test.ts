/**
 * The generic shared sampler under the system and GPU samplers: one probe per interval while
 * anyone subscribes, one result for everybody, reads that never overlap. The system sampler's
 * tests (sampler.test.ts) and the GPU fan-out test cover it through its two users.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSharedSampler } from '../../src/core/shared-sampler';

const INTERVAL = 1_000;

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});

afterEach(() => {
  vi.useRealTimers();
});

/** A probe whose reads finish only when the test says so. */
function manualProbe() {
  const pending: Array<(value: number) => void> = [];
  let reads = 0;
  return {
    probe: () =>
      new Promise<number>((resolve) => {
        reads += 1;
        pending.push(resolve);
      }),
    finish: (value: number) => pending.shift()?.(value),
    get reads() {
      return reads;
    },
  };
}

describe('shared sampler', () => {
  it('shares one slow read with every caller and skips ticks while it runs', async () => {
    const probe = manualProbe();
    const errors: unknown[] = [];
    const s = createSharedSampler({
      probe: probe.probe,
      intervalMs: INTERVAL,
      onError: (error) => errors.push(error),
    });
    expect(s.current).toBeUndefined();

    const got: number[] = [];
    const off = s.subscribe((value) => got.push(value));
    const waiting = [s.latest(), s.latest()];
    await vi.advanceTimersByTimeAsync(INTERVAL * 3);
    expect(probe.reads).toBe(1);

    probe.finish(7);
    expect(await Promise.all(waiting)).toEqual([7, 7]);
    expect(got).toEqual([7]);
    expect(s.current).toBe(7);
    expect(s.sampleCount).toBe(1);

    off();
    expect(s.subscriberCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('gives a subscriber joining a running sampler its newest sample at once', async () => {
    const probe = manualProbe();
    const s = createSharedSampler({ probe: probe.probe, intervalMs: INTERVAL });
    const first: number[] = [];
    s.subscribe((v) => first.push(v));
    probe.finish(1);
    await vi.advanceTimersByTimeAsync(0);
    const late: number[] = [];
    const offLate = s.subscribe((v) => late.push(v));
    expect(late).toEqual([]); // not inside subscribe()
    await vi.advanceTimersByTimeAsync(0);
    expect(late).toEqual([1]);
    expect(first).toEqual([1]);
    expect(probe.reads).toBe(1);
    // Unsubscribed before the microtask ran: nothing.
    const never: number[] = [];
    s.subscribe((v) => never.push(v))();
    await vi.advanceTimersByTimeAsync(0);
    expect(never).toEqual([]);
    // While a read is in flight, the joiner waits for it like everyone.
    await vi.advanceTimersByTimeAsync(INTERVAL);
    const joiner: number[] = [];
    s.subscribe((v) => joiner.push(v));
    await vi.advanceTimersByTimeAsync(0);
    expect(joiner).toEqual([]);
    probe.finish(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(joiner).toEqual([2]);
    expect(late).toEqual([1, 2]);
    offLate();
  });

  it('hands a throwing listener to onError and still feeds the others', async () => {
    const errors: unknown[] = [];
    const s = createSharedSampler({
      probe: () => Promise.resolve('sample'),
      intervalMs: INTERVAL,
      onError: (error) => errors.push(error),
    });
    const got: string[] = [];
    const offA = s.subscribe(() => {
      throw new Error('listener failed');
    });
    const offB = s.subscribe((value) => got.push(value));
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(got).toEqual(['sample', 'sample']);
    expect(errors).toHaveLength(2);
    offA();
    offB();
    // Fresh enough (younger than the interval): no new read.
    await s.latest();
    expect(s.sampleCount).toBe(2);
  });

  it('reports every read with its duration and outcome to onProbe listeners', async () => {
    let fail = false;
    const s = createSharedSampler({
      probe: () =>
        new Promise<string>((resolve, reject) =>
          setTimeout(() => (fail ? reject(new Error('sensor gone')) : resolve('ok')), 250),
        ),
      intervalMs: INTERVAL,
      onError: () => undefined,
    });
    const probes: Array<[number, boolean]> = [];
    const off = s.onProbe((seconds, ok) => probes.push([seconds, ok]));
    const read = s.latest();
    await vi.advanceTimersByTimeAsync(250);
    await read;
    fail = true;
    await vi.advanceTimersByTimeAsync(INTERVAL); // the sample is stale now: latest() reads again
    const failed = s.latest().catch(() => 'failed');
    await vi.advanceTimersByTimeAsync(250);
    expect(await failed).toBe('failed');
    expect(probes).toEqual([
      [0.25, true],
      [0.25, false],
    ]);
    off();
    await Promise.all([s.latest().catch(() => undefined), vi.advanceTimersByTimeAsync(250)]);
    expect(s.sampleCount).toBe(3);
    expect(probes).toHaveLength(2);
  });
});
