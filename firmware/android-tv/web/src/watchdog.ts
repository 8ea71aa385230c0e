/**
 * The stall rule, as a pure object fed with samples: a video that should be playing (shown, not
 * paused) whose position has not moved for `stallMs` is stalled. A pause, or any movement of the
 * position, restarts the count.
 */
export const STALL_MS = 10_000;

export class StallDetector {
  readonly #stallMs: number;
  #position = Number.NaN;
  #since = 0;

  constructor(stallMs = STALL_MS) {
    this.#stallMs = stallMs;
  }

  /** One look at the video at `now` (ms); true once it has been stuck for the limit. */
  sample(now: number, position: number, shouldPlay: boolean): boolean {
    if (!shouldPlay || position !== this.#position) {
      this.#position = position;
      this.#since = now;
      return false;
    }
    return now - this.#since >= this.#stallMs;
  }
}
