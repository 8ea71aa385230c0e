/**
 * The fake GPU host's scenario: the JSON file the fake `nvidia-smi` reads on every run (named by
 * `MARQUEE_FAKE_GPU_SCENARIO`). Tests and the CLI write it; the fake only reads it, so each run
 * sees the latest state without any IPC.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

/** nvidia-smi prints at most this many GPUs here; real hosts rarely have more than 8. */
export const MAX_GPUS = 8;

/**
 * What nvidia-smi prints instead of a value it cannot read: `[N/A]`, `[Not Supported]`,
 * `[Insufficient Permissions]`, `[Unknown Error]`, `[GPU is lost]`. Printed literally, in every
 * format, without a unit.
 */
export const UnavailableReading = z.string().regex(/^\[[^\]]+\]$/, 'a bracketed string like [N/A]');
export type UnavailableReading = z.infer<typeof UnavailableReading>;

/** A metric: a number, or the bracketed string nvidia-smi prints instead. */
export const GpuReading = z.union([z.number().finite(), UnavailableReading]);
export type GpuReading = z.infer<typeof GpuReading>;

/** One compute process (`--query-compute-apps`). */
export const GpuProcessSpec = z.object({
  pid: z.number().int().nonnegative(),
  /** As nvidia-smi prints it: usually the executable's path. */
  name: z.string().min(1),
  /** MiB; `[N/A]` where the driver cannot tell (Windows WDDM). */
  usedMemory: GpuReading,
});
export type GpuProcessSpec = z.infer<typeof GpuProcessSpec>;

/** One GPU. Its nvidia-smi index is its position in `gpus`. */
export const GpuSpec = z.object({
  uuid: z.string().min(1),
  name: z.string().min(1),
  /** MiB. */
  memoryTotal: GpuReading,
  /** MiB. */
  memoryUsed: GpuReading,
  /** MiB; when absent, `memoryTotal - memoryUsed` if both are numbers, else `[N/A]`. */
  memoryFree: GpuReading.optional(),
  /** Percent. */
  utilization: GpuReading,
  /** Degrees Celsius. */
  temperature: GpuReading,
  /** Watts. */
  powerDraw: GpuReading,
  /** Watts. */
  powerLimit: GpuReading,
  processes: z.array(GpuProcessSpec).default([]),
});
export type GpuSpec = z.infer<typeof GpuSpec>;
export type GpuSpecInput = z.input<typeof GpuSpec>;

/**
 * How the fake fails, as a real host does: `no_driver` (kernel module not loaded), `mismatch`
 * (driver/library version mismatch after an upgrade without reboot), `no_devices` (driver loaded,
 * no GPU visible), `hang` (never answers, for timeout handling).
 */
export const GpuFailure = z.enum(['no_driver', 'mismatch', 'no_devices', 'hang']);
export type GpuFailure = z.infer<typeof GpuFailure>;

export const GpuScenario = z.object({
  gpus: z.array(GpuSpec).max(MAX_GPUS),
  failure: GpuFailure.nullable().default(null),
  /** Printed by the version-mismatch failure (`NVML library version: 550.144`). */
  driverVersion: z.string().min(1).default('550.144.03'),
  /** When set, every run appends `{"at", "argv"}` as one JSON line to this file. */
  log: z.string().min(1).optional(),
});
export type GpuScenario = z.infer<typeof GpuScenario>;
export type GpuScenarioInput = z.input<typeof GpuScenario>;

/** A UUID in nvidia-smi's `GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` form, stable per seed. */
export function fakeGpuUuid(seed: string | number): string {
  const hex = createHash('sha256').update(`marquee-gpu-${seed}`).digest('hex');
  return `GPU-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A GPU as an idle RTX 4090 reports itself (24564 MiB visible, 450 W limit), at `index`.
 * `overrides` replace any field.
 */
export function fakeGpu(index: number, overrides: Partial<GpuSpecInput> = {}): GpuSpec {
  return GpuSpec.parse({
    uuid: fakeGpuUuid(index),
    name: 'NVIDIA GeForce RTX 4090',
    memoryTotal: 24564,
    memoryUsed: 402,
    utilization: 3,
    temperature: 41,
    powerDraw: 27.53,
    powerLimit: 450,
    processes: [],
    ...overrides,
  });
}

/** The scenario the fake uses when `MARQUEE_FAKE_GPU_SCENARIO` is unset: one idle GPU. */
export function defaultGpuScenario(gpuCount = 1): GpuScenario {
  return GpuScenario.parse({
    gpus: Array.from({ length: gpuCount }, (_, index) => fakeGpu(index)),
  });
}

/**
 * Validates `scenario` and writes it to `path` atomically (a temporary file renamed over it), so
 * a fake nvidia-smi running at that moment reads the old scenario or the new one, never half.
 */
export function writeGpuScenario(path: string, scenario: GpuScenarioInput): GpuScenario {
  const parsed = GpuScenario.parse(scenario);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(parsed, null, 2)}\n`);
  renameSync(temporary, path);
  return parsed;
}

/** Reads and validates a scenario file; throws with the reason when it is missing or invalid. */
export function readGpuScenario(path: string): GpuScenario {
  return GpuScenario.parse(JSON.parse(readFileSync(path, 'utf8')));
}
