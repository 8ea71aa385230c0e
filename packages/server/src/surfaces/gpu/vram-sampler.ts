/**
 * The GPU sampler: ONE nvidia-smi reader for the whole server. Every `/api/gpu/ws` subscriber and
 * every `GET /api/vram/status` shares it, so 50 displays run nvidia-smi exactly as often as one
 * (DESIGN.md: N displays cost the upstreams what one display costs). The timer runs only while
 * somebody subscribes, and a slow run (a hung nvidia-smi waiting for its kill) skips ticks
 * instead of stacking runs up.
 */
import type { protocol } from '@marquee/sdk';

export interface VramSample {
  readonly status: protocol.gpu.VramStatus;
  /** Unix ms when it was taken. */
  readonly at: number;
}

export interface VramSamplerOptions {
  /** One reading; must not reject (the collector reports failures as a state). */
  readonly collect: () => Promise<protocol.gpu.VramStatus>;
  /** Time between samples while anyone is subscribed (config.gpuSampleIntervalMs). */
  readonly intervalMs: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default globalThis.setInterval */
  readonly setInterval?: (fn: () => void, ms: number) => unknown;
  /** @default globalThis.clearInterval */
  readonly clearInterval?: (handle: unknown) => void;
  /** A collector that rejected anyway, or a listener that threw. @default console.error */
  readonly onError?: (error: unknown) => void;
}

export interface VramSampler {
  /** Every new sample goes to `listener`; the first subscriber starts the timer (with a sample at once), the last stops it. */
  subscribe(listener: (sample: VramSample) => void): () => void;
  /** The newest sample while running, or one younger than the interval; else a fresh one (shared). */
  latest(): Promise<VramSample>;
  /** The newest sample, without taking one. */
  readonly current: VramSample | undefined;
  /** Samples taken since creation: the cost metric for fan-out tests. */
  readonly sampleCount: number;
  readonly subscriberCount: number;
}

export function createVramSampler(options: VramSamplerOptions): VramSampler {
  const now = options.now ?? Date.now;
  const setTimer = options.setInterval ?? ((fn: () => void, ms: number) => setInterval(fn, ms));
  const clearTimer =
    options.clearInterval ??
    ((handle: unknown) => clearInterval(handle as ReturnType<typeof setInterval>));
  const onError = options.onError ?? ((error: unknown) => console.error('gpu sample', error));
  const listeners = new Set<(sample: VramSample) => void>();
  let last: VramSample | undefined;
  let inFlight: Promise<VramSample> | undefined;
  let timer: unknown;
  let count = 0;

  const take = (): Promise<VramSample> => {
    if (inFlight !== undefined) return inFlight;
    count += 1;
    const pending = options.collect().then((status) => {
      const sample = { status, at: now() };
      last = sample;
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

  const tick = (): void => {
    if (inFlight === undefined) take().catch(onError);
  };

  return {
    subscribe(listener) {
      const wrapped = (sample: VramSample): void => listener(sample);
      listeners.add(wrapped);
      if (timer === undefined) {
        timer = setTimer(tick, options.intervalMs);
        tick();
      }
      return () => {
        if (!listeners.delete(wrapped) || listeners.size > 0 || timer === undefined) return;
        clearTimer(timer);
        timer = undefined;
      };
    },
    latest() {
      const fresh =
        last !== undefined && (timer !== undefined || now() - last.at < options.intervalMs);
      return fresh && last !== undefined ? Promise.resolve(last) : take();
    },
    get current() {
      return last;
    },
    get sampleCount() {
      return count;
    },
    get subscriberCount() {
      return listeners.size;
    },
  };
}
