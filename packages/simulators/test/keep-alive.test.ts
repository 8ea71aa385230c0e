import { describe, expect, it } from 'vitest';
import {
  DEFAULT_KEEP_ALIVE_MS,
  FOREVER_MS,
  keepAliveMs,
  parseGoDuration,
} from '../src/ollama/keep-alive';

describe('keep_alive', () => {
  it('parses Go durations', () => {
    expect(parseGoDuration('5m')).toBe(300_000);
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('1.5s')).toBe(1_500);
    expect(parseGoDuration('250ms')).toBe(250);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('-1m')).toBe(-60_000);
    expect(parseGoDuration('10')).toBeUndefined();
    expect(parseGoDuration('5 m')).toBeUndefined();
  });

  it('reads numbers as seconds, negatives as forever, absent as 5 minutes', () => {
    expect(keepAliveMs(undefined)).toBe(DEFAULT_KEEP_ALIVE_MS);
    expect(keepAliveMs(0)).toBe(0);
    expect(keepAliveMs(30)).toBe(30_000);
    expect(keepAliveMs(-1)).toBe(FOREVER_MS);
    expect(keepAliveMs('-1m')).toBe(FOREVER_MS);
    expect(keepAliveMs('soon')).toEqual(new Error('time: invalid duration "soon"'));
  });
});
