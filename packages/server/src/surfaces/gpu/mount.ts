/**
 * Mounts the GPU host surface (seed 004): the VRAM collector behind one shared sampler, the
 * Ollama adapter and its downloads, the REST routes from the SDK's table, the `/api/gpu/ws`
 * channel and the Ollama proxy. One call from app.ts; `stop()` cancels running downloads and
 * stops the sampler.
 */
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../../core/auth';
import type { Config } from '../../core/config';
import type { Authenticator } from '../../core/routes';
import type { Hub, WsGateway } from '../../core/ws';
import { createNvidiaSmiCollector, type SpawnFn } from '../../integrations/nvidia-smi';
import { Downloads, createOllamaAdapter, type OllamaAdapter } from '../../integrations/ollama';
import { mountGpuChannel } from './channel';
import { GPU_TOPIC, progressFrame, progressKey } from './frames';
import { mountOllamaProxy } from './proxy';
import { mountGpuRoutes } from './routes';
import { createVramSampler, type VramSampler } from './vram-sampler';

export type GpuConfig = Pick<
  Config,
  | 'nvidiaSmiPath'
  | 'nvidiaSmiTimeoutMs'
  | 'gpuSampleIntervalMs'
  | 'ollamaHost'
  | 'ollamaKeepAlive'
  | 'ollamaTimeoutSeconds'
  | 'proxyAuthEnabled'
  | 'proxyAuthToken'
  | 'maxProxyRequestSize'
  | 'proxyTimeoutSeconds'
>;

export interface GpuMountOptions {
  readonly app: FastifyInstance;
  readonly hub: Hub;
  readonly gateway: WsGateway;
  readonly auth: AuthService;
  readonly authenticate: Authenticator;
  readonly config: GpuConfig;
  /** Unix ms clock. */
  readonly now: () => number;
  readonly validateResponses: boolean;
  /** For Ollama and the proxy. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** For nvidia-smi. @default child_process.spawn */
  readonly spawn?: SpawnFn;
}

export interface GpuSurface {
  /** The shared nvidia-smi sampler (its `sampleCount` is the cost of all displays together). */
  readonly sampler: VramSampler;
  readonly ollama: OllamaAdapter;
  readonly downloads: Downloads;
  /** Cancels running downloads and stops sampling. */
  stop(): Promise<void>;
}

export function mountGpu(options: GpuMountOptions): GpuSurface {
  const { app, hub, config, now } = options;
  const collector = createNvidiaSmiCollector({
    path: config.nvidiaSmiPath,
    timeoutMs: config.nvidiaSmiTimeoutMs,
    now,
    ...(options.spawn ? { spawn: options.spawn } : {}),
  });
  const sampler = createVramSampler({
    collect: () => collector.collect(),
    intervalMs: config.gpuSampleIntervalMs,
    now,
    onError: (error) => app.log.warn({ err: error }, 'gpu sample failed'),
  });
  const ollama = createOllamaAdapter({
    host: config.ollamaHost,
    timeoutMs: config.ollamaTimeoutSeconds * 1000,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(config.ollamaKeepAlive === undefined ? {} : { keepAlive: config.ollamaKeepAlive }),
  });
  const downloads = new Downloads({
    adapter: ollama,
    now,
    onProgress: (progress) => {
      if (progress.status === 'error') {
        app.log.warn(
          { model: progress.model_name, error: progress.error },
          'model download failed',
        );
      }
      hub.publishLatest(GPU_TOPIC, progressKey(progress.model_name), progressFrame(progress));
    },
  });

  mountGpuRoutes({
    app,
    authenticate: options.authenticate,
    validateResponses: options.validateResponses,
    sampler,
    ollama,
    downloads,
  });
  const stopChannel = mountGpuChannel({
    gateway: options.gateway,
    hub,
    auth: options.auth,
    sampler,
  });
  mountOllamaProxy({ app, config, ...(options.fetch ? { fetch: options.fetch } : {}) });

  return {
    sampler,
    ollama,
    downloads,
    async stop() {
      stopChannel();
      await downloads.cancelAll();
    },
  };
}
