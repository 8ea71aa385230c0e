/**
 * System metrics: the `metrics` WebSocket message, `GET /api/v1/metrics/current` and
 * `GET /api/v1/metrics/history`. Sizes are GB, latency milliseconds; the seed gives no units,
 * these are read from its examples (16.0 total memory, 2000.0 total disk).
 */
import * as z from 'zod';
import { isoDateTime, percent, queryInt } from '../common';
import { ComponentStatus } from './services';

/** A non-negative quantity that may be fractional. */
const amount = z.number().min(0);

/**
 * Degrees Celsius; null where the host has no readable sensor (containers, most VMs). The seed
 * shows a number.
 */
const temperature = z.number().nullable();

export const CpuMetrics = z
  .object({
    usage: percent,
    status: ComponentStatus,
    temperature,
    /** Usage of each logical core, in percent. */
    cores: z.array(percent),
  })
  .meta({ id: 'MonitoringCpuMetrics' });
export type CpuMetrics = z.infer<typeof CpuMetrics>;

/** `usage` is percent; `total`, `used` and `free` are GB. */
export const MemoryMetrics = z
  .object({ usage: percent, status: ComponentStatus, total: amount, used: amount, free: amount })
  .meta({ id: 'MonitoringMemoryMetrics' });
export type MemoryMetrics = z.infer<typeof MemoryMetrics>;

/** `usage` is percent; `total`, `used` and `free` are GB. */
export const DiskMetrics = z
  .object({ usage: percent, status: ComponentStatus, total: amount, used: amount, free: amount })
  .meta({ id: 'MonitoringDiskMetrics' });
export type DiskMetrics = z.infer<typeof DiskMetrics>;

/**
 * Speeds in MB/s, totals in MB since boot (10^6 bytes, all interfaces but loopback), latency in
 * milliseconds: the time a TCP connection attempt to the default gateway (or the configured
 * target) takes to be answered, measured every 10 s; null when it cannot be measured.
 */
export const NetworkMetrics = z
  .object({
    status: ComponentStatus,
    latency: amount.nullable(),
    download_speed: amount,
    upload_speed: amount,
    total_downloaded: amount,
    total_uploaded: amount,
  })
  .meta({ id: 'MonitoringNetworkMetrics' });
export type NetworkMetrics = z.infer<typeof NetworkMetrics>;

/**
 * A metrics sample. The seed's `/metrics/current` example has no `network` block while its
 * WebSocket example has one, so it is optional here and required in `MetricsMessage`.
 */
export const SystemMetrics = z
  .object({
    cpu: CpuMetrics,
    memory: MemoryMetrics,
    disk: DiskMetrics,
    network: NetworkMetrics.optional(),
  })
  .meta({ id: 'MonitoringSystemMetrics' });
export type SystemMetrics = z.infer<typeof SystemMetrics>;

/** `GET /api/v1/metrics/current`. */
export const CurrentMetrics = z
  .object({ timestamp: isoDateTime, metrics: SystemMetrics })
  .meta({ id: 'MonitoringCurrentMetrics' });
export type CurrentMetrics = z.infer<typeof CurrentMetrics>;

/**
 * A sampling interval: a positive whole number and a unit, `s`, `m`, `h` or `d` (`5m`, `1h`).
 */
export const Resolution = z
  .string()
  .regex(/^[1-9]\d{0,5}[smhd]$/, 'Expected an interval like "5m" or "1h"');

const unitMs = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds in a resolution such as `5m`; undefined when it is not one. */
export function resolutionMs(resolution: string): number | undefined {
  const match = /^([1-9]\d{0,5})([smhd])$/.exec(resolution);
  if (!match) return undefined;
  return Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
}

/**
 * Query of `GET /api/v1/metrics/history`. The seed's clients always send all three; Marquee
 * also serves a request that omits them: `end` defaults to now, `start` to one hour before `end`.
 */
export const MetricsHistoryQuery = z
  .object({
    start: isoDateTime.optional(),
    end: isoDateTime.optional(),
    /** @default '5m' */
    resolution: Resolution.default('5m'),
    /**
     * Most points returned (Marquee's addition). A resolution that would give more is widened,
     * and the answer's `resolution` says which was used.
     * @default 1000
     */
    maxPoints: queryInt(2, 10_000).default(1000),
  })
  .refine(
    (q) => q.start === undefined || q.end === undefined || Date.parse(q.end) >= Date.parse(q.start),
    { path: ['end'], message: 'end must not be before start' },
  );
export type MetricsHistoryQuery = z.infer<typeof MetricsHistoryQuery>;

/**
 * One point of the history: averages over its interval, starting at `timestamp`. `network`
 * (Marquee's addition) has the average download and upload speeds in MB/s and the highest of the
 * samples in the interval (`*_peak`).
 */
export const MetricsHistoryPoint = z
  .object({
    timestamp: isoDateTime,
    cpu: z.object({ usage: percent, temperature }),
    memory: z.object({ usage: percent, total: amount, used: amount }),
    disk: z.object({ usage: percent, free: amount }),
    /** Marquee's addition: always sent by Marquee; absent in the seed's example. */
    network: z
      .object({
        download_speed: amount,
        upload_speed: amount,
        download_peak: amount,
        upload_peak: amount,
      })
      .optional(),
  })
  .meta({ id: 'MonitoringMetricsHistoryPoint' });
export type MetricsHistoryPoint = z.infer<typeof MetricsHistoryPoint>;

/**
 * `GET /api/v1/metrics/history`: oldest point first; echoes the effective range and resolution.
 * Points are averages of the samples in their interval; an interval with no sample has no point.
 */
export const MetricsHistory = z
  .object({
    metrics: z.array(MetricsHistoryPoint),
    resolution: Resolution,
    start: isoDateTime,
    end: isoDateTime,
  })
  .meta({ id: 'MonitoringMetricsHistory' });
export type MetricsHistory = z.infer<typeof MetricsHistory>;
