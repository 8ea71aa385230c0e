/**
 * A scriptable fake GPU host for tests: owns a scenario file that the fake nvidia-smi (a real
 * child process, `fakeNvidiaSmiPath`) reads on every run. Each setter rewrites the file at once
 * (atomically), so the next nvidia-smi run sees it; `received` reads back the invocation log.
 *
 *   const host = new FakeGpuHost({ gpus: 2 });
 *   spawn(fakeNvidiaSmiPath, ['--query-gpu=memory.used', '--format=csv'], { env: { ...process.env, ...host.env } });
 *   host.setUsedMemory(0, 8192);
 *   host.setFailure('mismatch');
 *   host.dispose();
 *
 * To extend: add a setter that edits `this.state` and calls `this.save()`; add the field to the
 * schema in scenario.ts (and to fields.ts when nvidia-smi should print it).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { fakeNvidiaSmiPath } from '../paths';
import { NVIDIA_SMI_PATH_ENV, SCENARIO_ENV } from './env';
import {
  GpuProcessSpec,
  GpuSpec,
  fakeGpu,
  writeGpuScenario,
  type GpuFailure,
  type GpuReading,
  type GpuScenario,
  type GpuSpecInput,
} from './scenario';

export interface FakeGpuHostOptions {
  /**
   * The scenario file to own. Its directory must exist.
   * @default `scenario.json` in a fresh temporary directory, removed by `dispose()`
   */
  path?: string;
  /**
   * A number of identical idle GPUs (0–8), or each GPU's spec.
   * @default 1
   */
  gpus?: number | readonly GpuSpecInput[];
  /**
   * Log each nvidia-smi run (to `<scenario>.log`), for `received`.
   * @default true
   */
  log?: boolean;
  /** @default null (answers normally) */
  failure?: GpuFailure | null;
  /** Printed by the version-mismatch failure. @default '550.144.03' */
  driverVersion?: string;
}

/** One nvidia-smi run, as the fake logged it. */
export interface NvidiaSmiInvocation {
  /** ISO time of the run. */
  readonly at: string;
  readonly argv: readonly string[];
}

const Invocation = z.object({ at: z.string(), argv: z.array(z.string()) });

/** The GPU metrics a test can set directly (MiB, percent, degrees Celsius, watts). */
export type GpuMetricField =
  | 'memoryTotal'
  | 'memoryUsed'
  | 'memoryFree'
  | 'utilization'
  | 'temperature'
  | 'powerDraw'
  | 'powerLimit';

function buildGpus(gpus: number | readonly GpuSpecInput[]): GpuSpec[] {
  if (typeof gpus === 'number') return Array.from({ length: gpus }, (_, i) => fakeGpu(i));
  return gpus.map((spec) => GpuSpec.parse(spec));
}

export class FakeGpuHost {
  /** The scenario file; pass it to nvidia-smi as `MARQUEE_FAKE_GPU_SCENARIO` (see `env`). */
  readonly scenarioPath: string;
  /** The invocation log, when logging is on. */
  readonly logPath: string | undefined;
  private state: GpuScenario;
  private readonly ownedDir: string | undefined;
  private nextPid = 4100;

  constructor(options: FakeGpuHostOptions = {}) {
    if (options.path === undefined) {
      this.ownedDir = mkdtempSync(join(tmpdir(), 'marquee-fake-gpu-'));
      this.scenarioPath = join(this.ownedDir, 'scenario.json');
    } else {
      this.scenarioPath = options.path;
    }
    this.logPath = options.log === false ? undefined : `${this.scenarioPath}.log`;
    if (this.logPath) writeFileSync(this.logPath, '');
    this.state = writeGpuScenario(this.scenarioPath, {
      gpus: buildGpus(options.gpus ?? 1),
      failure: options.failure ?? null,
      ...(options.driverVersion === undefined ? {} : { driverVersion: options.driverVersion }),
      ...(this.logPath === undefined ? {} : { log: this.logPath }),
    });
  }

  /** The environment a process needs to run the fake as nvidia-smi against this host. */
  get env(): Record<string, string> {
    return { [NVIDIA_SMI_PATH_ENV]: fakeNvidiaSmiPath, [SCENARIO_ENV]: this.scenarioPath };
  }

  /** A copy of the current scenario. */
  get scenario(): GpuScenario {
    return structuredClone(this.state);
  }

  /** Replaces the GPUs: a count of identical idle GPUs, or each GPU's spec. */
  setGpus(gpus: number | readonly GpuSpecInput[]): void {
    this.state.gpus = buildGpus(gpus);
    this.save();
  }

  /** Sets `memory.used` (MiB); `memory.free` follows unless it was set explicitly. */
  setUsedMemory(index: number, mib: GpuReading): void {
    this.setField(index, 'memoryUsed', mib);
  }

  /** Sets one metric of GPU `index`, to a number or a bracketed string such as `[N/A]`. */
  setField(index: number, field: GpuMetricField, value: GpuReading): void {
    const gpu = this.gpu(index);
    gpu[field] = value;
    this.save();
  }

  /** Adds a compute process on GPU `index`; returns its pid (allocated when not given). */
  addProcess(
    index: number,
    process: { pid?: number; name: string; usedMemory: GpuReading },
  ): number {
    const gpu = this.gpu(index);
    const pid = process.pid ?? this.nextPid++;
    gpu.processes.push(GpuProcessSpec.parse({ ...process, pid }));
    this.save();
    return pid;
  }

  /** Removes the process with `pid` from whichever GPU runs it; false when there is none. */
  removeProcess(pid: number): boolean {
    for (const gpu of this.state.gpus) {
      const at = gpu.processes.findIndex((p) => p.pid === pid);
      if (at !== -1) {
        gpu.processes.splice(at, 1);
        this.save();
        return true;
      }
    }
    return false;
  }

  /** Makes every following nvidia-smi run fail this way; null answers normally again. */
  setFailure(failure: GpuFailure | null): void {
    this.state.failure = failure;
    this.save();
  }

  /** Every nvidia-smi run so far (since `clearReceived`), oldest first. */
  get received(): NvidiaSmiInvocation[] {
    if (!this.logPath || !existsSync(this.logPath)) return [];
    return readFileSync(this.logPath, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => Invocation.parse(JSON.parse(line)));
  }

  clearReceived(): void {
    if (this.logPath) writeFileSync(this.logPath, '');
  }

  /** Removes the temporary directory this host created (a given `path` is left alone). */
  dispose(): void {
    if (this.ownedDir) rmSync(this.ownedDir, { recursive: true, force: true });
  }

  private gpu(index: number): GpuSpec {
    const gpu = this.state.gpus[index];
    if (!gpu) throw new RangeError(`no GPU ${index} (the host has ${this.state.gpus.length})`);
    return gpu;
  }

  private save(): void {
    this.state = writeGpuScenario(this.scenarioPath, this.state);
  }
}
