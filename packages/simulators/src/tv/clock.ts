/**
 * The simulated TV's clocks. `elapsed()` is monotonic (playback is timed on it); `now()` is the
 * TV's wall clock: the same plus any skew. The client's token lifetimes and the proof-of-play
 * timestamps read the wall clock, so a skew jump shows where a real TV's would.
 *
 * Real time follows `performance.now()` (from `performance.timeOrigin`). Virtual time starts at a given instant and moves only by
 * `advance(ms)`, so a test plays an hour of playlist in no time; the TV's network and the
 * client's own timers (backoff, heartbeat) stay on real time.
 */
export class TvClock {
  readonly virtual: boolean;
  #virtualNow: number;
  #skewMs = 0;

  /** `virtual`: the instant virtual time starts at, ms since the epoch; undefined: real time. */
  constructor(virtual: number | undefined) {
    this.virtual = virtual !== undefined;
    this.#virtualNow = virtual ?? 0;
  }

  elapsed(): number {
    return this.virtual ? this.#virtualNow : performance.timeOrigin + performance.now();
  }

  now(): number {
    return this.elapsed() + this.#skewMs;
  }

  get skewMs(): number {
    return this.#skewMs;
  }

  setSkew(ms: number): void {
    this.#skewMs = ms;
  }

  advance(ms: number): number {
    if (!this.virtual) throw new Error('advance() needs virtual time (the `virtualTime` option)');
    if (!(ms >= 0)) throw new RangeError(`advance() takes a duration >= 0, not ${ms}`);
    this.#virtualNow += ms;
    return this.#virtualNow;
  }
}
