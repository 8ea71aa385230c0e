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
import * as z from 'zod/mini';
import {
  GpuDevice,
  GpuError,
  GpuMetric,
  GpuMetricUnavailableReason,
  GpuProcess,
  GpuServerMessage,
  GpuState,
  GpuSummary,
  KeepAlive,
  LoadModelRequest,
  ModelActionResponse,
  ModelDownloadProgress,
  ModelDownloadProgressEvent,
  ModelRequest,
  OllamaLoadedList,
  OllamaLoadedModel,
  OllamaModel,
  OllamaModelList,
  VramStatus,
  VramUpdate,
  VramUpdateEvent,
  DownloadStatus,
  gpuErrorShape,
} from './gpu-schemas';
import { defineChannel, defineRoute, defineSurface, response } from './tables';

export {
  DownloadStatus,
  GpuDevice,
  GpuError,
  GpuMetric,
  GpuMetricUnavailableReason,
  GpuProcess,
  GpuServerMessage,
  GpuState,
  GpuSummary,
  KeepAlive,
  LoadModelRequest,
  ModelActionResponse,
  ModelDownloadProgress,
  ModelDownloadProgressEvent,
  ModelRequest,
  OllamaLoadedList,
  OllamaLoadedModel,
  OllamaModel,
  OllamaModelList,
  VramStatus,
  VramUpdate,
  VramUpdateEvent,
  gpuErrorShape,
} from './gpu-schemas';

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
export const OllamaProxyParams = z.object({
  /**
   * Ollama's own path, slashes included: `/api/ollama/api/tags` is Ollama's `/api/tags`,
   * `/api/ollama/v1/chat/completions` its OpenAI-compatible route.
   */
  path: z.string(),
});

// The surface's documentation ids and descriptions (component names in JSON Schema, OpenAPI and
// AsyncAPI), registered beside the table the docs generator reads rather than on the schemas: a
// GPU dashboard imports gpu-schemas.ts alone and so bundles neither zod's registry nor these
// strings (as now-playing/routes.ts does for the panel).
const documented: ReadonlyArray<readonly [z.core.$ZodType, z.core.GlobalMeta]> = [
  [
    GpuSummary,
    {
      id: 'GpuSummary',
      description:
        'The first GPU (index 0) in the seed shape. A metric nvidia-smi cannot read is 0 here; `gpus[]` has it as null with the reason.',
    },
  ],
  [GpuMetric, { id: 'GpuMetric' }],
  [GpuMetricUnavailableReason, { id: 'GpuMetricUnavailableReason' }],
  [
    GpuDevice.shape.unavailable,
    { description: 'Why each null metric is null; `{}` when every metric was read.' },
  ],
  [GpuDevice, { id: 'GpuDevice' }],
  [GpuProcess, { id: 'GpuProcess' }],
  [GpuState, { id: 'GpuState' }],
  [
    VramStatus.shape.gpu,
    {
      description:
        'Null when there is no reading (no GPU, no driver, or no success since start-up). After a `timeout` or `error` that follows a success, the last reading stays; see `last_success_at`.',
    },
  ],
  [VramStatus.shape.state, { description: 'Marquee extension: how the last nvidia-smi run went.' }],
  [VramStatus, { id: 'GpuVramStatus' }],
  [VramUpdate, { id: 'GpuVramUpdate' }],
  [OllamaModel, { id: 'GpuOllamaModel' }],
  [OllamaModelList, { id: 'GpuOllamaModelList' }],
  [OllamaLoadedModel, { id: 'GpuOllamaLoadedModel' }],
  [OllamaLoadedList, { id: 'GpuOllamaLoadedList' }],
  [ModelRequest, { id: 'GpuModelRequest' }],
  [KeepAlive, { id: 'GpuKeepAlive' }],
  [LoadModelRequest, { id: 'GpuLoadModelRequest' }],
  [ModelActionResponse, { id: 'GpuModelActionResponse' }],
  [DownloadStatus, { id: 'GpuDownloadStatus' }],
  [
    ModelDownloadProgress.shape.progress,
    {
      description:
        'Percent in [0, 100], 100 when `complete` (the seed\'s `"..."` is a placeholder for this number).',
    },
  ],
  [ModelDownloadProgress, { id: 'GpuModelDownloadProgress' }],
  [VramUpdateEvent, { id: 'GpuVramUpdateEvent', description: 'Every 2 s and once on connect.' }],
  [
    ModelDownloadProgressEvent,
    {
      id: 'GpuModelDownloadProgressEvent',
      description: 'While a download runs, to every connected client.',
    },
  ],
  [GpuServerMessage, { id: 'GpuServerMessage' }],
  [GpuError, { id: 'GpuError' }],
  [
    OllamaProxyParams.shape.path,
    {
      description:
        "Ollama's own path, slashes included: `/api/ollama/api/tags` is Ollama's `/api/tags`, `/api/ollama/v1/chat/completions` its OpenAI-compatible route.",
    },
  ],
  [OllamaProxyParams, { id: 'GpuOllamaProxyParams' }],
];
for (const [schema, meta] of documented) z.globalRegistry.add(schema, meta);

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
