/**
 * The rate-limit building blocks on their own: the counter store (fixed windows on an injected
 * clock, a bound on keys that forgets the least recently counted, the plugin's callback API) and
 * the gate (arrival order, a bounded queue, idempotent release); the address keys.
 */
import { describe, expect, it } from 'vitest';
import { Gate } from '../../src/core/rate-limit/gate';
import { addressKey, isLoopback } from '../../src/core/rate-limit/keys';
import { LimitStore, type WindowState } from '../../src/core/rate-limit/store';

describe('LimitStore', () => {
  it('counts in fixed windows on its clock', () => {
    let now = 1000;
    const store = new LimitStore({ now: () => now });
    expect(store.peek('k', 60_000)).toEqual({ current: 0, ttl: 0 });
    expect(store.hit('k', 60_000)).toEqual({ current: 1, ttl: 60_000 });
    now += 20_000;
    expect(store.hit('k', 60_000)).toEqual({ current: 2, ttl: 40_000 });
    expect(store.peek('k', 60_000)).toEqual({ current: 2, ttl: 40_000 });
    now += 40_000;
    expect(store.peek('k', 60_000)).toEqual({ current: 0, ttl: 0 });
    expect(store.hit('k', 60_000)).toEqual({ current: 1, ttl: 60_000 });
    store.reset('k');
    expect(store.peek('k', 60_000).current).toBe(0);
  });

  it('holds at most maxKeys, forgetting the least recently counted', () => {
    const store = new LimitStore({ now: () => 0, maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) store.hit(key, 1000);
    store.hit('a', 1000); // a is now the most recent
    store.hit('d', 1000); // b goes
    expect(store.size).toBe(3);
    expect(store.peek('b', 1000).current).toBe(0);
    expect(store.peek('a', 1000).current).toBe(2);
    expect(store.peek('c', 1000).current).toBe(1);
    for (let i = 0; i < 1000; i++) store.hit(`flood-${i}`, 1000);
    expect(store.size).toBe(3);
  });

  it('answers the plugin’s store interface through callbacks, one store for every child', () => {
    const store = new LimitStore({ now: () => 0 });
    const seen: WindowState[] = [];
    store.incr('k', (error, state) => (error ? undefined : seen.push(state)), 5000);
    store.read('k', (error, state) => (error ? undefined : seen.push(state)), 5000);
    expect(seen).toEqual([
      { current: 1, ttl: 5000 },
      { current: 1, ttl: 5000 },
    ]);
    expect(store.child()).toBe(store);
  });
});

describe('Gate', () => {
  it('runs at most `concurrency` at once, the rest in arrival order, and bounds the queue', async () => {
    const gate = new Gate({ concurrency: 2, maxWaiting: 2 });
    const a = await gate.enter();
    const b = await gate.enter();
    const order: string[] = [];
    const c = gate.enter().then((release) => (order.push('c'), release));
    const d = gate.enter().then((release) => (order.push('d'), release));
    expect(await gate.enter()).toBeUndefined(); // queue full
    expect({ running: gate.running, waiting: gate.waiting }).toEqual({ running: 2, waiting: 2 });

    a?.();
    a?.(); // a second release of the same slot frees nothing more
    const releaseC = await c;
    expect(order).toEqual(['c']);
    expect({ running: gate.running, waiting: gate.waiting }).toEqual({ running: 2, waiting: 1 });
    b?.();
    const releaseD = await d;
    expect(order).toEqual(['c', 'd']);
    releaseC?.();
    releaseD?.();
    expect({ running: gate.running, waiting: gate.waiting }).toEqual({ running: 0, waiting: 0 });
  });
});

describe('address keys', () => {
  it('folds an IPv6 /64 and IPv4-mapped addresses', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2:bbbb::9'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
  });

  it('knows loopback', () => {
    for (const ip of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
      expect(isLoopback(ip)).toBe(true);
    }
    for (const ip of ['10.0.0.1', '::2', '128.0.0.1', '2001:db8::127']) {
      expect(isLoopback(ip)).toBe(false);
    }
  });
});
