/**
 * The device side of proof of play: `flushPlays` sends oldest first in bounded batches and drops
 * a batch from the queue only after the server stored it; `MemoryPlayQueue` is bounded.
 */
import { describe, expect, it } from 'vitest';
import { flushPlays, MemoryPlayQueue } from '../../src/clients/signage-device/proof-of-play';
import type { PlayRecord } from '../../src/protocol/signage/proof-of-play';

function play(n: number): PlayRecord {
  return {
    id: `play-${String(n).padStart(6, '0')}`,
    media_id: 1,
    playlist_id: 1,
    zone: 'main',
    started_at: new Date(n * 1000).toISOString(),
    ended_at: new Date(n * 1000 + 500).toISOString(),
    duration_ms: 500,
    completed: true,
  };
}

describe('flushPlays', () => {
  it('sends every play oldest first, in batches of at most the batch size', async () => {
    const queue = new MemoryPlayQueue();
    for (let i = 0; i < 12; i++) queue.add(play(i));
    const batches: string[][] = [];
    const result = await flushPlays(
      queue,
      (plays) => {
        batches.push(plays.map((p) => p.id));
        return Promise.resolve({ accepted: plays.length, duplicates: 0, discarded: 0 });
      },
      5,
    );
    expect(batches.map((b) => b.length)).toEqual([5, 5, 2]);
    expect(batches.flat()).toEqual(Array.from({ length: 12 }, (_, i) => play(i).id));
    expect(result).toEqual({ batches: 3, sent: 12, accepted: 12, duplicates: 0, discarded: 0 });
    expect(queue.size).toBe(0);
  });

  it('keeps the failed batch and everything after it', async () => {
    const queue = new MemoryPlayQueue();
    for (let i = 0; i < 7; i++) queue.add(play(i));
    let calls = 0;
    await expect(
      flushPlays(
        queue,
        (plays) => {
          if (++calls === 2) return Promise.reject(new Error('offline'));
          return Promise.resolve({ accepted: plays.length, duplicates: 0, discarded: 0 });
        },
        3,
      ),
    ).rejects.toThrow('offline');
    expect(queue.size).toBe(4);
    expect((await queue.peek(10)).map((p) => p.id)).toEqual([3, 4, 5, 6].map((i) => play(i).id));
  });
});

describe('MemoryPlayQueue', () => {
  it('drops the oldest past its bound and counts them', async () => {
    const queue = new MemoryPlayQueue(3);
    for (let i = 0; i < 5; i++) queue.add(play(i));
    expect(queue.size).toBe(3);
    expect(queue.dropped).toBe(2);
    expect((await queue.peek(10)).map((p) => p.id)).toEqual([2, 3, 4].map((i) => play(i).id));
  });
});
