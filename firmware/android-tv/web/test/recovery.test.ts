import { describe, expect, it } from 'vitest';
import { RELOADS_KEY, Recovery } from '../src/recovery';

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
  };
}

describe('Recovery', () => {
  it('asks for a reload at the third failure within a minute, not for failures spread out', () => {
    const recovery = new Recovery(memoryStorage());
    expect(recovery.failure(0)).toBe(false);
    expect(recovery.failure(30_000)).toBe(false);
    // The first one is out of the window by now.
    expect(recovery.failure(61_000)).toBe(false);
    expect(recovery.failure(62_000)).toBe(true);
    expect(recovery.reloads).toBe(1);
  });

  it('never reloads twice within the gap, across page loads, and counts each reload', () => {
    const storage = memoryStorage();
    const first = new Recovery(storage, { minReloadGapMs: 600_000 });
    for (const at of [0, 1000]) expect(first.failure(at)).toBe(false);
    expect(first.failure(2000)).toBe(true);
    // The page reloaded: a new Recovery on the same session storage.
    const second = new Recovery(storage, { minReloadGapMs: 600_000 });
    expect(second.reloads).toBe(1);
    for (const at of [3000, 4000, 5000, 6000, 599_000]) expect(second.failure(at)).toBe(false);
    expect(second.failure(602_000)).toBe(false);
    expect(second.failure(602_500)).toBe(true);
    expect(new Recovery(storage).reloads).toBe(2);
  });

  it('treats a clock set back as long ago, and unreadable storage as no reload yet', () => {
    const storage = memoryStorage();
    storage.setItem(RELOADS_KEY, JSON.stringify({ count: 4, last: 9_000_000 }));
    const recovery = new Recovery(storage, { threshold: 1 });
    expect(recovery.failure(1000)).toBe(true);
    expect(recovery.reloads).toBe(5);
    storage.setItem(RELOADS_KEY, '{not json');
    expect(new Recovery(storage).reloads).toBe(0);
  });
});
