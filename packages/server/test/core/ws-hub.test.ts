/**
 * The hub without sockets: fake subscribers record what they were handed, so the fan-out
 * contract (one serialisation, one shared buffer, hooks at 0 <-> 1) is checked exactly.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHub } from '../../src/core/ws/index';
import { fakeSubscriber } from '../helpers/fake-subscriber';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('hub', () => {
  it.each([1, 1_000])('serialises once per publish for %i subscriber(s)', (n) => {
    let calls = 0;
    const hub = createHub({
      serialize: (m) => {
        calls += 1;
        return JSON.stringify(m);
      },
    });
    const subscribers = Array.from({ length: n }, () => fakeSubscriber());
    for (const s of subscribers) hub.subscribe('t', s);

    expect(hub.publish('t', { a: 1 })).toBe(n);
    expect(hub.publishLatest('t', 'snap', { a: 2 })).toBe(n);
    expect(calls).toBe(2);
    // Every subscriber holds the very same encoded buffer: nothing is re-encoded per socket.
    const first = subscribers[0]?.got[0];
    for (const s of subscribers) {
      expect(s.got[0]).toBe(first);
      expect(s.keys).toEqual([undefined, 'snap']);
    }
    expect(first?.toString()).toBe('{"a":1}');
  });

  it('calls JSON.stringify once by default, whatever the audience', () => {
    const hub = createHub();
    for (let i = 0; i < 500; i += 1) hub.subscribe('t', fakeSubscriber());
    const stringify = vi.spyOn(JSON, 'stringify');
    hub.publish('t', { big: 'x'.repeat(10_000) });
    expect(stringify).toHaveBeenCalledTimes(1);
  });

  it('does no work for a topic nobody watches', () => {
    const serialize = vi.fn(JSON.stringify);
    const hub = createHub({ serialize });
    expect(hub.publish('empty', { a: 1 })).toBe(0);
    expect(serialize).not.toHaveBeenCalled();
  });

  it('publishSerialized sends the given text, latest-wins when keyed', () => {
    const hub = createHub();
    const s = fakeSubscriber();
    hub.subscribe('t', s);
    hub.publishSerialized('t', '{"x":1}');
    hub.publishSerialized('t', Buffer.from('{"x":2}'), 'snap');
    expect(s.got.map(String)).toEqual(['{"x":1}', '{"x":2}']);
    expect(s.keys).toEqual([undefined, 'snap']);
  });

  it('runs first/last hooks on 0 <-> 1 transitions and unsubscribes closed sockets', () => {
    const hub = createHub();
    const events: string[] = [];
    hub.onFirstSubscriber('stats', (t) => events.push(`start ${t}`));
    hub.onLastUnsubscribed('stats', (t) => events.push(`stop ${t}`));
    const a = fakeSubscriber();
    const b = fakeSubscriber();

    const unsubscribeA = hub.subscribe('stats', a);
    hub.subscribe('stats', a); // idempotent
    hub.subscribe('stats', b);
    hub.subscribe('other', b);
    expect(events).toEqual(['start stats']);
    expect(hub.subscriberCount('stats')).toBe(2);

    unsubscribeA();
    unsubscribeA();
    expect(events).toEqual(['start stats']);
    b.close();
    expect(events).toEqual(['start stats', 'stop stats']);
    expect(hub.subscriberCount('stats')).toBe(0);
    expect(hub.subscriberCount('other')).toBe(0);

    hub.subscribe('stats', fakeSubscriber());
    expect(events).toEqual(['start stats', 'stop stats', 'start stats']);
  });

  it('ignores closed subscribers and survives a throwing hook', () => {
    const onHookError = vi.fn();
    const hub = createHub({ onHookError });
    hub.onFirstSubscriber('t', () => {
      throw new Error('upstream down');
    });
    const closed = fakeSubscriber();
    closed.close();
    hub.subscribe('t', closed);
    expect(hub.subscriberCount('t')).toBe(0);

    hub.subscribe('t', fakeSubscriber());
    expect(hub.subscriberCount('t')).toBe(1);
    expect(onHookError).toHaveBeenCalledWith(expect.any(Error), 't');
  });
});
