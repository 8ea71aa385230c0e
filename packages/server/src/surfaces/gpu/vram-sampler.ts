/**
 * The GPU sampler: ONE nvidia-smi reader for the whole server. Every `/api/gpu/ws` subscriber and
 * every `GET /api/vram/status` shares it, so 50 displays run nvidia-smi exactly as often as one
 * (DESIGN.md: N displays cost the upstreams what one display costs). The timer runs only while
 * somebody subscribes, and a slow run (a hung nvidia-smi waiting for its kill) skips ticks
 * instead of stacking runs up: both come from the core shared sampler; this file adds the probe.
 */
import type { protocol } from '@marquee/sdk';
import {
  createSharedSampler,
  type SharedSampler,
  type SharedSamplerOptions,
} from '../../core/shared-sampler';

export interface VramSample {
  readonly status: protocol.gpu.VramStatus;
  /** Unix ms when it was taken. */
  readonly at: number;
}

export interface VramSamplerOptions extends Omit<
  SharedSamplerOptions<VramSample>,
  'probe' | 'intervalMs' | 'now'
> {
  /** Unix ms clock stamping each sample (its `timestamp`). @default Date.now */
  readonly now?: () => number;
  /** One reading; must not reject (the collector reports failures as a state). */
  readonly collect: () => Promise<protocol.gpu.VramStatus>;
  /** Time between samples while anyone is subscribed (config.gpuSampleIntervalMs). */
  readonly intervalMs: number;
}

/** The shared nvidia-smi sampler: `sampleCount` is the cost of all displays together. */
export type VramSampler = SharedSampler<VramSample>;

export function createVramSampler(options: VramSamplerOptions): VramSampler {
  // `now` stamps each sample (a wall time the page shows); freshness stays on the shared
  // sampler's monotonic clock.
  const { collect, now = Date.now, ...shared } = options;
  return createSharedSampler({
    ...shared,
    onError: options.onError ?? ((error: unknown) => console.error('gpu sample', error)),
    probe: () => collect().then((status) => ({ status, at: now() })),
  });
}
