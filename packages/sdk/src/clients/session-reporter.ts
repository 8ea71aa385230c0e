/**
 * The update cadence of a web player (seed 000: "the web player calls /session/update every
 * 5–10 seconds"). One session at a time:
 *
 * - `start()` posts at once; so does every state change (`playing` ⇄ `paused` ⇄ `buffering`).
 * - While `playing` or `buffering`, one update every `updateIntervalMs`, counted from the last
 *   post, so a state change never causes two posts in a row.
 * - While `paused`, no updates at the playing cadence: one keep-alive every `pausedKeepAliveMs`
 *   (20 s by default, under the server's 30 s expiry) keeps a paused session listed, and so
 *   resumable from a dashboard. `false` stops updates while paused, the seed's original
 *   behaviour: the session then expires 30 s after the pause.
 * - `end()` posts a final `stopped` update (the seed's "session will be removed soon").
 *
 * While playing, the posted position is the last reported one plus the time since, so a player
 * that reports its position rarely still posts a moving one. Posts go out one at a time in
 * order, and a periodic post is skipped while another is still on its way.
 */
import type { SessionState, SessionUpdate } from '../protocol/now-playing';

/** What the app knows about the media when playback starts. */
export type PlayerSessionInfo = Omit<SessionUpdate, 'session_id' | 'current_time' | 'state'> & {
  /** @default a random UUID */
  readonly session_id?: string;
  /** @default 0 */
  readonly current_time?: number;
  /** @default 'playing' */
  readonly state?: Exclude<SessionState, 'stopped'>;
};

export interface SessionReporterOptions {
  /** Sends one update; a rejection is reported to `onError` (periodic posts) or the caller. */
  readonly post: (update: SessionUpdate) => Promise<void>;
  /**
   * Time between updates while playing or buffering, in milliseconds (the seed says 5–10 s).
   * @default 5000
   */
  readonly updateIntervalMs?: number;
  /**
   * Time between keep-alive updates while paused; `false` sends none.
   * @default 20000
   */
  readonly pausedKeepAliveMs?: number | false;
  /**
   * Unix ms clock.
   * @default Date.now
   */
  readonly now?: () => number;
  /** Receives the errors of periodic posts, which have no caller to reject. */
  readonly onError?: (error: unknown) => void;
}

/** The session being reported, as the last post described it (position extrapolated). */
export interface ReportedSession {
  readonly session_id: string;
  readonly state: Exclude<SessionState, 'stopped'>;
  readonly current_time: number;
}

interface Current {
  readonly info: Omit<SessionUpdate, 'current_time' | 'state'>;
  state: Exclude<SessionState, 'stopped'>;
  /** Position in seconds at `reportedAt` (unix ms). */
  position: number;
  reportedAt: number;
}

export class SessionReporter {
  readonly #options: SessionReporterOptions;
  readonly #now: () => number;
  #current: Current | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The last post in the chain; each post starts after the previous one settled. */
  #tail: Promise<unknown> = Promise.resolve();
  #inFlight = 0;

  constructor(options: SessionReporterOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get current(): ReportedSession | undefined {
    const current = this.#current;
    if (!current) return undefined;
    return {
      session_id: current.info.session_id,
      state: current.state,
      current_time: this.#position(current),
    };
  }

  /** Starts reporting a session and posts its first update; resolves with its id once posted. */
  async start(info: PlayerSessionInfo): Promise<string> {
    const { session_id, current_time = 0, state = 'playing', ...rest } = info;
    this.#current = {
      info: { ...rest, session_id: session_id ?? randomId() },
      state,
      position: current_time,
      reportedAt: this.#now(),
    };
    const id = this.#current.info.session_id;
    await this.#postCurrent();
    return id;
  }

  /**
   * Records the player's position (and state). A changed state posts at once; otherwise the
   * position goes out with the next periodic update. `stopped` ends the session (`end()`).
   */
  update(currentTime: number, state?: SessionState): Promise<void> {
    const current = this.#current;
    if (!current) return Promise.resolve();
    if (state === 'stopped') {
      current.position = currentTime;
      current.reportedAt = this.#now();
      return this.end();
    }
    current.position = currentTime;
    current.reportedAt = this.#now();
    if (state === undefined || state === current.state) return Promise.resolve();
    current.state = state;
    return this.#postCurrent();
  }

  /** Changes the state at the current (extrapolated) position; posts when it changed. */
  setState(state: Exclude<SessionState, 'stopped'>): Promise<void> {
    const current = this.#current;
    if (!current || current.state === state) return Promise.resolve();
    current.position = this.#position(current);
    current.reportedAt = this.#now();
    current.state = state;
    return this.#postCurrent();
  }

  /** Posts the final `stopped` update and forgets the session; a no-op without one. */
  end(): Promise<void> {
    const current = this.#current;
    if (!current) return Promise.resolve();
    const final: SessionUpdate = {
      ...current.info,
      current_time: this.#position(current),
      state: 'stopped',
    };
    this.#forget();
    return this.#enqueue(() => final);
  }

  /** Forgets the session without a final update (the server already removed it). */
  drop(): void {
    this.#forget();
  }

  #forget(): void {
    this.#current = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #position(current: Current): number {
    if (current.state !== 'playing') return current.position;
    const moved = current.position + Math.max(0, this.#now() - current.reportedAt) / 1000;
    return current.info.duration > 0 ? Math.min(moved, current.info.duration) : moved;
  }

  /** Posts the session as it is when the post starts, and restarts the cadence from now. */
  #postCurrent(): Promise<void> {
    this.#schedule();
    return this.#enqueue(() => {
      const current = this.#current;
      if (!current) return undefined;
      return { ...current.info, current_time: this.#position(current), state: current.state };
    });
  }

  #enqueue(build: () => SessionUpdate | undefined): Promise<void> {
    this.#inFlight++;
    const run = async (): Promise<void> => {
      try {
        const update = build();
        if (update) await this.#options.post(update);
      } finally {
        this.#inFlight--;
      }
    };
    const next = this.#tail.then(run, run);
    this.#tail = next.catch(() => undefined);
    return next;
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const current = this.#current;
    if (!current) return;
    const delay =
      current.state === 'paused'
        ? (this.#options.pausedKeepAliveMs ?? 20_000)
        : (this.#options.updateIntervalMs ?? 5_000);
    if (delay === false) return;
    this.#timer = setTimeout(() => this.#tick(), delay);
  }

  #tick(): void {
    if (this.#inFlight > 0) {
      // The previous update is still on its way; another would only queue behind it.
      this.#schedule();
      return;
    }
    this.#postCurrent().catch((error: unknown) => this.#options.onError?.(error));
  }
}

function randomId(): string {
  return globalThis.crypto.randomUUID();
}
