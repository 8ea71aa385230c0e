/**
 * The GPU host client (seed 004): REST calls for VRAM status and Ollama model management, and
 * the push channel `WS /api/gpu/ws` with its events emitted as typed `vram_update` and
 * `model_download_progress` events. Every answer and frame is validated with the protocol's
 * schemas; failures arrive as MarqueeErrors read from the seed's `{success: false, error,
 * message}` body. Connection-level events (open, close, reconnecting) stay on `client.socket`.
 *
 * Credentials: `token` (a user's access token, or a display token scoped `gpu` for a read-only
 * panel) is read again for every request and reconnect, and sent as Bearer and as the socket's
 * `?token=`. In a browser page served by Marquee, leave it out: the session cookie is sent with
 * both. The Ollama proxy has its own `proxyToken`.
 */
import { safeParse, type $ZodType } from 'zod/v4/core';
import { MarqueeError } from '../errors';
import {
  GpuServerMessage,
  LoadModelRequest,
  ModelActionResponse,
  ModelRequest,
  OllamaLoadedList,
  OllamaModelList,
  VramStatus,
  gpuErrorShape,
  type KeepAlive,
  type ModelDownloadProgress,
  type VramUpdate,
} from '../protocol/gpu-schemas';
import type { gpuChannels, gpuProxyRoutes, gpuRoutes } from '../protocol/gpu';
import {
  RestChannelClient,
  type ChannelEvents,
  type RestChannelOptions,
} from './rest-channel-client';

// Typed against the protocol tables, so a renamed path fails to compile here.
type Route<Id> = Extract<(typeof gpuRoutes)[number], { id: Id }>['path'];
const PATHS = {
  vramStatus: '/api/vram/status' satisfies Route<'gpu.vramStatus'>,
  list: '/api/models/ollama/list' satisfies Route<'gpu.ollamaList'>,
  loaded: '/api/models/ollama/loaded' satisfies Route<'gpu.ollamaLoaded'>,
  load: '/api/models/ollama/load' satisfies Route<'gpu.ollamaLoad'>,
  unload: '/api/models/ollama/unload' satisfies Route<'gpu.ollamaUnload'>,
  download: '/api/models/ollama/download' satisfies Route<'gpu.ollamaDownload'>,
  delete: '/api/models/ollama/delete' satisfies Route<'gpu.ollamaDelete'>,
  cancel: '/api/models/ollama/download/cancel' satisfies Route<'gpu.ollamaDownloadCancel'>,
} as const;
const PROXY_PATH: (typeof gpuProxyRoutes)[0]['path'] = '/api/ollama/{path}';
const CHANNEL_PATH: (typeof gpuChannels)[0]['path'] = '/api/gpu/ws';

export interface GpuClientOptions extends RestChannelOptions<GpuServerMessage> {
  /** The server, e.g. `http://gpu-box:8000`; the socket uses ws:// or wss:// to match. */
  readonly baseUrl: string;
  /**
   * The fetch implementation for REST calls and the proxy.
   * @default globalThis.fetch
   */
  readonly fetch?: typeof fetch;
  /**
   * Limit for one REST call; loading a large model can take a while.
   * @default 120000
   */
  readonly timeoutMs?: number;
  /**
   * PROXY_AUTH_TOKEN, for `ollamaProxy()` when the server has PROXY_AUTH_ENABLED.
   * @default undefined (no Authorization header on proxy calls)
   */
  readonly proxyToken?: () => string | undefined | Promise<string | undefined>;
}

export interface GpuClientEvents extends ChannelEvents {
  /** Every 2 s and once on connect. */
  vram_update: [update: VramUpdate];
  /** While any download runs; the last one of a download has status `complete` or `error`. */
  model_download_progress: [progress: ModelDownloadProgress];
}

export class GpuClient extends RestChannelClient<GpuClientEvents, GpuServerMessage> {
  readonly #options: GpuClientOptions;
  #latest: VramUpdate | undefined;

