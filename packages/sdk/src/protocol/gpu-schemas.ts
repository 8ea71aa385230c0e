/**
 * Seed 004's payloads, written in zod/mini so that a GPU dashboard bundles only the checks it
 * uses (docs/size.md). The surface's decisions, route and channel table and documentation ids
 * are in `gpu.ts`, which re-exports everything here; the GPU client imports this file alone.
 */
import * as z from 'zod/mini';
import { isoDateTime, nonNegativeInt, percent, unixSeconds } from './primitives';
import type { ErrorShape } from './tables';

/** The first GPU in the seed's shape. MiB values are whole numbers, as nvidia-smi reports them. */
export const GpuSummary = z.object({
  name: z.string(),
  total_mb: nonNegativeInt,
  used_mb: nonNegativeInt,
  free_mb: nonNegativeInt,
  /** GPU utilisation in percent. */
  utilization: percent,
});
export type GpuSummary = z.infer<typeof GpuSummary>;

/** The metrics of a `gpus[]` entry that nvidia-smi may be unable to read. */
export const GpuMetric = z.enum([
  'total_mb',
  'used_mb',
  'free_mb',
  'utilization',
  'temperature_c',
  'power_draw_w',
  'power_limit_w',
]);
export type GpuMetric = z.infer<typeof GpuMetric>;

/**
 * Why a metric is null: nvidia-smi prints `[N/A]` (`not_available`), `[Not Supported]`
 * (`not_supported`) or `[Insufficient Permissions]` (`insufficient_permissions`); anything else in
 * brackets (`[Unknown Error]`, `[GPU is lost]`) is `unknown`.
 */
export const GpuMetricUnavailableReason = z.enum([
  'not_available',
  'not_supported',
  'insufficient_permissions',
  'unknown',
]);
export type GpuMetricUnavailableReason = z.infer<typeof GpuMetricUnavailableReason>;

/** Watts. */
const watts = () => z.nullable(z.number().check(z.minimum(0)));

/** One GPU (Marquee extension). Metric names mirror the seed's `gpu` block. */
export const GpuDevice = z.object({
  /** nvidia-smi's index. */
  index: nonNegativeInt,
  uuid: z.string().check(z.minLength(1)),
  name: z.string(),
  total_mb: z.nullable(nonNegativeInt),
  used_mb: z.nullable(nonNegativeInt),
  free_mb: z.nullable(nonNegativeInt),
  utilization: z.nullable(percent),
  /** Degrees Celsius. */
  temperature_c: z.nullable(z.number()),
  /** Watts. */
  power_draw_w: watts(),
  /** Watts. */
  power_limit_w: watts(),
  /** Why each null metric is null; `{}` when every metric was read. */
  unavailable: z.partialRecord(GpuMetric, GpuMetricUnavailableReason),
});
export type GpuDevice = z.infer<typeof GpuDevice>;

/** One compute process using a GPU (`nvidia-smi --query-compute-apps`). */
export const GpuProcess = z.object({
  /** Matches `gpus[].uuid`. */
  gpu_uuid: z.string().check(z.minLength(1)),
  pid: nonNegativeInt,
  process_name: z.string(),
  /** MiB; null where the driver does not report it (e.g. Windows WDDM). */
  used_memory_mb: z.nullable(nonNegativeInt),
});
export type GpuProcess = z.infer<typeof GpuProcess>;

/**
 * How the last nvidia-smi run went: `ok`; `no_gpu` (the driver sees none); `no_driver` (the
 * kernel module is not loaded); `driver_mismatch` (driver/library version mismatch);
 * `not_installed` (no nvidia-smi binary); `timeout`; `error` (anything else, see `error`).
 */
export const GpuState = z.enum([
  'ok',
  'no_gpu',
  'no_driver',
  'driver_mismatch',
  'not_installed',
  'timeout',
  'error',
]);
export type GpuState = z.infer<typeof GpuState>;

const vramStatusFields = {
  /**
   * Null when there is no reading (no GPU, no driver, or no success since start-up). After a
   * `timeout` or `error` that follows a success, the last reading stays; see `last_success_at`.
   */
  gpu: z.nullable(GpuSummary),
  processes: z.array(GpuProcess),
  /** Marquee extension: every GPU, in nvidia-smi index order. */
  gpus: z.optional(z.array(GpuDevice)),
  /** Marquee extension: how the last nvidia-smi run went. */
  state: z.optional(GpuState),
  /** Marquee extension: when nvidia-smi last answered; null if it never has. */
  last_success_at: z.optional(z.nullable(isoDateTime)),
  /** Marquee extension: what went wrong when `state` is not `ok`. */
  error: z.optional(z.string()),
};

/** `GET /api/vram/status`. */
export const VramStatus = z.object(vramStatusFields);
export type VramStatus = z.infer<typeof VramStatus>;

/** The `vram_update` event payload: the status plus when it was sampled. */
export const VramUpdate = z.object({
  ...vramStatusFields,
  /** Unix seconds when the sample was taken. */
  timestamp: unixSeconds,
});
export type VramUpdate = z.infer<typeof VramUpdate>;

const modelFields = {
  name: z.string(),
  /** The short digest `ollama list` prints. */
  id: z.string(),
  /** Human-readable, as `ollama list` prints it (`3.8 GB`). */
  size: z.string(),
  /** Marquee extension: the size in bytes. */
  size_bytes: z.optional(nonNegativeInt),
};

