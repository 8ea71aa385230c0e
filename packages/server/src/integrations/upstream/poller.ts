/**
 * One poller per upstream, shared by every subscriber: it polls at the upstream's interval while
 * at least one subscriber listens (or while `start()` holds it), never runs two polls at once (a
 * `refresh()` during a poll joins it), backs off while the upstream is down (the interval doubled
 * per failure, up to `maxBackoffMs`) and keeps the upstream's health: `up`, `degraded` (answered,
 * but slowly or reporting trouble of its own) or `down`, with `lastSuccessAt`, the latency of the
 * last answer and the recent latencies for min / max / avg / p95.
 */
import { monotonicNow } from '../../core/clock';
import { toMarqueeError } from '@marquee/sdk';

export type UpstreamStatus = 'up' | 'down' | 'degraded';

/** What one poll produced: the value, and why it counts as degraded when it does. */
export interface PollResult<T> {
  readonly value: T;
  /** Set when the upstream answered but reports a problem (its own health check, errors). */
  readonly degraded?: string;
}

export interface UpstreamSnapshot<T> {
  readonly name: string;
  /** `undefined` until the first poll ends. */
  readonly status: UpstreamStatus | undefined;
  /** Why the status is `down` or `degraded`. */
  readonly reason: string | undefined;
  /** The last value polled successfully (kept while down, with its age in `lastSuccessAt`). */
  readonly value: T | undefined;
  readonly lastCheckAt: number | undefined;
  readonly lastSuccessAt: number | undefined;
  /** Milliseconds the last poll took, successful or not. */
  readonly latencyMs: number | undefined;
  readonly consecutiveFailures: number;
  /** When the next poll is due (undefined while nobody listens). */
  readonly nextPollAt: number | undefined;
  readonly counts: { readonly total: number; readonly successful: number; readonly failed: number };
  /** Latencies of the recent successful polls, oldest first (bounded). */
  readonly recentLatencies: readonly number[];
}

export type SnapshotListener<T> = (
  snapshot: UpstreamSnapshot<T>,
  previous: UpstreamStatus | undefined,
) => void;

export interface PollerOptions<T> {
  readonly name: string;
  readonly poll: () => Promise<PollResult<T>>;
  readonly intervalMs: number;
  /** Longest wait between two polls while down. @default 10 × intervalMs, at most 5 minutes */
  readonly maxBackoffMs?: number;
  /** A poll slower than this makes the upstream `degraded`. @default 5000 */
  readonly degradedLatencyMs?: number;
  /** Unix ms clock: `lastCheckAt`, `lastSuccessAt`, `nextPollAt`. @default Date.now */
  readonly now?: () => number;
  /** Poll latencies: a duration, so monotonic (core/clock.ts). @default performance.now */
  readonly monotonic?: () => number;
  /** Reports a listener that threw (the poller goes on). */
  readonly onListenerError?: (error: unknown) => void;
}

/** How many latencies the performance figures are computed over. */
export const RECENT_LATENCIES = 100;

export interface UpstreamPoller<T> {
  readonly name: string;
  readonly intervalMs: number;
  snapshot(): UpstreamSnapshot<T>;
  /** Listens to every poll's outcome; the first listener starts the polling. */
  subscribe(listener: SnapshotListener<T>): () => void;
  /** Polls now, or joins the poll in flight; resolves with the snapshot after it. */
  refresh(): Promise<UpstreamSnapshot<T>>;
  /**
   * A value the upstream pushed (its WebSocket): taken as the newest value without a call, the
   * upstream counted as answering (a `down` becomes `up`; `degraded` stays until the next poll),
   * and handed to every listener. Polling goes on at its interval. Ignored once stopped.
   */
  offer(value: T): void;
  /**
   * Polls once more after the poll in flight, if any (it may have started before a change the
   * upstream just announced); calls made while waiting share that one poll.
   */
  refreshAfterInFlight(): Promise<UpstreamSnapshot<T>>;
  /**
   * Several instances (integrations/media/cluster.ts): another instance polls. The timer stops,
   * `refresh()` and `refreshAfterInFlight()` call `requestRefresh` (the holder polls) and resolve
   * with the next snapshot `mirror` takes (or the current one after `intervalMs`), and subscribing
   * polls nothing. Polls in flight finish.
   */
  follow(requestRefresh: () => void): void;
  /** Polls itself again (after `follow`): at once when somebody listens. */
  lead(): void;
  /** True between `follow` and `lead`. */
  readonly following: boolean;
  /**
   * Takes another instance's snapshot as its own (status, value, check times, counts, latencies)
   * and hands it to every listener. Ignored once stopped.
   */
  mirror(snapshot: UpstreamSnapshot<T>): void;
  /** Values taken from pushes since creation. */
  readonly pushesTaken: number;
  /** How many polls were started since creation (the upstream economy, for tests and benchmarks). */
  readonly pollsStarted: number;
  readonly subscribers: number;
  /** Stops the timer for good; polls in flight finish but schedule nothing. */
  stop(): void;
}