  constructor(options: GpuClientOptions) {
    const { proxyToken: _proxyToken, ...channelOptions } = options;
    super(channelOptions, {
      errorShape: gpuErrorShape,
      channelPath: CHANNEL_PATH,
      incoming: GpuServerMessage,
      timeoutMs: 120_000,
    });
    this.#options = options;
    this.socket.onMessage('vram_update', (message) => {
      this.#latest = message.data;
      this.emit('vram_update', message.data);
    });
    this.socket.onMessage('model_download_progress', (message) =>
      this.emit('model_download_progress', message.data),
    );
  }

  /** The most recent `vram_update`, if one arrived. */
  get latest(): VramUpdate | undefined {
    return this.#latest;
  }

  /** `GET /api/vram/status`: 200 even without a GPU; `state` says why there is no reading. */
  vramStatus(): Promise<VramStatus> {
    return this.http.request({ path: PATHS.vramStatus, schema: VramStatus });
  }

  /** `GET /api/models/ollama/list`: the installed models. */
  listModels(): Promise<OllamaModelList> {
    return this.http.request({ path: PATHS.list, schema: OllamaModelList });
  }

  /** `GET /api/models/ollama/loaded`: the models in memory, with `size_vram`. */
  loadedModels(): Promise<OllamaLoadedList> {
    return this.http.request({ path: PATHS.loaded, schema: OllamaLoadedList });
  }

  /** `POST /api/models/ollama/load`; resolves once Ollama has loaded it. */
  loadModel(
    modelName: string,
    options: { readonly keepAlive?: KeepAlive } = {},
  ): Promise<ModelActionResponse> {
    const body = {
      model_name: modelName,
      ...(options.keepAlive === undefined ? {} : { keep_alive: options.keepAlive }),
    };
    return this.#action(PATHS.load, LoadModelRequest, body);
  }

  /** `POST /api/models/ollama/unload`. */
  unloadModel(modelName: string): Promise<ModelActionResponse> {
    return this.#action(PATHS.unload, ModelRequest, { model_name: modelName });
  }

  /**
   * `POST /api/models/ollama/download`; resolves once the download started (or joined one
   * already running), its progress arrives as `model_download_progress` events.
   */
  downloadModel(modelName: string): Promise<ModelActionResponse> {
    return this.#action(PATHS.download, ModelRequest, { model_name: modelName });
  }

  /** `POST /api/models/ollama/delete` (Marquee extension). */
  deleteModel(modelName: string): Promise<ModelActionResponse> {
    return this.#action(PATHS.delete, ModelRequest, { model_name: modelName });
  }

  /** `POST /api/models/ollama/download/cancel` (Marquee extension); NOT_FOUND when none runs. */
  cancelDownload(modelName: string): Promise<ModelActionResponse> {
    return this.#action(PATHS.cancel, ModelRequest, { model_name: modelName });
  }

  /**
   * A raw call through the server's Ollama proxy: `path` is Ollama's own (`api/tags`,
   * `api/chat`), `init` goes to fetch as is. The answer is Ollama's Response, streamed.
   */
  async ollamaProxy(path: string, init: RequestInit = {}): Promise<Response> {
    const fetchImpl = this.#options.fetch ?? globalThis.fetch;
    const base = this.#options.baseUrl.replace(/\/+$/, '');
    const headers = new Headers(init.headers);
    const token = await this.#options.proxyToken?.();
    if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
    const url = `${base}${PROXY_PATH.replace('{path}', path.replace(/^\/+/, ''))}`;
    return fetchImpl(url, { ...init, headers });
  }

  async #action<T>(path: string, schema: $ZodType<T>, body: unknown): Promise<ModelActionResponse> {
    const checked = safeParse(schema, body);
    if (!checked.success) {
      const first = checked.error.issues[0];
      throw new MarqueeError(
        'INVALID_MESSAGE',
        `Invalid request${first ? `: ${first.message} at [${first.path.join('.')}]` : ''}`,
        { details: checked.error.issues, cause: checked.error },
      );
    }
    return this.http.request({
      method: 'POST',
      path,
      body: checked.data,
      schema: ModelActionResponse,
    });
  }
}

/** Creates a GPU client; call `connect()` for the push events (REST works without it). */
export function createGpuClient(options: GpuClientOptions): GpuClient {
  return new GpuClient(options);
}
