/**
 * The GPU channel's hub topic and its frames. Each frame is built once per broadcast and the hub
 * serialises it once for every subscriber; the latest-wins keys let a slow display skip stale
 * VRAM readings and stale progress of a download, never the end of one (it is the newest).
 */
import type { protocol } from '@marquee/sdk';
import type { VramSample } from './vram-sampler';

/** Hub topic of `/api/gpu/ws`. */
export const GPU_TOPIC = 'gpu';

/** Latest-wins key of `vram_update` frames. */
export const VRAM_KEY = 'vram_update';

/** Latest-wins key of one model's `model_download_progress` frames. */
export function progressKey(modelName: string): string {
  return `model_download_progress:${modelName}`;
}

export function vramUpdateFrame(sample: VramSample): protocol.gpu.VramUpdateEvent {
  return { event: 'vram_update', data: { ...sample.status, timestamp: sample.at / 1000 } };
}

export function progressFrame(
  progress: protocol.gpu.ModelDownloadProgress,
): protocol.gpu.ModelDownloadProgressEvent {
  return { event: 'model_download_progress', data: progress };
}
