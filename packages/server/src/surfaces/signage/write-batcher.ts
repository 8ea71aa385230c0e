/**
 * A bounded write-behind batcher: changes submitted while one event-loop turn runs (or within
 * `maxDelayMs` when set, unless `maxBatch` are waiting first) are handed to `apply` together, at
 * most `maxBatch` at a time, which writes them in ONE transaction and answers one result per
 * change, in order. While a backlog drains, one batch is written per event-loop turn, so sockets
 * are served between batches.
 * Each caller's promise settles once its change is committed (or rolled back), so a caller that
 * needs durability awaits it, and one that does not (a last-seen time) need not.
 *
 * - Order: changes are applied in submission order, batches one after another (never two
 *   `apply` calls at once), so what one device's code submits in order is committed in order.
 * - Errors: `apply` is all or nothing; when it throws, every change of that batch is rejected
 *   with that error (none was applied) and later batches still run.
 * - Bounded: at most `maxPending` changes are admitted to wait for a batch; a `submit` beyond
 *   that is held back, in order, and admitted as batches are taken, its caller waiting the
 *   longer (backpressure). What is held back is one entry per caller still awaiting `submit`.
 * - Coalescing: a change submitted with a `key` replaces a change with the same key that has not
 *   been taken into a batch yet (a newer last-seen time replaces the older one); both callers get
 *   the same result and the replacement takes no new place.
 * - `close()` writes everything submitted so far and refuses later submissions.
 */
export interface WriteBatcherOptions<C, R> {
  /** Writes the changes in one transaction (all or none) and answers one result per change. */
  readonly apply: (changes: readonly C[]) => Promise<readonly R[]>;
  /**
   * The most changes in one transaction; when this many wait, the batch is written at the end of
   * the turn even when a delay is set. @default 512
   */
  readonly maxBatch?: number;
  /**
   * The longest a change waits for its batch, in ms; 0 writes at the end of the current
   * event-loop turn (`setImmediate`), so a lone change is not delayed. @default 0
   */
  readonly maxDelayMs?: number;
  /** Changes that may wait for a batch; further submissions wait for room. @default 8192 */
  readonly maxPending?: number;
}

interface Entry<C, R> {
  change: C;
  readonly key: string | undefined;
  readonly promise: Promise<R>;
  readonly resolve: (result: R) => void;
  readonly reject: (error: Error) => void;
}

/** First in, first out, O(1) at both ends (an array's `shift` copies a large one). */
class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head += 1;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}

export class BatcherClosedError extends Error {
  constructor() {
    super('The write batcher is closed');
    this.name = 'BatcherClosedError';
  }
}

export class WriteBatcher<C, R> {
  readonly #apply: (changes: readonly C[]) => Promise<readonly R[]>;
  readonly #maxBatch: number;
  readonly #maxDelayMs: number;
  readonly #maxPending: number;
  /** Admitted, not yet taken into a batch, in submission order. */
  readonly #queue = new Fifo<Entry<C, R>>();
  /** Submitted while the queue was full, in submission order. */
  readonly #overflow = new Fifo<Entry<C, R>>();
  /** Entries with a key, in the queue or the overflow. */
  readonly #byKey = new Map<string, Entry<C, R>>();
  #timer: { readonly immediate: boolean; cancel(): void } | undefined;
  /** The batch being written, if any. */
  #writing: Promise<void> | undefined;
  #closed = false;
  #batches = 0;
  #written = 0;

  constructor(options: WriteBatcherOptions<C, R>) {
    this.#apply = options.apply;
    this.#maxBatch = Math.max(1, options.maxBatch ?? 512);
    this.#maxDelayMs = Math.max(0, options.maxDelayMs ?? 0);
    this.#maxPending = Math.max(this.#maxBatch, options.maxPending ?? 8192);
  }

  /** Changes waiting (admitted or held back), not counting the batch being written. */
  get pending(): number {
    return this.#queue.length + this.#overflow.length;
  }

