/**
 * One shared sampler: runs a probe every interval, but only while somebody subscribes, and hands
 * the one result to every listener. Callers outside the timer (`latest()`) reuse a fresh result
 * or share the read already running, so N displays cost the probed source what one costs. A tick
 * that lands while a read is still running is skipped: reads never overlap or stack up.
 *
 * The system sampler (`./sampler`) and the GPU VRAM sampler (`surfaces/gpu/vram-sampler`) are
 * both this with their own probe.
 */

import { monotonicNow } from './clock';

export interface SharedSamplerOptions<T> {
  /** One reading. A rejection goes to `onError` on timer ticks and to the caller of `latest()`. */
  readonly probe: () => Promise<T>;
  /** Time between samples while anyone is subscribed. */
  readonly intervalMs: number;
  /** Monotonic millisecond clock for freshness (core/clock.ts). @default performance.now */
  readonly now?: () => number;
  /** @default globalThis.setInterval */
  readonly setInterval?: (fn: () => void, ms: number) => unknown;
  /** @default globalThis.clearInterval */
  readonly clearInterval?: (handle: unknown) => void;
  /** Failed reads on a tick and throwing listeners end up here. @default console.error */
  readonly onError?: (error: unknown) => void;
}

export interface SharedSampler<T> {
  /**
   * Every new sample goes to `listener`; the first subscriber starts the timer (with a sample at
   * once), the last one stops it. A subscriber joining a running sampler gets its newest sample
   * at once (or the read in flight when it lands).
   */
  subscribe(listener: (sample: T) => void): () => void;
  /**
   * The newest sample while running, or one younger than `intervalMs`; otherwise a fresh read
   * (concurrent callers share it).
   */
  latest(): Promise<T>;
  /** The newest sample, without taking one. */
  readonly current: T | undefined;
  /**
   * Runs `listener` after every read, with how long it took in seconds and whether it succeeded
   * (the metrics' sampler histogram); returns its removal.
   */
  onProbe(listener: (seconds: number, ok: boolean) => void): () => void;
  /** Reads started since creation: the cost metric for fan-out tests and benchmarks. */
  readonly sampleCount: number;
  readonly subscriberCount: number;
}

export function createSharedSampler<T>(options: SharedSamplerOptions<T>): SharedSampler<T> {
  const now = options.now ?? monotonicNow;
  const setTimer = options.setInterval ?? ((fn: () => void, ms: number) => setInterval(fn, ms));
  const clearTimer =
    options.clearInterval ??
    ((handle: unknown) => clearInterval(handle as ReturnType<typeof setInterval>));
  const onError = options.onError ?? ((error: unknown) => console.error('sample', error));
  const listeners = new Set<(sample: T) => void>();
  const probeListeners = new Set<(seconds: number, ok: boolean) => void>();
  let last: { readonly sample: T; readonly at: number } | undefined;
  let inFlight: Promise<T> | undefined;
  let timer: unknown;
  let count = 0;

  const take = (): Promise<T> => {
    if (inFlight !== undefined) return inFlight;
    count += 1;
    const started = performance.now();
    const probed = options.probe();
    const timed = (ok: boolean) => (): void => {
      const seconds = (performance.now() - started) / 1000;
      for (const listener of probeListeners) {
        try {
          listener(seconds, ok);
        } catch (error) {
          onError(error);
        }
      }
    };
    probed.then(timed(true), timed(false));
    const pending = probed.then((sample) => {
      last = { sample, at: now() };
      for (const listener of listeners) {
        try {
          listener(sample);
        } catch (error) {
          onError(error);
        }
      }
      return sample;
    });
    inFlight = pending;
    const clear = (): void => {
      if (inFlight === pending) inFlight = undefined;
    };
    pending.then(clear, clear);
    return pending;
  };

  /** A tick while a read is still running is skipped: reads never overlap. */
  const tick = (): void => {
    if (inFlight === undefined) take().catch(onError);
  };

  return {
    subscribe(listener) {
      // Wrapped so one listener subscribed twice gets two independent subscriptions.
      const wrapped = (sample: T): void => listener(sample);
      listeners.add(wrapped);
      if (timer === undefined) {
        timer = setTimer(tick, options.intervalMs);
        tick();
      } else if (last !== undefined && inFlight === undefined) {
        // Joining a running sampler: the newest sample at once (on the next microtask, once
        // `subscribe` has returned), rather than nothing until the next tick.
        const { sample } = last;
        queueMicrotask(() => {
          if (!listeners.has(wrapped)) return;
          try {
            wrapped(sample);
          } catch (error) {
            onError(error);
          }
        });
      }
      return () => {
        if (!listeners.delete(wrapped) || listeners.size > 0 || timer === undefined) return;
        clearTimer(timer);
        timer = undefined;
      };
    },
    onProbe(listener) {
      const wrapped = (seconds: number, ok: boolean): void => listener(seconds, ok);
      probeListeners.add(wrapped);
      return () => {
        probeListeners.delete(wrapped);
      };
    },
    latest() {
      const fresh =
        last !== undefined && (timer !== undefined || now() - last.at < options.intervalMs);
      return fresh && last !== undefined ? Promise.resolve(last.sample) : take();
    },
    get current() {
      return last?.sample;
    },
    get sampleCount() {
      return count;
    },
    get subscriberCount() {
      return listeners.size;
    },
  };
}