/** One installed model. */
export const OllamaModel = z.object({
  ...modelFields,
  /** Marquee extension. */
  modified_at: z.optional(isoDateTime),
});
export type OllamaModel = z.infer<typeof OllamaModel>;

/** `GET /api/models/ollama/list`; `count` is `models.length`. */
export const OllamaModelList = z.object({ models: z.array(OllamaModel), count: nonNegativeInt });
export type OllamaModelList = z.infer<typeof OllamaModelList>;

/** One model loaded in memory, as `ollama ps` shows it. */
export const OllamaLoadedModel = z.object({
  ...modelFields,
  /** Where it runs, as `ollama ps` prints it (`100% GPU`, `48%/52% CPU/GPU`). */
  processor: z.string(),
  /** Marquee extension: bytes held in VRAM. */
  size_vram: z.optional(nonNegativeInt),
  /** Marquee extension: when Ollama will unload it. */
  expires_at: z.optional(isoDateTime),
});
export type OllamaLoadedModel = z.infer<typeof OllamaLoadedModel>;

/** `GET /api/models/ollama/loaded`; `count` is `models.length`. */
export const OllamaLoadedList = z.object({
  models: z.array(OllamaLoadedModel),
  count: nonNegativeInt,
});
export type OllamaLoadedList = z.infer<typeof OllamaLoadedList>;

/** An Ollama model name (`llama2`, `llama3.1:8b`, `hf.co/org/repo:Q4_K_M`); surrounding blanks are trimmed. */
const modelName = () => z.string().check(z.trim(), z.minLength(1), z.maxLength(256));

/** Body of unload, download, delete and download cancel. */
export const ModelRequest = z.object({ model_name: modelName() });
export type ModelRequest = z.infer<typeof ModelRequest>;

/**
 * How long Ollama keeps a model loaded: a Go duration (`5m`, `1h30m`, `0`) or seconds. A
 * negative number keeps it loaded indefinitely; 0 unloads it after the request.
 */
export const KeepAlive = z.union([
  z.string().check(z.regex(/^(?:0|-?(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/)),
  z.number(),
]);
export type KeepAlive = z.infer<typeof KeepAlive>;

/** `POST /api/models/ollama/load` body. */
export const LoadModelRequest = z.object({
  model_name: modelName(),
  /** Marquee extension; Ollama's default (5 m) when absent. */
  keep_alive: z.optional(KeepAlive),
});
export type LoadModelRequest = z.infer<typeof LoadModelRequest>;

/** Success body of every model action; failures use `GpuError`, so `success` is always true here. */
export const ModelActionResponse = z.object({
  success: z.literal(true),
  message: z.string(),
  model_name: z.string(),
});
export type ModelActionResponse = z.infer<typeof ModelActionResponse>;

export const DownloadStatus = z.enum(['downloading', 'complete', 'error']);
export type DownloadStatus = z.infer<typeof DownloadStatus>;

/** The `model_download_progress` event payload. */
export const ModelDownloadProgress = z.object({
  model_name: z.string(),
  /** Percent in [0, 100], 100 when `complete` (the seed's `"..."` is a placeholder for this number). */
  progress: percent.clone(),
  status: DownloadStatus,
  /** Marquee extension: bytes of the current layer downloaded so far. */
  completed: z.optional(nonNegativeInt),
  /** Marquee extension: bytes of the current layer. */
  total: z.optional(nonNegativeInt),
  /** Marquee extension: the layer being downloaded. */
  digest: z.optional(z.string()),
  /** Marquee extension: Ollama's own status line (`pulling manifest`, `verifying sha256 digest`). */
  detail: z.optional(z.string()),
  /** Marquee extension: why the download failed, when `status` is `error`. */
  error: z.optional(z.string()),
});
export type ModelDownloadProgress = z.infer<typeof ModelDownloadProgress>;

/** Every 2 s and once on connect. */
export const VramUpdateEvent = z.object({ event: z.literal('vram_update'), data: VramUpdate });
export type VramUpdateEvent = z.infer<typeof VramUpdateEvent>;

/** While a download runs, to every connected client. */
export const ModelDownloadProgressEvent = z.object({
  event: z.literal('model_download_progress'),
  data: ModelDownloadProgress,
});
export type ModelDownloadProgressEvent = z.infer<typeof ModelDownloadProgressEvent>;

/** Every frame the server sends on `/api/gpu/ws`, discriminated by `event`. */
export const GpuServerMessage = z.discriminatedUnion('event', [
  VramUpdateEvent,
  ModelDownloadProgressEvent,
]);
export type GpuServerMessage = z.infer<typeof GpuServerMessage>;

/** Flask-style error body; `error` is a code from `ErrorCodes`. */
export const GpuError = z.object({
  success: z.literal(false),
  error: z.string(),
  message: z.string(),
  details: z.optional(z.unknown()),
});
export type GpuError = z.infer<typeof GpuError>;

export const gpuErrorShape: ErrorShape = {
  schema: GpuError,
  render: (e) => ({
    success: false,
    error: e.code,
    message: e.message,
    ...(e.details === undefined ? {} : { details: e.details }),
  }),
  read: (body) => {
    const parsed = GpuError.safeParse(body);
    if (!parsed.success) return undefined;
    const { error, message, details } = parsed.data;
    return details === undefined ? { code: error, message } : { code: error, message, details };
  },
};
