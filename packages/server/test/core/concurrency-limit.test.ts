import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from '../../src/core/concurrency-limit';

/** A task that runs until `finish()` is called, logging its start and end. */
function task(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    run: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
    finish: () => finish(),
  };
}

describe('ConcurrencyLimit', () => {
  it('runs maxActive tasks, queues maxWaiting, refuses the rest without running them', async () => {
    const limit = new ConcurrencyLimit(2, 1);
    const log: string[] = [];
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => task(log, name));
    if (!a || !b || !c || !d) throw new Error('tasks');
    const ra = limit.tryRun(a.run);
    const rb = limit.tryRun(b.run);
    const rc = limit.tryRun(c.run);
    expect(limit.tryRun(d.run)).toBeUndefined();
    expect([limit.active, limit.waiting]).toEqual([2, 1]);
    expect(log).toEqual(['start a', 'start b']);

    a.finish();
    expect(await ra).toBe('a');
    await expect.poll(() => log).toContain('start c');
    // The freed slot went to the waiting task: a newcomer waits in the queue's free place.
    const rd = limit.tryRun(d.run);
    expect(rd).toBeDefined();
    expect([limit.active, limit.waiting]).toEqual([2, 1]);
    expect(log).not.toContain('start d');

    b.finish();
    await expect.poll(() => log).toContain('start d');
    c.finish();
    d.finish();
    expect(await Promise.all([rb, rc, rd])).toEqual(['b', 'c', 'd']);
    expect([limit.active, limit.waiting]).toEqual([0, 0]);
  });

  it('frees the slot of a task that fails', async () => {
    const limit = new ConcurrencyLimit(1, 0);
    await expect(limit.tryRun(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(limit.active).toBe(0);
    expect(await limit.tryRun(() => Promise.resolve(1))).toBe(1);
  });

  it('refuses nonsense bounds', () => {
    expect(() => new ConcurrencyLimit(0, 1)).toThrow(RangeError);
    expect(() => new ConcurrencyLimit(1, -1)).toThrow(RangeError);
  });
});
