/**
 * The VRAM collector: one reading of every GPU and compute process from nvidia-smi (two runs:
 * nvidia-smi cannot combine `--query-gpu` with `--query-compute-apps`), turned into the seed's
 * `VramStatus` plus Marquee's `gpus[]`, `state` and `last_success_at`.
 *
 * It never throws: every failure is a `state` with an `error` message. Without a GPU, driver or
 * binary, `gpu` is null and the lists are empty (no zeros that read as an idle GPU). A `timeout`
 * or `error` after a success keeps the last reading, so a dashboard does not blank on one bad
 * run; `last_success_at` says how old it is. If only the process query fails, the GPU figures are
 * still fresh: the state stays `ok`, the process list is empty and `error` says why.
 */
import type { protocol } from '@marquee/sdk';
import { GPU_QUERY_ARGS, PROCESS_QUERY_ARGS, parseGpus, parseProcesses } from './parse';
import { runCommand, type SpawnFn } from './run';
import { failureOf } from './states';

type VramStatus = protocol.gpu.VramStatus;
type GpuDevice = protocol.gpu.GpuDevice;

export interface NvidiaSmiCollectorOptions {
  /** The executable (config.nvidiaSmiPath): a name on PATH or a path. */
  readonly path: string;
  /** Per run; a run still going is killed (config.nvidiaSmiTimeoutMs). */
  readonly timeoutMs: number;
  /** Unix ms clock for `last_success_at`. @default Date.now */
  readonly now?: () => number;
  /** @default child_process.spawn */
  readonly spawn?: SpawnFn;
}

export interface NvidiaSmiCollector {
  /** Runs nvidia-smi and returns the status; never rejects. Not meant to run concurrently. */
  collect(): Promise<VramStatus>;
}

/** The seed's `gpu` block: GPU 0, with an unreadable metric as 0 (`gpus[]` has it as null). */
function summary(gpu: GpuDevice): NonNullable<VramStatus['gpu']> {
  return {
    name: gpu.name,
    total_mb: gpu.total_mb ?? 0,
    used_mb: gpu.used_mb ?? 0,
    free_mb: gpu.free_mb ?? 0,
    utilization: gpu.utilization ?? 0,
  };
}

export function createNvidiaSmiCollector(options: NvidiaSmiCollectorOptions): NvidiaSmiCollector {
  const now = options.now ?? Date.now;
  const run = (args: readonly string[]) =>
    runCommand(options.path, args, {
      timeoutMs: options.timeoutMs,
      ...(options.spawn ? { spawn: options.spawn } : {}),
    });
  let lastSuccessAt: string | null = null;
  let lastReading: Pick<VramStatus, 'gpu' | 'gpus' | 'processes'> | undefined;

  return {
    async collect() {
      const result = await run(GPU_QUERY_ARGS);
      const gpus = result.kind === 'exit' && result.code === 0 ? parseGpus(result.stdout) : [];
      const first = gpus[0];
      if (first === undefined) {
        const failure = failureOf(result, options.path, options.timeoutMs);
        const transient = failure.state === 'timeout' || failure.state === 'error';
        const kept =
          transient && lastReading ? lastReading : { gpu: null, gpus: [], processes: [] };
        if (!transient) lastReading = undefined;
        return {
          ...kept,
          state: failure.state,
          last_success_at: lastSuccessAt,
          error: failure.error,
        };
      }
      const apps = await run(PROCESS_QUERY_ARGS);
      const appsOk = apps.kind === 'exit' && apps.code === 0;
      lastSuccessAt = new Date(now()).toISOString();
      lastReading = {
        gpu: summary(first),
        gpus,
        processes: appsOk ? parseProcesses(apps.stdout, gpus) : [],
      };
      const status: VramStatus = { ...lastReading, state: 'ok', last_success_at: lastSuccessAt };
      if (appsOk) return status;
      const failure = failureOf(apps, options.path, options.timeoutMs);
      return { ...status, error: `Compute processes unavailable: ${failure.error}` };
    },
  };
}
