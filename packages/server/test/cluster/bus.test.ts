/**
 * The Redis bus on its own (core/bus), against the real Redis with a key prefix per test:
 * messages only to the instances that should get them, replay of what an instance missed while
 * its connection was cut, the bounded queue while Redis is away, the backoff.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoff, RedisBus } from '../../src/core/bus';
import { redisForTests } from '../helpers/redis';
import { TcpProxy } from '../mqtt/tcp-proxy';

const redis = await redisForTests();
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('backoff', () => {
  it('doubles from 100 ms with jitter, up to the maximum', () => {
    for (let attempt = 1; attempt < 30; attempt++) {
      const delay = backoff(attempt, 5000);
      const base = Math.min(5000, 100 * 2 ** attempt);
      expect(delay).toBeGreaterThanOrEqual(base / 2);
      expect(delay).toBeLessThanOrEqual(base);
    }
  });
});

describe('the bounded queue while Redis is away', () => {
  it('keeps at most MARQUEE_REDIS_MAX_QUEUED writes, the newest state replacing a queued one', async () => {
    // Nothing listens there: the bus never connects.
    const proxy = await TcpProxy.start('127.0.0.1', 1);
    proxy.cut();
    const bus = new RedisBus({
      url: `redis://127.0.0.1:${proxy.port}`,
      prefix: 'marquee-test-unreachable:',
      maxQueued: 3,
      logger: quiet,
    });
    try {
      bus.publishState('topic', { v: 1 });
      bus.publishState('topic', { v: 2 });
      expect(bus.stats().queued).toBe(1);
      for (let i = 0; i < 4; i++) bus.broadcast('kind', i);
      expect(bus.stats()).toMatchObject({ connected: false, queued: 3, dropped: 2 });
      // A call that needs an answer fails at once instead of waiting.
      await expect(bus.holders('registry', ['x'])).rejects.toThrow();
    } finally {
      await bus.stop();
      await proxy.close();
    }
  });
});

describe.skipIf(!redis.available)('the bus on Redis', () => {
  const buses: RedisBus[] = [];
  let proxy: TcpProxy | undefined;
  let prefix = '';
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.stop()));
    await proxy?.close();
    proxy = undefined;
    await redis.clean(prefix);
  });

  function bus(url = redis.url): RedisBus {
    const created = new RedisBus({ url, prefix, maxQueued: 1000, logger: quiet });
    buses.push(created);
    return created;
  }

  async function allSee(count: number): Promise<void> {
    await vi.waitFor(() => {
      for (const each of buses) expect(each.stats().nodes).toBe(count);
    }, 5000);
  }

  it('sends a topic only to the instances interested in it', async () => {
    prefix = redis.prefix();
    const [a, b, c] = [bus(), bus(), bus()];
    await allSee(3);
    const got = { b: [] as unknown[], c: [] as unknown[] };
    b.on('state:np', (payload) => got.b.push(payload));
    c.on('state:np', (payload) => got.c.push(payload));
    const stop = b.interest('np');
    await vi.waitFor(async () => {
      // The interest is recorded before the first state goes out.
      expect((await redis.keys(prefix)).some((key) => key.endsWith('interest:np'))).toBe(true);
    });
    a.publishState('np', { n: 1 });
    await vi.waitFor(() => expect(got.b).toEqual([{ n: 1 }]));
    expect(got.c).toEqual([]);
    expect([...(await c.states('np'))]).toEqual([[a.nodeId, { n: 1 }]]);
    stop();
    await vi.waitFor(async () =>
      expect((await redis.keys(prefix)).some((key) => key.endsWith('interest:np'))).toBe(false),
    );
    a.publishState('np', { n: 2 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(got.b).toEqual([{ n: 1 }]);
  });

  it('publishes events to the instances interested in a topic, keeping none', async () => {
    prefix = redis.prefix();
    const [a, b, c] = [bus(), bus(), bus()];
    await allSee(3);
    const got = { a: [] as unknown[], b: [] as unknown[], c: [] as unknown[] };
    a.on('note', (payload) => got.a.push(payload));
    b.on('note', (payload, from) => got.b.push([payload, from]));
    c.on('note', (payload) => got.c.push(payload));
    const stopA = a.interest('events');
    const stopB = b.interest('events');
    await vi.waitFor(async () =>
      expect(await redis.keys(prefix)).toContain(`${prefix}interest:events`),
    );
    a.publish('events', 'note', 1);
    a.publish('events', 'note', 2);
    await vi.waitFor(() =>
      expect(got.b).toEqual([
        [1, a.nodeId],
        [2, a.nodeId],
      ]),
    );
    // Never back to its sender, nor to an instance without interest; no state is kept.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(got.a).toEqual([]);
    expect(got.c).toEqual([]);
    expect((await redis.keys(prefix)).some((key) => key.includes('state:'))).toBe(false);
    stopA();
    stopB();
  });

  it('replays what an instance missed while its connection was cut, once, in order', async () => {
    prefix = redis.prefix();
    proxy = await TcpProxy.start('127.0.0.1', Number(new URL(redis.url).port || 6379));
    const far = bus(`redis://127.0.0.1:${proxy.port}`);
    const near = bus();
    await allSee(2);
    const got: unknown[] = [];
    far.on('note', (payload, from) => {
      expect(from).toBe(near.nodeId);
      got.push(payload);
    });
    near.sendTo(far.nodeId, 'note', 0);
    await vi.waitFor(() => expect(got).toEqual([0]));
    proxy.cut();
    await vi.waitFor(() => expect(far.stats().connected).toBe(false));
    for (let i = 1; i <= 5; i++) near.sendTo(far.nodeId, 'note', i);
    await vi.waitFor(() => expect(near.stats().queued).toBe(0));
    proxy.restore();
    await vi.waitFor(() => expect(got).toEqual([0, 1, 2, 3, 4, 5]), { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(got).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('lends a lease to one instance at a time, and moves it when its holder goes silent', async () => {
    prefix = redis.prefix();
    proxy = await TcpProxy.start('127.0.0.1', Number(new URL(redis.url).port || 6379));
    const first = bus(`redis://127.0.0.1:${proxy.port}`);
    await vi.waitFor(() => expect(first.lease('work').held).toBe(true), { timeout: 5000 });
    const second = bus();
    const changes: boolean[] = [];
    second.lease('work').onChange((held) => changes.push(held));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(second.lease('work').held).toBe(false);
    // The holder loses Redis: it gives the lease up after the node TTL, the other takes it.
    proxy.cut();
    await vi.waitFor(
      () => {
        expect(first.lease('work').held).toBe(false);
        expect(second.lease('work').held).toBe(true);
      },
      { timeout: 10_000 },
    );
    expect(changes).toEqual([true]);
    // Back: the lease stays where it is.
    proxy.restore();
    await vi.waitFor(() => expect(first.stats().connected).toBe(true), { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(first.lease('work').held).toBe(false);
    // Released on purpose: the other takes it at its next heartbeat.
    second.lease('work').release();
    await vi.waitFor(() => expect(first.lease('work').held).toBe(true), { timeout: 5000 });
  }, 40_000);

  it('notices an instance that went silent, and forgets its claims', async () => {
    prefix = redis.prefix();
    const [a, b] = [bus(), bus()];
    await allSee(2);
    expect(await a.claim('devices', 'SN-1')).toBeUndefined();
    expect(await b.claim('devices', 'SN-2')).toBeUndefined();
    expect([...(await a.holders('devices', ['SN-1', 'SN-2', 'SN-3']))]).toEqual([
      ['SN-1', a.nodeId],
      ['SN-2', b.nodeId],
    ]);
    // Taken over: the previous holder is named.
    expect(await a.claim('devices', 'SN-2')).toBe(b.nodeId);
    b.release('devices', 'SN-2'); // not b's any more: stays a's
    const down: string[] = [];
    a.onNodeDown((node) => down.push(node));
    await b.claim('devices', 'SN-4');
    // b stops: its liveness key goes, its claims with it.
    buses.splice(buses.indexOf(b), 1);
    await b.stop();
    await vi.waitFor(() => expect(down).toEqual([b.nodeId]), { timeout: 10_000 });
    expect([...(await a.held('devices'))].sort()).toEqual([
      ['SN-1', a.nodeId],
      ['SN-2', a.nodeId],
    ]);
  });
});
