/**
 * Seed 004 — the GPU host: VRAM status from `nvidia-smi` and Ollama model management, with VRAM
 * updates every 2 s and download progress pushed over a WebSocket. Field names, units and paths
 * are the seed's; everything Marquee adds is optional, so the seed's examples parse and a client
 * written from the seed alone keeps working.
 *
 * Decisions the seed leaves open:
 * - Auth: the seed's Flask app signs the dashboard in with DASHBOARD_AUTH_USERNAME/PASSWORD and
 *   a session. Marquee maps that to the `user` policy (the dashboard cookie or a Bearer token) for
 *   the routes that change something (load, unload, download, delete, cancel), and to `display`
 *   for the read-only ones (VRAM status, model lists, the socket), so a wall panel can hold a
 *   read-only display token scoped `gpu` instead of a password. The seed configures an Ollama
 *   proxy (PROXY_AUTH_ENABLED / PROXY_AUTH_TOKEN, MAX_PROXY_REQUEST_SIZE, PROXY_TIMEOUT_SECONDS)
 *   without documenting its path: Marquee serves it at `/api/ollama/{path}` (Ollama's own API
 *   below that prefix) under the `proxy` policy: open when PROXY_AUTH_ENABLED is false, else
 *   `Authorization: Bearer <PROXY_AUTH_TOKEN>`.
 * - Errors: the seed documents none. Marquee uses a Flask-style body
 *   `{"success": false, "error": "<CODE>", "message": "..."}` with codes from `ErrorCodes`, so
 *   a client that tests `success` keeps working.
 * - WebSocket: the seed names Flask-SocketIO events. Marquee carries each event as a JSON frame
 *   `{"event": "<name>", "data": <payload>}` on a plain WebSocket at `/api/gpu/ws`; the event
 *   names and payloads are the seed's. Socket.IO's own framing is not part of this contract.
 * - No GPU: `GET /api/vram/status` answers 200 whatever nvidia-smi does; `state` says why there
 *   is no reading and `gpu` is null when there is none (a dashboard keeps rendering instead of
 *   handling an HTTP error every 2 s).
 * - Download progress: the seed shows `"progress": "..."`, a placeholder. Marquee sends a number,
 *   the percent in [0, 100], which a seed-written page can show as `${progress}%` or draw as a
 *   bar; strings are rejected rather than half-accepted.
 */
import * as z from 'zod';
import {
  defineChannel,
  defineRoute,
  defineSurface,
  isoDateTime,
  nonNegativeInt,
  percent,
  response,
  unixSeconds,
  type ErrorShape,
} from './common';

/** The first GPU in the seed's shape. MiB values are whole numbers, as nvidia-smi reports them. */
export const GpuSummary = z
  .object({
    name: z.string(),
    total_mb: nonNegativeInt,
    used_mb: nonNegativeInt,
    free_mb: nonNegativeInt,
    /** GPU utilisation in percent. */
    utilization: percent,
  })
  .meta({
    id: 'GpuSummary',
    description:
      'The first GPU (index 0) in the seed shape. A metric nvidia-smi cannot read is 0 here; `gpus[]` has it as null with the reason.',
  });
export type GpuSummary = z.infer<typeof GpuSummary>;

/** The metrics of a `gpus[]` entry that nvidia-smi may be unable to read. */
export const GpuMetric = z
  .enum([
    'total_mb',
    'used_mb',
    'free_mb',
    'utilization',
    'temperature_c',
    'power_draw_w',
    'power_limit_w',
  ])
  .meta({ id: 'GpuMetric' });
export type GpuMetric = z.infer<typeof GpuMetric>;

/**
 * Why a metric is null: nvidia-smi prints `[N/A]` (`not_available`), `[Not Supported]`
 * (`not_supported`) or `[Insufficient Permissions]` (`insufficient_permissions`); anything else in
 * brackets (`[Unknown Error]`, `[GPU is lost]`) is `unknown`.
 */
export const GpuMetricUnavailableReason = z
  .enum(['not_available', 'not_supported', 'insufficient_permissions', 'unknown'])
  .meta({ id: 'GpuMetricUnavailableReason' });
export type GpuMetricUnavailableReason = z.infer<typeof GpuMetricUnavailableReason>;

