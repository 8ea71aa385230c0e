/**
 * The progress output of a fleet run (`panel`, `tv`): a status line redrawn every 500 ms on a
 * terminal and printed as a plain line every 5 s elsewhere (and once at the end), a rate meter
 * for it, and per-device event lines up to a cap.
 */
import type { StatusLine } from './status-line';

const REDRAW_MS = 500;
/** Plain output: one progress line this often. */
const PLAIN_EVERY_MS = 5000;
/** Individual device events printed before the rest are only counted. */
const MAX_EVENT_LINES = 20;

export class Progress {
  readonly #status: StatusLine;
  readonly #render: () => string;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastPlain = Date.now();

  constructor(status: StatusLine, render: () => string) {
    this.#status = status;
    this.#render = render;
  }

  start(): this {
    this.#timer = setInterval(() => this.#refresh(false), REDRAW_MS);
    return this;
  }

  /** Stops redrawing, shows the line a last time (plain output too) and clears it. */
  finish(): void {
    clearInterval(this.#timer);
    this.#refresh(true);
    this.#status.clear();
  }

  /** Renders only what is shown, so a rate in the line covers the time since the last one. */
  #refresh(force: boolean): void {
    const now = Date.now();
    if (this.#status.live) this.#status.update(this.#render());
    else if (force || now - this.#lastPlain >= PLAIN_EVERY_MS) {
      this.#lastPlain = now;
      this.#status.log(this.#render());
    }
  }
}

/** Per-second rate of a growing count, between one reading and the next. */
export class RateMeter {
  #last = 0;
  #at = Date.now();

  sample(total: number): number {
    const now = Date.now();
    const rate = now > this.#at ? ((total - this.#last) * 1000) / (now - this.#at) : 0;
    this.#last = total;
    this.#at = now;
    return rate;
  }
}

/** Device events as log lines, the first few printed and the rest counted. */
export class EventLines {
  readonly #status: StatusLine;
  #printed = 0;
  #suppressed = 0;

  constructor(status: StatusLine) {
    this.#status = status;
  }

  get suppressed(): number {
    return this.#suppressed;
  }

  add(line: string): void {
    if (this.#printed < MAX_EVENT_LINES) {
      this.#printed += 1;
      this.#status.log(line);
    } else {
      this.#suppressed += 1;
    }
  }
}
