/** The GPU host surface (seed 004) as a module: see mount.ts for what it mounts. */
import { protocol } from '@marquee/sdk';
import { defineSurfaceModule } from '../../core/surface';
import { mountGpu, type GpuSurface } from './mount';

export const gpuModule = defineSurfaceModule<Omit<GpuSurface, 'stop'>>({
  name: 'gpu',
  errorShape: protocol.gpu.gpuErrorShape,
  prefixes: ['/api/vram/', '/api/models/', '/api/ollama/', '/api/gpu/'],
  mount(ctx) {
    const gpu = mountGpu(ctx);
    const { sampler, ollama, downloads } = gpu;
    return {
      api: { sampler, ollama, downloads },
      metrics: { samplers: { gpu: sampler } },
      stop: () => gpu.stop(),
    };
  },
});
