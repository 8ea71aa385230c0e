/**
 * Makes a fake GPU host follow a fake Ollama: loading a model takes its `size_vram` on a GPU and
 * shows an Ollama runner process there; unloading gives both back. This is what a dashboard sees
 * on a real box (VRAM rises after "load"), so end-to-end tests and `marquee-sim gpu` behave alike.
 */
import type { FakeOllama } from '../ollama/fake-ollama';
import type { FakeGpuHost } from './fake-gpu-host';

export interface LinkOllamaOptions {
  /** The GPU that models load onto. @default 0 */
  gpuIndex?: number;
  /** The runner's process name in `--query-compute-apps`. @default '/usr/local/bin/ollama' */
  processName?: string;
}

const MiB = 2 ** 20;

/** Links `ollama` to `host`; returns a function that unlinks them (loaded models keep their VRAM). */
export function linkOllamaToGpu(
  ollama: FakeOllama,
  host: FakeGpuHost,
  options: LinkOllamaOptions = {},
): () => void {
  const gpuIndex = options.gpuIndex ?? 0;
  const processName = options.processName ?? '/usr/local/bin/ollama';
  const runners = new Map<string, { pid: number; mib: number }>();

  const usedMemory = (): number | undefined => {
    const used = host.scenario.gpus[gpuIndex]?.memoryUsed;
    return typeof used === 'number' ? used : undefined;
  };

  return ollama.onEvent((event) => {
    if (event.type === 'loaded' && !runners.has(event.model)) {
      if (host.scenario.gpus[gpuIndex] === undefined) return;
      const mib = Math.round(event.vramBytes / MiB);
      const pid = host.addProcess(gpuIndex, { name: processName, usedMemory: mib });
      runners.set(event.model, { pid, mib });
      const used = usedMemory();
      if (used !== undefined) host.setUsedMemory(gpuIndex, used + mib);
    } else if (event.type === 'unloaded') {
      const runner = runners.get(event.model);
      if (!runner) return;
      runners.delete(event.model);
      host.removeProcess(runner.pid);
      const used = usedMemory();
      if (used !== undefined) host.setUsedMemory(gpuIndex, Math.max(0, used - runner.mib));
    }
  });
}
