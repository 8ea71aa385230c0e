/** `marquee-sim` as a user runs it: a real child process through the bin/ launcher. */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { marqueeSimPath } from '../src/index';
import {
  marqueeSimBin,
  printedEnv,
  nvidiaSmiBin,
  run,
  start,
  type Started,
} from './helpers/processes';

const running: Started[] = [];
afterAll(() => {
  for (const started of running) started.child.kill('SIGKILL');
});

describe('marquee-sim', () => {
  it('is the bin the package exports', () => {
    expect(marqueeSimPath).toBe(marqueeSimBin);
  });

  it('--help lists the implemented commands and exits 0', async () => {
    const result = await run(marqueeSimBin, ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^marquee-sim \d+\.\d+\.\d+/);
    expect(result.stdout).toMatch(/^ {2}gpu +/m);
    expect(result.stdout).toMatch(/^ {2}panel +/m);
    expect(result.stdout).toMatch(/^ {2}tv +/m);
  });

  it('gpu --help prints the options', async () => {
    const result = await run(marqueeSimBin, ['gpu', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--gpus N');
  });

  it('an unknown command exits 2', async () => {
    for (const command of ['fleet', 'frobnicate']) {
      const result = await run(marqueeSimBin, [command]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`unknown command "${command}"`);
    }
    expect((await run(marqueeSimBin, [])).code).toBe(2);
  });

  it('gpu rejects bad options with exit 2', async () => {
    for (const args of [['--gpus', '9'], ['--port', 'x'], ['--bogus']]) {
      const result = await run(marqueeSimBin, ['gpu', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('Usage: marquee-sim gpu');
    }
  });

  it('gpu serves a fake Ollama and a scenario, and prints a summary on SIGINT', async () => {
    const sim = start(marqueeSimBin, ['gpu', '--gpus', '2', '--port', '0']);
    running.push(sim);
    const env = await printedEnv(sim, 'OLLAMA_HOST');
    expect(env.NVIDIA_SMI_PATH).toBe(nvidiaSmiBin);
    const ollama = env.OLLAMA_HOST ?? '';
    expect(ollama).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const smi = ['--query-gpu=index,memory.used', '--format=csv,noheader,nounits'];
    const idle = await run(nvidiaSmiBin, smi, env);
    expect(idle.stdout).toBe('0, 402\n1, 402\n');
    const load = await fetch(`${ollama}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2' }),
    });
    expect(await load.json()).toMatchObject({ done_reason: 'load' });
    const busy = await run(nvidiaSmiBin, smi, env);
    expect(busy.stdout).toMatch(/^0, (\d+)\n1, 402\n$/);
    expect(Number(/^0, (\d+)/.exec(busy.stdout)?.[1])).toBeGreaterThan(2000);
    await vi.waitFor(() => expect(sim.output()).toContain('loaded llama3.2:latest'));

    sim.child.kill('SIGINT');
    const result = await sim.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Stopped (SIGINT)');
    expect(result.stdout).toMatch(/nvidia-smi runs: +2/);
    expect(result.stdout).toMatch(/Ollama requests: +1 \(POST \/api\/generate ×1\)/);
    expect(result.stdout).toContain('1 loaded');
  });
});
