/**
 * The bounded queue of messages sent while the socket is not open. When full, the oldest entry
 * is dropped; entries with the same coalescing key replace each other (latest wins), so a panel
 * that was offline for a minute sends one fresh state instead of thirty stale ones.
 */

/** Why a message accepted by `send()` was never written to a socket. */
export type DropReason = 'overflow' | 'coalesced' | 'closed';

/** One queued message, kept with its wire form so it is serialised once. */
export interface QueuedMessage<Out> {
  readonly message: Out;
  readonly data: string;
  /** Latest-wins key; undefined never coalesces. */
  readonly key: string | undefined;
  /** Told when the message leaves the queue without being sent. */
  readonly onDrop?: (reason: DropReason) => void;
  /** Told when the message is written to a socket. */
  readonly onSent?: () => void;
}

export interface Dropped<Out> {
  readonly entry: QueuedMessage<Out>;
  readonly reason: DropReason;
}

export class SendQueue<Out> {
  readonly #max: number;
  #entries: QueuedMessage<Out>[] = [];

  constructor(max: number) {
    this.#max = Math.max(0, Math.floor(max));
  }

  get size(): number {
    return this.#entries.length;
  }

  /**
   * Adds an entry at the back and returns what had to leave: a same-key entry it replaces, and
   * the oldest entries when the bound is exceeded (the new entry itself when the bound is 0).
   */
  push(entry: QueuedMessage<Out>): Dropped<Out>[] {
    const dropped: Dropped<Out>[] = [];
    if (entry.key !== undefined) {
      const index = this.#entries.findIndex((queued) => queued.key === entry.key);
      const replaced = index >= 0 ? this.#entries.splice(index, 1)[0] : undefined;
      if (replaced) dropped.push({ entry: replaced, reason: 'coalesced' });
    }
    this.#entries.push(entry);
    while (this.#entries.length > this.#max) {
      const oldest = this.#entries.shift();
      if (oldest) dropped.push({ entry: oldest, reason: 'overflow' });
    }
    return dropped;
  }

  /** Removes and returns every entry, oldest first. */
  take(): QueuedMessage<Out>[] {
    const entries = this.#entries;
    this.#entries = [];
    return entries;
  }
}
