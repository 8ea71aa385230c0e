/**
 * The GPU surface's REST routes, mounted from the SDK's table: VRAM status from the shared
 * sampler, and the Ollama model actions through the adapter. `model_name` is validated by the
 * table's schema (400 when missing or blank) before any handler runs.
 *
 * A download answers once Ollama has started on the first layer (or after `startWaitMs`), so a
 * name the registry does not know is a 404 here rather than only an `error` event later; a second
 * request for a model already downloading joins it and answers `Download already in progress`.
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import { mountRoutes, type Authenticator } from '../../core/routes';
import { CancelledError, type Downloads, type OllamaAdapter } from '../../integrations/ollama';
import type { VramSampler } from './vram-sampler';

const { gpu } = protocol;

export interface GpuRoutesOptions {
  readonly app: FastifyInstance;
  readonly authenticate: Authenticator;
  readonly validateResponses: boolean;
  readonly sampler: VramSampler;
  readonly ollama: OllamaAdapter;
  readonly downloads: Downloads;
  /** Longest a download request waits for Ollama to start on the first layer. @default 5000 */
  readonly startWaitMs?: number;
}

function done(message: string, modelName: string): protocol.gpu.ModelActionResponse {
  return { success: true, message, model_name: modelName };
}

/** Waits for `begun` up to `ms`; a failure before the first layer is the request's failure. */
async function waitForStart(begun: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([begun, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  } catch (error) {
    // Cancelled before it began: it did start, and its `error` event says how it ended.
    if (!(error instanceof CancelledError)) throw error;
  } finally {
    clearTimeout(timer);
  }
}

export function mountGpuRoutes(options: GpuRoutesOptions): void {
  const { sampler, ollama, downloads } = options;
  const startWaitMs = options.startWaitMs ?? 5000;
  mountRoutes(options.app, gpu.gpuRoutes, {
    surface: gpu.gpuSurface,
    authenticate: options.authenticate,
    validateResponses: options.validateResponses,
    handlers: {
      'gpu.vramStatus': async () => (await sampler.latest()).status,
      'gpu.ollamaList': () => ollama.list(),
      'gpu.ollamaLoaded': () => ollama.loaded(),
      'gpu.ollamaLoad': async ({ body }) => {
        await ollama.load(body.model_name, body.keep_alive);
        return done(`Model ${body.model_name} loaded`, body.model_name);
      },
      'gpu.ollamaUnload': async ({ body }) => {
        await ollama.unload(body.model_name);
        return done(`Model ${body.model_name} unloaded`, body.model_name);
      },
      'gpu.ollamaDelete': async ({ body }) => {
        await ollama.delete(body.model_name);
        return done(`Model ${body.model_name} deleted`, body.model_name);
      },
      'gpu.ollamaDownload': async ({ body }) => {
        const download = downloads.start(body.model_name);
        if (!download.started) return done('Download already in progress', body.model_name);
        await waitForStart(download.begun, startWaitMs);
        return done('Download started', body.model_name);
      },
      'gpu.ollamaDownloadCancel': ({ body }) => {
        if (!downloads.cancel(body.model_name)) {
          throw new MarqueeError('NOT_FOUND', `No download of ${body.model_name} is running`);
        }
        return done('Download cancelled', body.model_name);
      },
    },
  });
}