export function createPoller<T>(options: PollerOptions<T>): UpstreamPoller<T> {
  const now = options.now ?? Date.now;
  const monotonic = options.monotonic ?? monotonicNow;
  const maxBackoffMs = options.maxBackoffMs ?? Math.min(options.intervalMs * 10, 300_000);
  const degradedLatencyMs = options.degradedLatencyMs ?? 5000;
  const listeners = new Set<SnapshotListener<T>>();
  let status: UpstreamStatus | undefined;
  let reason: string | undefined;
  let value: T | undefined;
  let lastCheckAt: number | undefined;
  let lastSuccessAt: number | undefined;
  let latencyMs: number | undefined;
  let failures = 0;
  let nextPollAt: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<UpstreamSnapshot<T>> | undefined;
  let stopped = false;
  let pollsStarted = 0;
  let pushesTaken = 0;
  let queued: Promise<UpstreamSnapshot<T>> | undefined;
  let requestRefresh: (() => void) | undefined;
  let awaitingMirror: ((snapshot: UpstreamSnapshot<T>) => void)[] = [];
  const counts = { total: 0, successful: 0, failed: 0 };
  const latencies: number[] = [];

  const snapshot = (): UpstreamSnapshot<T> => ({
    name: options.name,
    status,
    reason,
    value,
    lastCheckAt,
    lastSuccessAt,
    latencyMs,
    consecutiveFailures: failures,
    nextPollAt,
    counts: { ...counts },
    recentLatencies: [...latencies],
  });

  function delay(): number {
    if (failures === 0) return options.intervalMs;
    return Math.min(options.intervalMs * 2 ** (failures - 1), maxBackoffMs);
  }

  function schedule(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (requestRefresh !== undefined) return;
    nextPollAt = undefined;
    if (stopped || listeners.size === 0) return;
    const wait = delay();
    nextPollAt = now() + wait;
    timer = setTimeout(() => {
      timer = undefined;
      void refresh();
    }, wait);
    timer.unref?.();
  }

  async function run(): Promise<UpstreamSnapshot<T>> {
    pollsStarted += 1;
    const previous = status;
    const started = monotonic();
    try {
      const result = await options.poll();
      latencyMs = Math.round(monotonic() - started);
      value = result.value;
      lastSuccessAt = now();
      failures = 0;
      counts.successful += 1;
      latencies.push(latencyMs);
      if (latencies.length > RECENT_LATENCIES) latencies.shift();
      if (result.degraded !== undefined) {
        status = 'degraded';
        reason = result.degraded;
      } else if (latencyMs > degradedLatencyMs) {
        status = 'degraded';
        reason = `answered in ${latencyMs} ms (slower than ${degradedLatencyMs} ms)`;
      } else {
        status = 'up';
        reason = undefined;
      }
    } catch (error) {
      latencyMs = Math.round(monotonic() - started);
      failures += 1;
      counts.failed += 1;
      status = 'down';
      reason = toMarqueeError(error).message;
    }
    counts.total += 1;
    lastCheckAt = now();
    return notify(previous);
  }

  function notify(previous: UpstreamStatus | undefined): UpstreamSnapshot<T> {
    const after = snapshot();
    for (const listener of [...listeners]) {
      try {
        listener(after, previous);
      } catch (error) {
        options.onListenerError?.(error);
      }
    }
    return after;
  }

  /** Following: asks the holder to poll and waits for its answer (bounded by the interval). */
  function awaitHolder(ask: () => void): Promise<UpstreamSnapshot<T>> {
    return new Promise((resolve) => {
      const wait = setTimeout(() => {
        awaitingMirror = awaitingMirror.filter((each) => each !== done);
        resolve(snapshot());
      }, options.intervalMs);
      wait.unref?.();
      const done = (after: UpstreamSnapshot<T>) => {
        clearTimeout(wait);
        resolve(after);
      };
      awaitingMirror.push(done);
      ask();
    });
  }

  function mirror(from: UpstreamSnapshot<T>): void {
    if (stopped) return;
    const previous = status;
    status = from.status;
    reason = from.reason;
    value = from.value;
    lastCheckAt = from.lastCheckAt;
    lastSuccessAt = from.lastSuccessAt;
    latencyMs = from.latencyMs;
    failures = from.consecutiveFailures;
    nextPollAt = from.nextPollAt;
    counts.total = from.counts.total;
    counts.successful = from.counts.successful;
    counts.failed = from.counts.failed;
    latencies.splice(0, latencies.length, ...from.recentLatencies.slice(-RECENT_LATENCIES));
    const after = notify(previous);
    const waiting = awaitingMirror;
    awaitingMirror = [];
    for (const resolve of waiting) resolve(after);
  }

  function refreshAfterInFlight(): Promise<UpstreamSnapshot<T>> {
    if (requestRefresh !== undefined) return awaitHolder(requestRefresh);
    if (inFlight === undefined) return refresh();
    queued ??= inFlight.then(() => {
      queued = undefined;
      return refresh();
    });
    return queued;
  }

  function offer(pushed: T): void {
    if (stopped) return;
    pushesTaken += 1;
    const previous = status;
    value = pushed;
    lastSuccessAt = now();
    lastCheckAt = lastSuccessAt;
    if (status !== 'degraded') {
      status = 'up';
      reason = undefined;
    }
    if (failures > 0) {
      // Answering again: the next poll comes at the interval, not after the backoff.
      failures = 0;
      if (inFlight === undefined) schedule();
    }
    notify(previous);
  }

  function refresh(): Promise<UpstreamSnapshot<T>> {
    if (requestRefresh !== undefined) return awaitHolder(requestRefresh);
    if (inFlight) return inFlight;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    inFlight = run().finally(() => {
      inFlight = undefined;
      schedule();
    });
    return inFlight;
  }

  return {
    name: options.name,
    intervalMs: options.intervalMs,
    snapshot,
    subscribe(listener) {
      listeners.add(listener);
      const idle = inFlight === undefined && timer === undefined && requestRefresh === undefined;
      if (listeners.size === 1 && !stopped && idle) {
        void refresh();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer !== undefined) {
          clearTimeout(timer);
          timer = undefined;
          nextPollAt = undefined;
        }
      };
    },
    refresh,
    offer,
    refreshAfterInFlight,
    follow(ask) {
      requestRefresh = ask;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
    lead() {
      if (requestRefresh === undefined) return;
      requestRefresh = undefined;
      nextPollAt = undefined;
      if (stopped) return;
      const waiting = awaitingMirror;
      awaitingMirror = [];
      if (listeners.size > 0 || waiting.length > 0) {
        void refresh().then((after) => {
          for (const resolve of waiting) resolve(after);
        });
      }
    },
    get following() {
      return requestRefresh !== undefined;
    },
    mirror,
    get pushesTaken() {
      return pushesTaken;
    },
    get pollsStarted() {
      return pollsStarted;
    },
    get subscribers() {
      return listeners.size;
    },
    stop() {
      stopped = true;
      listeners.clear();
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      nextPollAt = undefined;
    },
  };
}

/** min / max / avg / p95 of a list of milliseconds (zeros when empty). */
export function latencySummary(values: readonly number[]): {
  min: number;
  max: number;
  avg: number;
  p95: number;
} {
  if (values.length === 0) return { min: 0, max: 0, avg: 0, p95: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  const rank = Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1);
  return {
    min: sorted[0] ?? 0,
    max: sorted[sorted.length - 1] ?? 0,
    avg: Math.round((sum / sorted.length) * 10) / 10,
    p95: sorted[rank] ?? 0,
  };
}