/** One GPU (Marquee extension). Metric names mirror the seed's `gpu` block. */
export const GpuDevice = z
  .object({
    /** nvidia-smi's index. */
    index: nonNegativeInt,
    uuid: z.string().min(1),
    name: z.string(),
    total_mb: nonNegativeInt.nullable(),
    used_mb: nonNegativeInt.nullable(),
    free_mb: nonNegativeInt.nullable(),
    utilization: percent.nullable(),
    /** Degrees Celsius. */
    temperature_c: z.number().nullable(),
    /** Watts. */
    power_draw_w: z.number().min(0).nullable(),
    /** Watts. */
    power_limit_w: z.number().min(0).nullable(),
    unavailable: z
      .partialRecord(GpuMetric, GpuMetricUnavailableReason)
      .describe('Why each null metric is null; `{}` when every metric was read.'),
  })
  .meta({ id: 'GpuDevice' });
export type GpuDevice = z.infer<typeof GpuDevice>;

/** One compute process using a GPU (`nvidia-smi --query-compute-apps`). */
export const GpuProcess = z
  .object({
    /** Matches `gpus[].uuid`. */
    gpu_uuid: z.string().min(1),
    pid: nonNegativeInt,
    process_name: z.string(),
    /** MiB; null where the driver does not report it (e.g. Windows WDDM). */
    used_memory_mb: nonNegativeInt.nullable(),
  })
  .meta({ id: 'GpuProcess' });
export type GpuProcess = z.infer<typeof GpuProcess>;

/**
 * How the last nvidia-smi run went: `ok`; `no_gpu` (the driver sees none); `no_driver` (the
 * kernel module is not loaded); `driver_mismatch` (driver/library version mismatch);
 * `not_installed` (no nvidia-smi binary); `timeout`; `error` (anything else, see `error`).
 */
export const GpuState = z
  .enum(['ok', 'no_gpu', 'no_driver', 'driver_mismatch', 'not_installed', 'timeout', 'error'])
  .meta({ id: 'GpuState' });
export type GpuState = z.infer<typeof GpuState>;

const vramStatusFields = {
  gpu: GpuSummary.nullable().describe(
    'Null when there is no reading (no GPU, no driver, or no success since start-up). After a `timeout` or `error` that follows a success, the last reading stays; see `last_success_at`.',
  ),
  processes: z.array(GpuProcess),
  /** Marquee extension: every GPU, in nvidia-smi index order. */
  gpus: z.array(GpuDevice).optional(),
  state: GpuState.optional().describe('Marquee extension: how the last nvidia-smi run went.'),
  /** Marquee extension: when nvidia-smi last answered; null if it never has. */
  last_success_at: isoDateTime.nullable().optional(),
  /** Marquee extension: what went wrong when `state` is not `ok`. */
  error: z.string().optional(),
};

/** `GET /api/vram/status`. */
export const VramStatus = z.object(vramStatusFields).meta({ id: 'GpuVramStatus' });
export type VramStatus = z.infer<typeof VramStatus>;

/** The `vram_update` event payload: the status plus when it was sampled. */
export const VramUpdate = z
  .object({
    ...vramStatusFields,
    /** Unix seconds when the sample was taken. */
    timestamp: unixSeconds,
  })
  .meta({ id: 'GpuVramUpdate' });
export type VramUpdate = z.infer<typeof VramUpdate>;

const modelFields = {
  name: z.string(),
  /** The short digest `ollama list` prints. */
  id: z.string(),
  /** Human-readable, as `ollama list` prints it (`3.8 GB`). */
  size: z.string(),
  /** Marquee extension: the size in bytes. */
  size_bytes: nonNegativeInt.optional(),
};

/** One installed model. */
export const OllamaModel = z
  .object({
    ...modelFields,
    /** Marquee extension. */
    modified_at: isoDateTime.optional(),
  })
  .meta({ id: 'GpuOllamaModel' });
export type OllamaModel = z.infer<typeof OllamaModel>;

/** `GET /api/models/ollama/list`; `count` is `models.length`. */
export const OllamaModelList = z
  .object({ models: z.array(OllamaModel), count: nonNegativeInt })
  .meta({ id: 'GpuOllamaModelList' });
