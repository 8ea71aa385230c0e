import { describe, expect, it } from 'vitest';
import { SendQueue, type QueuedMessage } from '../../src/transport/send-queue';

const entry = (message: string, key?: string): QueuedMessage<string> => ({
  message,
  data: JSON.stringify(message),
  key,
});

describe('SendQueue', () => {
  it('keeps at most max entries, dropping the oldest first', () => {
    const queue = new SendQueue<string>(2);
    expect(queue.push(entry('a'))).toEqual([]);
    expect(queue.push(entry('b'))).toEqual([]);
    const dropped = queue.push(entry('c'));
    expect(dropped.map((d) => [d.entry.message, d.reason])).toEqual([['a', 'overflow']]);
    expect(queue.take().map((e) => e.message)).toEqual(['b', 'c']);
    expect(queue.size).toBe(0);
  });

  it('replaces an entry with the same key (latest wins) and moves it to the back', () => {
    const queue = new SendQueue<string>(10);
    queue.push(entry('state-1', 'state'));
    queue.push(entry('event'));
    const dropped = queue.push(entry('state-2', 'state'));
    expect(dropped.map((d) => [d.entry.message, d.reason])).toEqual([['state-1', 'coalesced']]);
    expect(queue.take().map((e) => e.message)).toEqual(['event', 'state-2']);
  });

  it('never coalesces entries without a key', () => {
    const queue = new SendQueue<string>(10);
    queue.push(entry('a'));
    queue.push(entry('a'));
    expect(queue.size).toBe(2);
  });

  it('drops the new entry itself when the bound is 0', () => {
    const queue = new SendQueue<string>(0);
    expect(queue.push(entry('a')).map((d) => d.entry.message)).toEqual(['a']);
    expect(queue.size).toBe(0);
  });
});
