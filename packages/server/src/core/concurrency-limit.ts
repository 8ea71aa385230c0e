/**
 * A bounded worker pool for expensive tasks started by requests (image renders): at most
 * `maxActive` run at once and at most `maxWaiting` wait for a slot; past that a task is refused
 * at once, so a burst of requests costs a bounded amount of CPU and memory and the caller can
 * answer "busy" (503 + Retry-After) instead of queueing without end.
 */
export class ConcurrencyLimit {
  readonly maxActive: number;
  readonly maxWaiting: number;
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(maxActive: number, maxWaiting: number) {
    if (!Number.isInteger(maxActive) || maxActive < 1)
      throw new RangeError('maxActive must be ≥ 1');
    if (!Number.isInteger(maxWaiting) || maxWaiting < 0) {
      throw new RangeError('maxWaiting must be ≥ 0');
    }
    this.maxActive = maxActive;
    this.maxWaiting = maxWaiting;
  }

  /** Tasks running now. */
  get active(): number {
    return this.#active;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Runs `task` now or once a slot is free; its result, or undefined when every slot is busy and
   * the wait queue is full (the task is then never run).
   */
  tryRun<T>(task: () => Promise<T>): Promise<T> | undefined {
    if (this.#active < this.maxActive) {
      this.#active += 1;
      return this.#run(task);
    }
    if (this.#waiting.length >= this.maxWaiting) return undefined;
    return new Promise<void>((resolve) => this.#waiting.push(resolve)).then(() => this.#run(task));
  }

  async #run<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so a newcomer cannot slip in between.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active -= 1;
    }
  }
}