export type OllamaModelList = z.infer<typeof OllamaModelList>;

/** One model loaded in memory, as `ollama ps` shows it. */
export const OllamaLoadedModel = z
  .object({
    ...modelFields,
    /** Where it runs, as `ollama ps` prints it (`100% GPU`, `48%/52% CPU/GPU`). */
    processor: z.string(),
    /** Marquee extension: bytes held in VRAM. */
    size_vram: nonNegativeInt.optional(),
    /** Marquee extension: when Ollama will unload it. */
    expires_at: isoDateTime.optional(),
  })
  .meta({ id: 'GpuOllamaLoadedModel' });
export type OllamaLoadedModel = z.infer<typeof OllamaLoadedModel>;

/** `GET /api/models/ollama/loaded`; `count` is `models.length`. */
export const OllamaLoadedList = z
  .object({ models: z.array(OllamaLoadedModel), count: nonNegativeInt })
  .meta({ id: 'GpuOllamaLoadedList' });
export type OllamaLoadedList = z.infer<typeof OllamaLoadedList>;

/** An Ollama model name (`llama2`, `llama3.1:8b`, `hf.co/org/repo:Q4_K_M`); surrounding blanks are trimmed. */
const modelName = z.string().trim().min(1).max(256);

/** Body of unload, download, delete and download cancel. */
export const ModelRequest = z.object({ model_name: modelName }).meta({ id: 'GpuModelRequest' });
export type ModelRequest = z.infer<typeof ModelRequest>;

/**
 * How long Ollama keeps a model loaded: a Go duration (`5m`, `1h30m`, `0`) or seconds. A
 * negative number keeps it loaded indefinitely; 0 unloads it after the request.
 */
