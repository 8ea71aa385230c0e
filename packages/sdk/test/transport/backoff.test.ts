import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/transport/backoff';

describe('backoffDelay (full jitter)', () => {
  it('is 0 when random() is 0, whatever the attempt', () => {
    for (const attempt of [0, 1, 5, 50]) expect(backoffDelay(attempt, {}, () => 0)).toBe(0);
  });

  it('approaches the cap when random() approaches 1', () => {
    expect(backoffDelay(0, {}, () => 0.999)).toBeCloseTo(499.5);
    expect(backoffDelay(3, {}, () => 0.999)).toBeCloseTo(3996);
    expect(backoffDelay(30, {}, () => 0.999)).toBeCloseTo(29_970);
  });

  it('doubles the cap per attempt by default (500, 1000, 2000, ...)', () => {
    const half = () => 0.5;
    expect([0, 1, 2, 3, 4].map((attempt) => backoffDelay(attempt, {}, half))).toEqual([
      250, 500, 1000, 2000, 4000,
    ]);
  });

  it('is capped at maxMs, even when the exponent overflows', () => {
    const one = () => 1;
    expect(backoffDelay(6, {}, one)).toBe(30_000); // 500 * 64 = 32000 > 30000
    expect(backoffDelay(10_000, {}, one)).toBe(30_000);
    expect(backoffDelay(4, { initialMs: 100, maxMs: 1000, factor: 3 }, one)).toBe(1000);
    expect(backoffDelay(2, { initialMs: 100, maxMs: 1000, factor: 3 }, one)).toBe(900);
  });

  it('treats a negative attempt as the first one', () => {
    expect(backoffDelay(-3, {}, () => 1)).toBe(500);
  });

  it('draws fresh randomness on every call, exactly once', () => {
    const draws = [0.1, 0.9, 0.4];
    let calls = 0;
    const random = () => draws[calls++] ?? 0;
    expect([2, 2, 2].map((attempt) => backoffDelay(attempt, {}, random))).toEqual([200, 1800, 800]);
    expect(calls).toBe(3);
  });

  it('spreads delays over [0, cap) with the default Math.random', () => {
    const delays = Array.from({ length: 200 }, () => backoffDelay(4));
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(8000);
    }
    // Full jitter, not "equal jitter": both halves of the window are used.
    expect(delays.some((delay) => delay < 4000)).toBe(true);
    expect(delays.some((delay) => delay >= 4000)).toBe(true);
    expect(new Set(delays).size).toBeGreaterThan(150);
  });
});