  /** Changes admitted to the bounded queue, waiting for a batch. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Batches written and changes in them, since the start (metrics, tests). */
  get stats(): { readonly batches: number; readonly changes: number } {
    return { batches: this.#batches, changes: this.#written };
  }

  /**
   * Queues `change`; resolves with its result once its batch is committed. With `key`, a change
   * with the same key still waiting is replaced and its promise answered (no new place taken).
   */
  submit(change: C, key?: string): Promise<R> {
    if (this.#closed) return Promise.reject(new BatcherClosedError());
    if (key !== undefined) {
      const existing = this.#byKey.get(key);
      if (existing !== undefined) {
        existing.change = change;
        return existing.promise;
      }
    }
    let resolve!: (result: R) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<R>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const entry: Entry<C, R> = { change, key, promise, resolve, reject };
    if (key !== undefined) this.#byKey.set(key, entry);
    if (this.#overflow.length > 0 || this.#queue.length >= this.#maxPending) {
      this.#overflow.push(entry);
    } else {
      this.#queue.push(entry);
    }
    this.#schedule();
    return promise;
  }

  /** Writes everything submitted so far; resolves once it is committed (or failed). */
  async flush(): Promise<void> {
    this.#cancelTimer();
    while (this.pending > 0 || this.#writing !== undefined) {
      if (this.#writing !== undefined) await this.#writing;
      else this.#startBatch();
    }
  }

  /** Refuses new changes, then writes what was submitted. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  /**
   * Arranges the next batch: at the end of this event-loop turn when a full one waits (or no
   * delay is set), else after the delay. Batches are written from timers, never inside a
   * caller's `submit`, and one per turn while a backlog drains, so sockets are served between.
   */
  #schedule(): void {
    if (this.#writing !== undefined) return; // its end schedules the next one
    const now = this.#queue.length >= this.#maxBatch || this.#maxDelayMs === 0;
    if (this.#timer !== undefined && (this.#timer.immediate || !now)) return;
    this.#cancelTimer();
    if (now) {
      const immediate = setImmediate(() => this.#due());
      this.#timer = { immediate: true, cancel: () => clearImmediate(immediate) };
    } else {
      const timeout = setTimeout(() => this.#due(), this.#maxDelayMs);
      this.#timer = { immediate: false, cancel: () => clearTimeout(timeout) };
    }
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #due(): void {
    this.#timer = undefined;
    if (this.#writing === undefined && this.pending > 0) this.#startBatch();
  }

  /** Takes up to `maxBatch` changes and writes them; the next batch follows when due. */
  #startBatch(): void {
    const batch: Entry<C, R>[] = [];
    while (batch.length < this.#maxBatch) {
      const entry = this.#queue.shift();
      if (entry === undefined) break;
      if (entry.key !== undefined) this.#byKey.delete(entry.key);
      batch.push(entry);
    }
    // Room was made: admit held-back submissions in their order.
    while (this.#overflow.length > 0 && this.#queue.length < this.#maxPending) {
      const next = this.#overflow.shift();
      if (next !== undefined) this.#queue.push(next);
    }
    const writing = this.#write(batch).finally(() => {
      this.#writing = undefined;
      if (this.pending > 0) this.#schedule();
    });
    this.#writing = writing;
  }

  async #write(batch: readonly Entry<C, R>[]): Promise<void> {
    let results: readonly R[];
    try {
      results = await this.#apply(batch.map((entry) => entry.change));
      if (results.length !== batch.length) {
        throw new Error(`apply answered ${results.length} results for ${batch.length} changes`);
      }
    } catch (error) {
      const reason = error instanceof Error ? error : new Error(String(error));
      for (const entry of batch) entry.reject(reason);
      return;
    }
    this.#batches += 1;
    this.#written += batch.length;
    batch.forEach((entry, i) => entry.resolve(results[i] as R));
  }
}
