/**
 * At most `concurrency` tasks at once, the rest waiting in arrival order in a bounded queue.
 * Password checks pass through one gate: scrypt runs on libuv's thread pool (4 threads by
 * default), which file and DNS work share, so a burst of sign-ins must not take every thread; and
 * a sign-in's limits are checked again when its turn comes, so a burst of guesses sent at once
 * cannot all start before the first failures are counted.
 */
export interface GateOptions {
  /** Tasks running at once. */
  readonly concurrency: number;
  /** Tasks waiting at once; `enter` answers undefined beyond it. */
  readonly maxWaiting: number;
}

/** Frees the slot; calling it again does nothing. */
export type Release = () => void;

export class Gate {
  readonly #concurrency: number;
  readonly #maxWaiting: number;
  readonly #waiting: Array<() => void> = [];
  #running = 0;

  constructor(options: GateOptions) {
    this.#concurrency = Math.max(1, options.concurrency);
    this.#maxWaiting = Math.max(0, options.maxWaiting);
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** Resolves with the slot's release once it is this caller's turn; undefined when the queue is full. */
  async enter(): Promise<Release | undefined> {
    if (this.#running < this.#concurrency && this.#waiting.length === 0) {
      this.#running += 1;
      return this.#release();
    }
    if (this.#waiting.length >= this.#maxWaiting) return undefined;
    // The slot passes straight from the leaving task to the first waiter (#running unchanged).
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
    return this.#release();
  }

  #release(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next === undefined) this.#running -= 1;
      else next();
    };
  }
}
