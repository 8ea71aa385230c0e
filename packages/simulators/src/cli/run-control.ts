/** Shared by the long-running commands: how they stop and how they print elapsed time. */

/** `42s`, `3m 5s` */
export function formatElapsed(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes}m ${seconds % 60}s` : `${seconds}s`;
}

/** Resolves with the first SIGINT or SIGTERM (Ctrl+C, a CI runner stopping the job). */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Resolves with why a run stops: SIGINT / SIGTERM, or `duration reached` after `durationMs`. */
export async function waitForStop(durationMs: number | undefined): Promise<string> {
  const signal = waitForStopSignal();
  if (durationMs === undefined) return signal;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      signal,
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve('duration reached'), durationMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Spreads the starts of `count` devices evenly over `rampMs`, the first one at once. */
export class Ramp {
  readonly #count: number;
  readonly #rampMs: number;
  readonly #timers: ReturnType<typeof setTimeout>[] = [];

  constructor(count: number, rampMs: number) {
    this.#count = count;
    this.#rampMs = rampMs;
  }

  /** Starts device `index` (from 0) at its turn. */
  start(index: number, start: () => void): void {
    const delay = this.#count > 1 ? (this.#rampMs * index) / (this.#count - 1) : 0;
    if (delay === 0) start();
    else this.#timers.push(setTimeout(start, delay));
  }

  /** Drops the starts still to come. */
  cancel(): void {
    for (const timer of this.#timers) clearTimeout(timer);
  }
}
