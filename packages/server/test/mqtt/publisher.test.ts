/**
 * The publisher's bounds and pacing with a fake client: a state goes out only when it changed and
 * at most once per window per topic (the newest value wins); while the broker is away retained
 * values keep their newest and events queue up to the limit, the oldest dropped; on reconnect
 * every retained value is sent again, then the queued events in order.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Publisher, type PublishClient } from '../../src/integrations/mqtt/publisher';

class FakeClient implements PublishClient {
  connected = true;
  readonly sent: { topic: string; payload: string; retain: boolean }[] = [];
  publish(
    topic: string,
    payload: string,
    options: { qos: 0 | 1; retain: boolean },
    callback: (error?: Error) => void,
  ) {
    this.sent.push({ topic, payload, retain: options.retain });
    callback();
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Publisher', () => {
  it('sends a state only on change, at most once per window, newest value winning', () => {
    vi.useFakeTimers({ now: 0 });
    const client = new FakeClient();
    const publisher = new Publisher({ client, minIntervalMs: 2000, maxQueued: 10, now: Date.now });
    publisher.state('a', '1');
    publisher.state('a', '1');
    expect(client.sent.map((m) => m.payload)).toEqual(['1']);
    publisher.state('a', '2');
    publisher.state('a', '3');
    publisher.state('b', 'x'); // another topic has its own window
    expect(client.sent.map((m) => m.payload)).toEqual(['1', 'x']);
    vi.advanceTimersByTime(1999);
    expect(client.sent).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(client.sent.map((m) => m.payload)).toEqual(['1', 'x', '3']);
    // Back to the value already sent inside a window: nothing more goes out.
    publisher.state('a', '4');
    publisher.state('a', '3');
    vi.advanceTimersByTime(5000);
    expect(client.sent.map((m) => m.payload)).toEqual(['1', 'x', '3']);
    expect(client.sent.every((m) => m.retain)).toBe(true);
    publisher.stop();
  });

  it('bounds events while offline and sends retained values again on reconnect', () => {
    const client = new FakeClient();
    const publisher = new Publisher({ client, minIntervalMs: 0, maxQueued: 3 });
    publisher.retained('config/a', '{"a":1}');
    publisher.state('state/a', 'on');
    client.connected = false;
    for (let i = 1; i <= 5; i++) publisher.event('result', `r${i}`);
    publisher.state('state/a', 'off');
    publisher.state('state/a', 'unknown');
    publisher.retained('config/b', '{"b":1}');
    publisher.retained('config/a', ''); // removed while away: not sent again
    expect(client.sent).toHaveLength(2);
    expect(publisher.queued).toBe(3);
    expect(publisher.dropped).toBe(2);

    client.connected = true;
    client.sent.length = 0;
    publisher.flush();
    expect(client.sent).toEqual([
      { topic: 'state/a', payload: 'unknown', retain: true },
      { topic: 'config/b', payload: '{"b":1}', retain: true },
      { topic: 'config/a', payload: '', retain: true },
      { topic: 'result', payload: 'r3', retain: false },
      { topic: 'result', payload: 'r4', retain: false },
      { topic: 'result', payload: 'r5', retain: false },
    ]);
    // A second reconnect: what is retained now, nothing removed, no event twice.
    client.sent.length = 0;
    publisher.flush();
    expect(client.sent).toEqual([
      { topic: 'state/a', payload: 'unknown', retain: true },
      { topic: 'config/b', payload: '{"b":1}', retain: true },
    ]);
  });
});
