/**
 * Proof of play on the device side: a bounded queue of plays not yet acknowledged by the server,
 * and `flushPlays`, which sends them oldest first in batches of at most MAX_PLAY_BATCH and drops
 * each batch from the queue only once the server answered 200. A batch whose answer was lost is
 * sent again; the server stores each (device, id) once, so it still counts once.
 *
 * The queue is an interface so a device can keep it where it survives a restart: the web player
 * keeps it in IndexedDB, the TV simulator in memory (`MemoryPlayQueue`).
 */
import {
  MAX_PLAY_BATCH,
  type PlayBatchResult,
  type PlayRecord,
} from '../../protocol/signage/proof-of-play';

/** Where a device keeps the plays the server has not acknowledged yet. */
export interface PlayQueue {
  /** The oldest `limit` plays, oldest first. */
  peek(limit: number): Promise<PlayRecord[]>;
  /** Drops these plays (the server has them). */
  remove(ids: readonly string[]): Promise<void>;
}

/** What one `flushPlays` sent. */
export interface FlushResult {
  readonly batches: number;
  readonly sent: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly discarded: number;
}

/**
 * Sends the queue's plays in batches until it is empty; rejects with the first failure, leaving
 * that batch and every later play queued.
 */
export async function flushPlays(
  queue: PlayQueue,
  send: (plays: PlayRecord[]) => Promise<PlayBatchResult>,
  batchSize = MAX_PLAY_BATCH,
): Promise<FlushResult> {
  const size = Math.max(1, Math.min(batchSize, MAX_PLAY_BATCH));
  const total = { batches: 0, sent: 0, accepted: 0, duplicates: 0, discarded: 0 };
  for (;;) {
    const batch = await queue.peek(size);
    if (batch.length === 0) return total;
    const result = await send(batch);
    await queue.remove(batch.map((play) => play.id));
    total.batches++;
    total.sent += batch.length;
    total.accepted += result.accepted;
    total.duplicates += result.duplicates;
    total.discarded += result.discarded;
  }
}

/** A play queue in memory, bounded: past `max` plays the oldest is dropped (and counted). */
export class MemoryPlayQueue implements PlayQueue {
  readonly #plays = new Map<string, PlayRecord>();
  readonly #max: number;
  #dropped = 0;

  /** @param max plays kept @default 10000 */
  constructor(max = 10_000) {
    this.#max = Math.max(1, max);
  }

  /** Plays waiting for the server. */
  get size(): number {
    return this.#plays.size;
  }

  /** Plays dropped because the queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  add(play: PlayRecord): void {
    this.#plays.set(play.id, play);
    while (this.#plays.size > this.#max) {
      const oldest = this.#plays.keys().next();
      if (oldest.done === true) break;
      this.#plays.delete(oldest.value);
      this.#dropped++;
    }
  }

  peek(limit: number): Promise<PlayRecord[]> {
    const out: PlayRecord[] = [];
    for (const play of this.#plays.values()) {
      if (out.length >= limit) break;
      out.push(play);
    }
    return Promise.resolve(out);
  }

  remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.#plays.delete(id);
    return Promise.resolve();
  }
}
