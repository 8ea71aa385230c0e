import { describe, expect, it } from 'vitest';
import { StallDetector } from '../src/watchdog';

describe('StallDetector', () => {
  it('flags a video whose position stays put for the limit while it should play', () => {
    const watch = new StallDetector(10_000);
    expect(watch.sample(0, 0, true)).toBe(false);
    expect(watch.sample(5_000, 1.2, true)).toBe(false);
    expect(watch.sample(14_999, 1.2, true)).toBe(false);
    expect(watch.sample(15_000, 1.2, true)).toBe(true);
  });

  it('does not count paused time, and movement restarts the count', () => {
    const watch = new StallDetector(10_000);
    watch.sample(0, 3, true);
    expect(watch.sample(20_000, 3, false)).toBe(false);
    expect(watch.sample(29_000, 3, true)).toBe(false);
    expect(watch.sample(30_000, 3.1, true)).toBe(false);
    expect(watch.sample(39_999, 3.1, true)).toBe(false);
    expect(watch.sample(40_000, 3.1, true)).toBe(true);
  });
});