export const KeepAlive = z
  .union([z.string().regex(/^(?:0|-?(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/), z.number()])
  .meta({ id: 'GpuKeepAlive' });
export type KeepAlive = z.infer<typeof KeepAlive>;

/** `POST /api/models/ollama/load` body. */
export const LoadModelRequest = z
  .object({
    model_name: modelName,
    /** Marquee extension; Ollama's default (5 m) when absent. */
    keep_alive: KeepAlive.optional(),
  })
  .meta({ id: 'GpuLoadModelRequest' });
export type LoadModelRequest = z.infer<typeof LoadModelRequest>;

/** Success body of every model action; failures use `GpuError`, so `success` is always true here. */
export const ModelActionResponse = z
  .object({ success: z.literal(true), message: z.string(), model_name: z.string() })
  .meta({ id: 'GpuModelActionResponse' });
export type ModelActionResponse = z.infer<typeof ModelActionResponse>;

export const DownloadStatus = z
  .enum(['downloading', 'complete', 'error'])
  .meta({ id: 'GpuDownloadStatus' });
export type DownloadStatus = z.infer<typeof DownloadStatus>;

/** The `model_download_progress` event payload. */
export const ModelDownloadProgress = z
  .object({
    model_name: z.string(),
    progress: percent.describe(
      'Percent in [0, 100], 100 when `complete` (the seed\'s `"..."` is a placeholder for this number).',
    ),
    status: DownloadStatus,
    /** Marquee extension: bytes of the current layer downloaded so far. */
    completed: nonNegativeInt.optional(),
    /** Marquee extension: bytes of the current layer. */
    total: nonNegativeInt.optional(),
    /** Marquee extension: the layer being downloaded. */
    digest: z.string().optional(),
    /** Marquee extension: Ollama's own status line (`pulling manifest`, `verifying sha256 digest`). */
    detail: z.string().optional(),
    /** Marquee extension: why the download failed, when `status` is `error`. */
    error: z.string().optional(),
  })
  .meta({ id: 'GpuModelDownloadProgress' });
export type ModelDownloadProgress = z.infer<typeof ModelDownloadProgress>;

export const VramUpdateEvent = z
  .object({ event: z.literal('vram_update'), data: VramUpdate })
  .meta({ id: 'GpuVramUpdateEvent', description: 'Every 2 s and once on connect.' });
export type VramUpdateEvent = z.infer<typeof VramUpdateEvent>;

export const ModelDownloadProgressEvent = z
  .object({ event: z.literal('model_download_progress'), data: ModelDownloadProgress })
  .meta({
    id: 'GpuModelDownloadProgressEvent',
    description: 'While a download runs, to every connected client.',
  });
export type ModelDownloadProgressEvent = z.infer<typeof ModelDownloadProgressEvent>;

/** Every frame the server sends on `/api/gpu/ws`, discriminated by `event`. */
export const GpuServerMessage = z
  .discriminatedUnion('event', [VramUpdateEvent, ModelDownloadProgressEvent])
  .meta({ id: 'GpuServerMessage' });
export type GpuServerMessage = z.infer<typeof GpuServerMessage>;

/** Flask-style error body; `error` is a code from `ErrorCodes`. */
export const GpuError = z
  .object({
    success: z.literal(false),
    error: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  })
  .meta({ id: 'GpuError' });
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

const errorResponse = (description: string) => response(description, GpuError);
const unauthorized = errorResponse('`UNAUTHORIZED`: not signed in');
const forbidden = errorResponse(
  '`FORBIDDEN`: the credentials may not do this (a display token of another surface, a viewer or device account on a write)',
);
const badRequest = errorResponse('`BAD_REQUEST`: `model_name` missing, empty or not a string');
const ollamaDown = errorResponse('`SERVICE_UNAVAILABLE`: Ollama cannot be reached');
const ollamaTimeout = errorResponse('`UPSTREAM_TIMEOUT`: Ollama did not answer in time');
const ollamaFailed = errorResponse(
  '`UPSTREAM_ERROR`: Ollama answered with an error of its own (its message is passed on, e.g. not enough memory to load)',
);

const modelAction = <const Id extends string, const Path extends string>(
  id: Id,
  path: Path,
  summary: string,
  ok: string,
  notFound: string,
  extension?: true,
) =>
  defineRoute({
    id,
    method: 'POST',
    path,
    summary,
    auth: 'operator',
    body: ModelRequest,
    bodyKind: 'json',
    responses: {
      200: response(ok, ModelActionResponse),
      400: badRequest,
      401: unauthorized,
      403: forbidden,
      404: errorResponse(`\`NOT_FOUND\`: ${notFound}`),
      502: ollamaFailed,
      503: ollamaDown,
      504: ollamaTimeout,
    },
    ...(extension ? { extension } : {}),
  });

export const gpuRoutes = [
  defineRoute({
    id: 'gpu.vramStatus',
    method: 'GET',
    path: '/api/vram/status',
    summary: 'Current GPU memory status (200 even without a GPU; see `state`)',
    auth: 'display',
    responses: {
      200: response('The latest reading', VramStatus),
      401: unauthorized,
      403: forbidden,
    },
  }),
  defineRoute({
    id: 'gpu.ollamaList',
    method: 'GET',
    path: '/api/models/ollama/list',
    summary: 'List all installed Ollama models',
    auth: 'display',
    responses: {
      200: response('Installed models', OllamaModelList),
      401: unauthorized,
      403: forbidden,
      502: ollamaFailed,
      503: ollamaDown,
      504: ollamaTimeout,
    },
  }),
  defineRoute({
    id: 'gpu.ollamaLoaded',
    method: 'GET',
    path: '/api/models/ollama/loaded',
    summary: 'List the models loaded in memory',
    auth: 'display',
    responses: {
      200: response('Loaded models', OllamaLoadedList),
      401: unauthorized,
      403: forbidden,
      502: ollamaFailed,
      503: ollamaDown,
      504: ollamaTimeout,
    },
  }),
  defineRoute({
    id: 'gpu.ollamaLoad',
    method: 'POST',
    path: '/api/models/ollama/load',
    summary: 'Load a model into memory',
    auth: 'operator',
    body: LoadModelRequest,
    bodyKind: 'json',
    responses: {
      200: response('Model loaded', ModelActionResponse),
      400: errorResponse('`BAD_REQUEST`: `model_name` missing or invalid, or a bad `keep_alive`'),
      401: unauthorized,
      403: forbidden,
      404: errorResponse('`NOT_FOUND`: the model is not installed'),
      502: ollamaFailed,
      503: ollamaDown,
      504: ollamaTimeout,
    },
  }),
  modelAction(
    'gpu.ollamaUnload',
    '/api/models/ollama/unload',
    'Unload a model from memory',
    'Model unloaded (also when it was not loaded)',
    'the model is not installed',
  ),
  modelAction(
    'gpu.ollamaDownload',
    '/api/models/ollama/download',
    'Start downloading a model; progress arrives as `model_download_progress` events',
    'Download started (`Download started`), or already running (`Download already in progress`)',
    'the registry has no such model (when Ollama says so before the download starts)',
  ),
  modelAction(
    'gpu.ollamaDelete',
    '/api/models/ollama/delete',
    'Delete an installed model',
    'Model deleted',
    'the model is not installed',
    true,
  ),
  defineRoute({
    id: 'gpu.ollamaDownloadCancel',
    method: 'POST',
    path: '/api/models/ollama/download/cancel',
    summary:
      'Cancel a running download; its last `model_download_progress` event has status `error`',
    auth: 'operator',
    body: ModelRequest,
    bodyKind: 'json',
    responses: {
      200: response('Download cancelled', ModelActionResponse),
      400: badRequest,
      401: unauthorized,
      403: forbidden,
      404: errorResponse('`NOT_FOUND`: no download of that model is running'),
    },
    extension: true,
  }),
] as const;

/** `{path}` of the proxy: everything after `/api/ollama/`, slashes included. */
export const OllamaProxyParams = z
  .object({
    path: z
      .string()
      .describe(
        "Ollama's own path, slashes included: `/api/ollama/api/tags` is Ollama's `/api/tags`, `/api/ollama/v1/chat/completions` its OpenAI-compatible route.",
      ),
  })
  .meta({ id: 'GpuOllamaProxyParams' });

const proxyRoute = <const Id extends string, const M extends 'GET' | 'POST' | 'DELETE'>(
  id: Id,
  method: M,
) =>
  defineRoute({
    id,
    method,
    path: '/api/ollama/{path}',
    summary: `Ollama proxy (${method === 'GET' ? 'GET and HEAD' : method}): forwards the request to OLLAMA_HOST and streams Ollama's answer back`,
    auth: 'proxy',
    params: OllamaProxyParams,
    responses: {
      200: response(
        "Ollama's answer, passed through: its status, content type and body (NDJSON streams stay streamed)",
        null,
      ),
      401: errorResponse(
        '`UNAUTHORIZED`: PROXY_AUTH_ENABLED is true and the Bearer token is missing or not PROXY_AUTH_TOKEN',
      ),
      413: errorResponse('`PAYLOAD_TOO_LARGE`: the body exceeds MAX_PROXY_REQUEST_SIZE'),
      503: ollamaDown,
      504: errorResponse(
        '`UPSTREAM_TIMEOUT`: Ollama sent no answer within PROXY_TIMEOUT_SECONDS (a stream already under way is cut off instead)',
      ),
    },
    extension: true,
  });

/**
 * The Ollama proxy. Its body is Ollama's (JSON for most routes, bytes for blob uploads), so the
 * table documents none; the server forwards it as it arrives.
 */
export const gpuProxyRoutes = [
  proxyRoute('gpu.ollamaProxyGet', 'GET'),
  proxyRoute('gpu.ollamaProxyPost', 'POST'),
  proxyRoute('gpu.ollamaProxyDelete', 'DELETE'),
] as const;

export const gpuChannels = [
  defineChannel({
    id: 'gpu.ws',
    path: '/api/gpu/ws',
    summary:
      'Flask-SocketIO-style events as `{event, data}` JSON frames: `vram_update` on connect and every 2 s, `model_download_progress` during downloads.',
    auth: 'display',
    serverMessages: GpuServerMessage,
  }),
] as const;

export const gpuSurface = defineSurface({
  name: 'gpu',
  title: 'GPU host',
  seed: '004_796bb92447f32aa7.txt',
  description: 'GPU VRAM monitoring (nvidia-smi) and Ollama model management.',
  errorShape: gpuErrorShape,
  routes: [...gpuRoutes, ...gpuProxyRoutes],
  channels: gpuChannels,
});
