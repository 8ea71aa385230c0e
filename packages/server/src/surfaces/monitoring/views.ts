/**
 * Seed 003's shapes built from the sampler's readings and the history's rows. Units (the seed
 * gives none; read from its examples): percentages 0–100 with one decimal, memory and disk in GB
 * (10^9 bytes) with two, network speeds in MB/s and totals in MB (10^6 bytes).
 */
import type { protocol } from '@marquee/sdk';
import type { SystemReading, SystemSample } from '../../core/sampler';
import type { HistorySample, RollupRow } from './store/types';

type ComponentStatus = protocol.monitoring.ComponentStatus;
type AlertSettings = protocol.monitoring.AlertSettings;
type Threshold = protocol.monitoring.Threshold;

/** A sample and the raw reading it came from, with when it was taken. */
export interface Observation {
  readonly sample: SystemSample;
  readonly reading: SystemReading;
  /** Unix ms. */
  readonly at: number;
  /** Network rates in bytes per second (the sample's are bits). */
  readonly rxRate: number;
  readonly txRate: number;
  /** The newest network latency in ms (latency.ts), or null. */
  readonly latencyMs: number | null;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function percent(part: number, whole: number): number {
  return whole > 0 ? Math.min(100, Math.max(0, round((part / whole) * 100, 1))) : 0;
}

const GB = 1e9;
const MB = 1e6;

/** healthy below the warning line, warning below the critical one, critical at or above it. */
export function statusOf(value: number, threshold: Threshold): ComponentStatus {
  if (value >= threshold.critical) return 'critical';
  if (value >= threshold.warning) return 'warning';
  return 'healthy';
}

export interface Usage {
  readonly cpu: number;
  readonly memory: number;
  readonly disk: number;
}

/** The three usage percentages alerts and statuses compare with the thresholds. */
export function usageOf(o: Observation): Usage {
  const r = o.reading;
  return {
    cpu: round(Math.min(100, Math.max(0, r.cpuPercent)), 1),
    memory: percent(r.memUsedBytes, r.memTotalBytes),
    disk: percent(r.diskUsedBytes, r.diskTotalBytes),
  };
}

export function systemMetrics(
  o: Observation,
  settings: AlertSettings,
): protocol.monitoring.MetricsMessage['data'] {
  const r = o.reading;
  const usage = usageOf(o);
  const gb = (bytes: number) => round(Math.max(0, bytes) / GB, 2);
  const cores = r.corePercents ?? [];
  return {
    cpu: {
      usage: usage.cpu,
      status: statusOf(usage.cpu, settings.thresholds.cpu),
      temperature: o.sample.cpu_temp,
      cores: cores.map((core) => round(Math.min(100, Math.max(0, core)), 1)),
    },
    memory: {
      usage: usage.memory,
      status: statusOf(usage.memory, settings.thresholds.memory),
      total: gb(r.memTotalBytes),
      used: gb(r.memUsedBytes),
      free: gb(r.memTotalBytes - r.memUsedBytes),
    },
    disk: {
      usage: usage.disk,
      status: statusOf(usage.disk, settings.thresholds.disk),
      total: gb(r.diskTotalBytes),
      used: gb(r.diskUsedBytes),
      free: gb(r.diskTotalBytes - r.diskUsedBytes),
    },
    network: {
      status: 'healthy',
      latency: o.latencyMs,
      download_speed: round(o.rxRate / MB, 3),
      upload_speed: round(o.txRate / MB, 3),
      total_downloaded: round(r.rxBytes / MB, 1),
      total_uploaded: round(r.txBytes / MB, 1),
    },
  };
}

/** `10d 4h 30m`, as the seed writes uptime. */
export function humanUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days > 0) return `${days}d ${hours}h ${minutes}m`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  return `${minutes}m`;
}

/** The observation in the history's integer units (see store/types.ts). */
export function historySample(o: Observation): HistorySample {
  const r = o.reading;
  const temp = o.sample.cpu_temp;
  return {
    ts: Math.floor(o.at / 1000),
    cpu: Math.round(Math.min(100, Math.max(0, r.cpuPercent)) * 10),
    temp: temp === null ? null : Math.round(temp * 10),
    mem: Math.round(Math.max(0, r.memUsedBytes) / 2 ** 20),
    memTotal: Math.round(Math.max(0, r.memTotalBytes) / 2 ** 20),
    disk: Math.round(Math.max(0, r.diskUsedBytes) / MB),
    diskTotal: Math.round(Math.max(0, r.diskTotalBytes) / MB),
    rx: Math.round(o.rxRate),
    tx: Math.round(o.txRate),
  };
}

/** One history bucket as the seed's point: averages over the bucket. */
export function historyPoint(row: RollupRow): protocol.monitoring.MetricsHistoryPoint {
  const n = Math.max(1, row.n);
  const memUsedGb = (row.mem.sum / n) * (2 ** 20 / GB);
  const memTotalGb = row.memTotal * (2 ** 20 / GB);
  const diskUsed = row.disk.sum / n;
  return {
    timestamp: new Date(row.ts * 1000).toISOString(),
    cpu: {
      usage: round(row.cpu.sum / n / 10, 1),
      temperature:
        row.temp === null || row.tempN === 0 ? null : round(row.temp.sum / row.tempN / 10, 1),
    },
    memory: {
      usage: percent(memUsedGb, memTotalGb),
      total: round(memTotalGb, 2),
      used: round(memUsedGb, 2),
    },
    disk: {
      usage: percent(diskUsed, row.diskTotal),
      free: round(Math.max(0, row.diskTotal - diskUsed) / 1000, 2),
    },
    network: {
      download_speed: round(row.rx.sum / n / MB, 3),
      upload_speed: round(row.tx.sum / n / MB, 3),
      download_peak: round(row.rx.max / MB, 3),
      upload_peak: round(row.tx.max / MB, 3),
    },
  };
}

/** A resolution in seconds as the seed writes one (`5m`, `1h`, `90s`). */
export function formatResolution(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
