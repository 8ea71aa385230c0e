/**
 * The counters behind every rate limit: one fixed window per key, kept in a map bounded by
 * `maxKeys` (the least recently counted key is forgotten first, so a flood of fresh keys costs
 * bounded memory), on an injected clock. It implements @fastify/rate-limit's store interface
 * (`incr`, `read`, `child`), so the plugin's limiters count here, and adds `hit`, `peek` and
 * `reset` for the sign-in limits, which count failed attempts only.
 */
import { monotonicNow, type MonotonicClock } from '../clock';

/** A key's window as the plugin's store interface reports it (`ttl` in ms). */
export interface WindowState {
  readonly current: number;
  readonly ttl: number;
}

export interface LimitStoreOptions {
  /** Millisecond clock for the windows: monotonic, so a wall-clock step neither ends nor stretches a window. @default performance.now */
  readonly now?: MonotonicClock;
  /** Keys kept at once; beyond it the least recently counted one is forgotten. @default 20000 */
  readonly maxKeys?: number;
}

interface Counter {
  count: number;
  startedAt: number;
}

type Callback = (error: Error | null, state: WindowState) => void;

export class LimitStore {
  readonly #counters = new Map<string, Counter>();
  readonly #now: () => number;
  readonly #maxKeys: number;

  constructor(options: LimitStoreOptions = {}) {
    this.#now = options.now ?? monotonicNow;
    this.#maxKeys = Math.max(1, options.maxKeys ?? 20_000);
  }

  /** Keys currently held. */
  get size(): number {
    return this.#counters.size;
  }

  /** Counts one event for `key` in its current window (a new window once the last one ended). */
  hit(key: string, windowMs: number): WindowState {
    const now = this.#now();
    let counter = this.#live(key, windowMs, now);
    if (counter === undefined) {
      counter = { count: 0, startedAt: now };
      this.#counters.set(key, counter);
      if (this.#counters.size > this.#maxKeys) {
        const oldest = this.#counters.keys().next();
        if (oldest.done !== true) this.#counters.delete(oldest.value);
      }
    }
    counter.count += 1;
    return { current: counter.count, ttl: counter.startedAt + windowMs - now };
  }

  /** `key`'s window without counting; `{ current: 0, ttl: 0 }` when it has none. */
  peek(key: string, windowMs: number): WindowState {
    const now = this.#now();
    const counter = this.#live(key, windowMs, now);
    return counter === undefined
      ? { current: 0, ttl: 0 }
      : { current: counter.count, ttl: counter.startedAt + windowMs - now };
  }

  /** Forgets `key`'s window. */
  reset(key: string): void {
    this.#counters.delete(key);
  }

  // @fastify/rate-limit's store interface.
  incr(key: string, callback: Callback, timeWindow: number): void {
    callback(null, this.hit(key, timeWindow));
  }

  read(key: string, callback: Callback, timeWindow: number): void {
    callback(null, this.peek(key, timeWindow));
  }

  /**
   * The plugin asks each limiter for a child store; they all share this one, whose keys carry
   * their limiter's bucket, so one bound covers every route's counters.
   */
  child(): this {
    return this;
  }

  /** The live counter of `key`, moved to the recent end; undefined (and dropped) once expired. */
  #live(key: string, windowMs: number, now: number): Counter | undefined {
    const counter = this.#counters.get(key);
    if (counter === undefined) return undefined;
    this.#counters.delete(key);
    if (counter.startedAt + windowMs <= now) return undefined;
    this.#counters.set(key, counter);
    return counter;
  }
}
