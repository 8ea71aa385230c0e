/**
 * `/api/gpu/ws`: the seed's Flask-SocketIO events as `{event, data}` frames on a plain WebSocket
 * (read-only; `display` policy, scope `gpu`). A socket gets `vram_update` once on connect and then
 * every interval, and `model_download_progress` while downloads run. The sampler runs while the
 * topic has subscribers; the first one starts it and receives its first sample like everyone.
 */
import { protocol } from '@marquee/sdk';
import type { AuthService, Identity } from '../../core/auth';
import {
  authenticateRequest,
  authorize,
  credentialsFromRequest,
  principalOf,
} from '../../core/auth';
import type { Hub, WsGateway } from '../../core/ws';
import { GPU_TOPIC, VRAM_KEY, vramUpdateFrame } from './frames';
import type { VramSampler } from './vram-sampler';

const { gpu } = protocol;

export interface GpuChannelOptions {
  readonly gateway: WsGateway;
  readonly hub: Hub;
  readonly auth: AuthService;
  readonly sampler: VramSampler;
}

/** Registers the channel; returns a function that stops the sampler subscription. */
export function mountGpuChannel(options: GpuChannelOptions): () => void {
  const { gateway, hub, auth, sampler } = options;
  let unsubscribe: (() => void) | undefined;
  const stopFirst = hub.onFirstSubscriber(GPU_TOPIC, () => {
    unsubscribe ??= sampler.subscribe((sample) =>
      hub.publishLatest(GPU_TOPIC, VRAM_KEY, vramUpdateFrame(sample)),
    );
  });
  const stopLast = hub.onLastUnsubscribed(GPU_TOPIC, () => {
    unsubscribe?.();
    unsubscribe = undefined;
  });

  gateway.channel<Identity | undefined>(gpu.gpuChannels[0].path, {
    authorize: async (req, url) => {
      const identity = await authenticateRequest(auth, credentialsFromRequest(req.headers, url));
      authorize(gpu.gpuChannels[0].auth, identity, gpu.gpuSurface.name);
      return identity;
    },
    principalOf,
    onConnection: (conn) => {
      const running = hub.subscriberCount(GPU_TOPIC) > 0;
      hub.subscribe(GPU_TOPIC, conn);
      // A running sampler's last sample is at most one interval old: send it now. Otherwise this
      // socket just started the sampler, whose first sample is on its way to every subscriber.
      const current = sampler.current;
      if (running && current !== undefined) {
        conn.sendLatest(VRAM_KEY, JSON.stringify(vramUpdateFrame(current)));
      }
    },
    renderError: (error) =>
      gpu.gpuErrorShape.render({ status: error.status, code: error.code, message: error.message }),
  });

  return () => {
    stopFirst();
    stopLast();
    unsubscribe?.();
    unsubscribe = undefined;
  };
}
