/**
 * Runs examples/gpu-cli as a real child process against a real server wired to the simulated GPU
 * host (fake nvidia-smi on every sample, fake Ollama on a real socket), and checks what it prints.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { killExamples, runExample, untilOutput } from '../helpers/example-process';
import { displayToken, startGpuServer, type GpuTestServer } from '../helpers/gpu-host';

let g: GpuTestServer | undefined;

afterEach(async () => {
  killExamples();
  await g?.close();
  g = undefined;
});

const GPU_LINE = /^GPU [01] NVIDIA GeForce RTX 4090: \d+ \/ 24564 MiB used, \d+% busy$/;

describe('examples/gpu-cli', () => {
  it('loads a model, then prints the GPUs, installed and loaded models', async () => {
    g = await startGpuServer();
    const run = runExample('gpu-cli/main.ts', [g.t.url, '--load', 'qwen2.5:7b'], {
      MARQUEE_TOKEN: g.token,
    });
    expect(await run.exited, run.stderr()).toBe(0);
    const lines = run.stdout().trimEnd().split('\n');
    expect(lines).toEqual([
      'Model qwen2.5:7b loaded',
      expect.stringMatching(GPU_LINE),
      expect.stringMatching(GPU_LINE),
      'Installed (3): llama3.2:latest 2.0 GB, qwen2.5:7b 4.7 GB, nomic-embed-text:latest 274 MB',
      'Loaded (1): qwen2.5:7b on 100% GPU',
    ]);
    // Loaded in Ollama itself, not only reported so.
    expect(g.ollama.loaded.map((m) => m.name)).toEqual(['qwen2.5:7b']);
  });

  it('with a read-only display token: watches VRAM updates, and a load is refused with exit 1', async () => {
    g = await startGpuServer();
    const token = await displayToken(g, ['gpu']);
    const refused = runExample('gpu-cli/main.ts', [g.t.url, '--token', token, '--load', 'x']);
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toMatch(/^FORBIDDEN: /);
    expect(refused.stdout()).toBe('');

    const watch = runExample('gpu-cli/main.ts', [g.t.url, '--watch'], { MARQUEE_TOKEN: token });
    // The first print (2 GPUs + 2 model lines), then vram_update on connect and every 2 s.
    await untilOutput(watch, () =>
      expect(watch.stdout().trimEnd().split('\n').length).toBeGreaterThanOrEqual(8),
    );
    const lines = watch.stdout().trimEnd().split('\n');
    expect(lines[3]).toBe('Loaded (0): none');
    for (const line of [...lines.slice(0, 2), ...lines.slice(4)]) expect(line).toMatch(GPU_LINE);
    expect(watch.stderr()).toContain(`[open] ${g.t.url}`);
  });
});
