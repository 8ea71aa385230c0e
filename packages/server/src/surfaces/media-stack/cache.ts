/**
 * A small time-to-live cache for the surface's computed answers: a value younger than `ttlMs`
 * is a HIT, an older or missing one is computed again (a MISS), and concurrent misses of one key
 * share one computation. Keys are a fixed, small set (stats, status, one per service name).
 */
export interface Cached<T> {
  readonly value: T;
  /** When it was computed (ms, on the cache's clock: monotonic in the server). */
  readonly at: number;
  readonly hit: boolean;
}

export class TtlCache<T> {
  readonly #entries = new Map<string, { value: T; at: number }>();
  readonly #computing = new Map<string, Promise<{ value: T; at: number }>>();
  #hits = 0;
  #lookups = 0;

  constructor(
    readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  async get(key: string, compute: () => Promise<T>): Promise<Cached<T>> {
    this.#lookups += 1;
    const entry = this.#entries.get(key);
    if (entry !== undefined && this.now() - entry.at < this.ttlMs) {
      this.#hits += 1;
      return { ...entry, hit: true };
    }
    return { ...(await this.refresh(key, compute)), hit: false };
  }

  /** Computes the value now (joining a computation in flight) and stores it. */
  refresh(key: string, compute: () => Promise<T>): Promise<{ value: T; at: number }> {
    const running = this.#computing.get(key);
    if (running) return running;
    const started = compute()
      .then((value) => {
        const entry = { value, at: this.now() };
        this.#entries.set(key, entry);
        return entry;
      })
      .finally(() => this.#computing.delete(key));
    this.#computing.set(key, started);
    return started;
  }

  clear(): void {
    this.#entries.clear();
  }

  get hits(): number {
    return this.#hits;
  }

  get lookups(): number {
    return this.#lookups;
  }
}
