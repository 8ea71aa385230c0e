/** The in-memory cache of relayed Plex / Jellyfin posters: bounded in bytes, LRU, expiring. */
import { describe, expect, it } from 'vitest';
import { PosterRelayCache } from '../../src/surfaces/now-playing/poster-relay-cache';

const bytes = (n: number, fill = 1) => Buffer.alloc(n, fill);

describe('PosterRelayCache', () => {
  it('serves what it keeps with a strong ETag of the bytes', () => {
    const cache = new PosterRelayCache();
    const kept = cache.set('plex\n/a', bytes(10), 'image/png');
    expect(kept.etag).toMatch(/^"[\w-]{43}"$/);
    expect(cache.get('plex\n/a')).toMatchObject({ type: 'image/png', etag: kept.etag });
    expect(cache.set('plex\n/b', bytes(10, 2), 'image/png').etag).not.toBe(kept.etag);
    expect(cache.get('plex\n/missing')).toBeUndefined();
    expect(cache.stats).toEqual({ entries: 2, bytes: 20, hits: 1, misses: 1 });
  });

  it('never holds more than maxBytes, dropping the least recently used first', () => {
    const cache = new PosterRelayCache({ maxBytes: 400 });
    for (const key of ['a', 'b', 'c', 'd']) cache.set(key, bytes(100), 'image/jpeg');
    expect(cache.get('a')).toBeDefined(); // a is now the most recently used
    cache.set('e', bytes(100), 'image/jpeg');
    expect(cache.get('b')).toBeUndefined();
    for (const key of ['a', 'c', 'd', 'e']) expect(cache.get(key), key).toBeDefined();
    expect(cache.stats.bytes).toBe(400);
    cache.set('f', bytes(100), 'image/jpeg');
    cache.set('g', bytes(100), 'image/jpeg');
    expect(cache.stats).toMatchObject({ entries: 4, bytes: 400 });
    expect(cache.get('a')).toBeUndefined();
  });

  it('does not keep a poster over a quarter of the budget, and replacing a key frees the old bytes', () => {
    const cache = new PosterRelayCache({ maxBytes: 400 });
    cache.set('small', bytes(50), 'image/png');
    const big = cache.set('big', bytes(101), 'image/png');
    expect(big.bytes.byteLength).toBe(101); // still served once
    expect(cache.get('big')).toBeUndefined();
    expect(cache.get('small')).toBeDefined();
    cache.set('small', bytes(80), 'image/png');
    expect(cache.stats).toMatchObject({ entries: 1, bytes: 80 });
  });

  it('expires entries after ttlMs on the injected clock', () => {
    let now = 1_000_000;
    const cache = new PosterRelayCache({ ttlMs: 60_000, now: () => now });
    cache.set('a', bytes(10), 'image/png');
    now += 59_999;
    expect(cache.get('a')).toBeDefined();
    now += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.stats).toMatchObject({ entries: 0, bytes: 0 });
  });
});
