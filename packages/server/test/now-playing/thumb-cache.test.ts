/**
 * The thumbnail cache on a real folder: its bytes never exceed the bound (checked on disk after
 * every write), the least recently used entry goes first, and the order and the bound survive a
 * restart (a new cache on the same folder rebuilds its index from the files' mtimes).
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ThumbCache } from '../../src/surfaces/now-playing/thumb-cache';

let dir: string;
let clock: number;
const now = () => clock;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'marquee-thumbs-'));
  clock = Date.parse('2026-01-01T00:00:00Z');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const key = (n: number) => n.toString(16).padStart(64, '0');
const bytesOnDisk = () =>
  readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
const keysOnDisk = () =>
  readdirSync(dir)
    .map((name) => name.replace(/\.jpg$/, ''))
    .sort();

/** Writes `n` at the current clock, then moves the clock on a minute. */
async function put(cache: ThumbCache, n: number, size = 300): Promise<void> {
  await cache.write(key(n), Buffer.alloc(size, n));
  expect(bytesOnDisk()).toBeLessThanOrEqual(cache.maxBytes);
  expect(cache.bytes).toBe(bytesOnDisk());
  clock += 60_000;
}

describe('ThumbCache', () => {
  it('never holds more than maxBytes: the least recently used go first', async () => {
    const cache = new ThumbCache({ dir, maxBytes: 1000, now });
    for (const n of [1, 2, 3]) await put(cache, n);
    expect(keysOnDisk()).toEqual([key(1), key(2), key(3)]);
    // A hit makes 1 the most recently used, so 2 is the one to go.
    expect((await cache.read(key(1)))?.[0]).toBe(1);
    clock += 60_000;
    await put(cache, 4);
    expect(keysOnDisk()).toEqual([key(1), key(3), key(4)]);
    expect(await cache.read(key(2))).toBeUndefined();
    // A big one makes room for itself by evicting several.
    await put(cache, 5, 900);
    expect(keysOnDisk()).toEqual([key(5)]);
    // Larger than the whole cache: not stored, nothing evicted for it.
    await cache.write(key(6), Buffer.alloc(1001));
    expect(keysOnDisk()).toEqual([key(5)]);
  });

  it('keeps the bound under concurrent writes', async () => {
    const cache = new ThumbCache({ dir, maxBytes: 2000, now });
    await Promise.all(
      Array.from({ length: 40 }, (_, n) => cache.write(key(n + 1), Buffer.alloc(150 + n * 10))),
    );
    expect(bytesOnDisk()).toBeLessThanOrEqual(2000);
    expect(cache.bytes).toBe(bytesOnDisk());
    expect(cache.size).toBe(readdirSync(dir).length);
  });

  it('rebuilds its index and recency from the folder after a restart', async () => {
    const first = new ThumbCache({ dir, maxBytes: 1000, now });
    for (const n of [1, 2, 3]) await put(first, n);
    await first.read(key(1)); // 1 is now the most recently used, on disk too
    clock += 60_000;
    writeFileSync(join(dir, `.${key(9)}.half-written.tmp`), 'left by a crash');

    const second = new ThumbCache({ dir, maxBytes: 1000, now });
    await second.load();
    expect(second.bytes).toBe(900);
    expect(keysOnDisk()).toEqual([key(1), key(2), key(3)]); // the temporary file is gone
    expect((await second.read(key(3)))?.length).toBe(300);
    clock += 60_000;
    await put(second, 4);
    // 2 was the least recently used before the restart (1 and 3 were read since).
    expect(keysOnDisk()).toEqual([key(1), key(3), key(4)]);
  });

  it('applies a lowered bound on start', async () => {
    const first = new ThumbCache({ dir, maxBytes: 1000, now });
    for (const n of [1, 2, 3]) await put(first, n);
    const smaller = new ThumbCache({ dir, maxBytes: 400, now });
    await smaller.load();
    expect(keysOnDisk()).toEqual([key(3)]);
    expect(smaller.bytes).toBe(300);
  });

  it('forgets a file deleted behind its back', async () => {
    const cache = new ThumbCache({ dir, maxBytes: 1000, now });
    await put(cache, 1);
    rmSync(join(dir, `${key(1)}.jpg`));
    expect(await cache.read(key(1))).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });

  it('caches nothing with a bound of 0', async () => {
    const cache = new ThumbCache({ dir, maxBytes: 0, now });
    await cache.write(key(1), Buffer.alloc(10));
    expect(readdirSync(dir)).toEqual([]);
  });
});
