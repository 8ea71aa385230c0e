/**
 * The two queries the collector runs and how their rows become protocol objects. GPUs are keyed
 * by uuid (the index can change across reboots and with CUDA_VISIBLE_DEVICES; the uuid cannot),
 * and each compute process is attached to its GPU through `gpu_uuid`.
 */
import type { protocol } from '@marquee/sdk';
import { parseRows } from './csv';
import { readBounded, type Reading } from './values';

type GpuDevice = protocol.gpu.GpuDevice;
type GpuProcess = protocol.gpu.GpuProcess;
type GpuMetric = protocol.gpu.GpuMetric;

const GPU_FIELDS = [
  'index',
  'uuid',
  'name',
  'memory.total',
  'memory.used',
  'memory.free',
  'utilization.gpu',
  'temperature.gpu',
  'power.draw',
  'power.limit',
] as const;

const PROCESS_FIELDS = ['gpu_uuid', 'pid', 'process_name', 'used_memory'] as const;

const FORMAT = '--format=csv,noheader,nounits';

/** `nvidia-smi --query-gpu=... --format=csv,noheader,nounits` */
export const GPU_QUERY_ARGS: readonly string[] = [`--query-gpu=${GPU_FIELDS.join(',')}`, FORMAT];

/** `nvidia-smi --query-compute-apps=... --format=csv,noheader,nounits` */
export const PROCESS_QUERY_ARGS: readonly string[] = [
  `--query-compute-apps=${PROCESS_FIELDS.join(',')}`,
  FORMAT,
];

const MIB = { min: 0, integer: true } as const;

/** Every GPU in `stdout`, by index; a uuid listed twice keeps its first row. */
export function parseGpus(stdout: string): GpuDevice[] {
  const byUuid = new Map<string, GpuDevice>();
  for (const row of parseRows(stdout, GPU_FIELDS.length, GPU_FIELDS.indexOf('name'))) {
    const [index, uuid, name, total, used, free, util, temp, draw, limit] = row;
    const position = readBounded(index ?? '', MIB);
    if (position.value === null || !uuid || byUuid.has(uuid)) continue;
    const unavailable: Partial<Record<GpuMetric, protocol.gpu.GpuMetricUnavailableReason>> = {};
    const metric = (key: GpuMetric, reading: Reading): number | null => {
      if (reading.value === null) unavailable[key] = reading.reason;
      return reading.value;
    };
    byUuid.set(uuid, {
      index: position.value,
      uuid,
      name: name ?? '',
      total_mb: metric('total_mb', readBounded(total ?? '', MIB)),
      used_mb: metric('used_mb', readBounded(used ?? '', MIB)),
      free_mb: metric('free_mb', readBounded(free ?? '', MIB)),
      utilization: metric('utilization', readBounded(util ?? '', { min: 0, max: 100 })),
      temperature_c: metric('temperature_c', readBounded(temp ?? '', {})),
      power_draw_w: metric('power_draw_w', readBounded(draw ?? '', { min: 0 })),
      power_limit_w: metric('power_limit_w', readBounded(limit ?? '', { min: 0 })),
      unavailable,
    });
  }
  return [...byUuid.values()].sort((a, b) => a.index - b.index);
}

/**
 * The compute processes in `stdout` that run on one of `gpus`, in GPU order. `used_memory` is
 * `[N/A]` on drivers that cannot account per process (Windows WDDM): null, not 0.
 */
export function parseProcesses(stdout: string, gpus: readonly GpuDevice[]): GpuProcess[] {
  const order = new Map(gpus.map((gpu, i) => [gpu.uuid, i]));
  const processes: GpuProcess[] = [];
  for (const row of parseRows(stdout, PROCESS_FIELDS.length, 2)) {
    const [gpuUuid, pid, name, used] = row;
    const id = readBounded(pid ?? '', MIB);
    if (!gpuUuid || !order.has(gpuUuid) || id.value === null) continue;
    processes.push({
      gpu_uuid: gpuUuid,
      pid: id.value,
      process_name: name ?? '',
      used_memory_mb: readBounded(used ?? '', MIB).value,
    });
  }
  return processes.sort(
    (a, b) => (order.get(a.gpu_uuid) ?? 0) - (order.get(b.gpu_uuid) ?? 0) || a.pid - b.pid,
  );
}
