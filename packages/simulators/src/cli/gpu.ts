/**
 * `marquee-sim gpu`: a fake GPU host for a development Marquee. Writes an nvidia-smi scenario,
 * serves a fake Ollama whose loaded models take VRAM on GPU 0, prints the environment that points
 * Marquee at both, logs what they are asked, and prints a summary on Ctrl+C (SIGINT) or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { FakeGpuHost } from '../gpu/fake-gpu-host';
import { linkOllamaToGpu } from '../gpu/link-ollama';
import { MAX_GPUS } from '../gpu/scenario';
import { createFakeOllama, type FakeOllama } from '../ollama/fake-ollama';
import type { FakeOllamaEvent } from '../ollama/model-store';
import { ExitCodes, type Command } from './command';
import { parseCommandLine, wholeNumber } from './options';
import { formatElapsed as duration, waitForStopSignal } from './run-control';
import { StatusLine } from './status-line';

const USAGE = `Usage: marquee-sim gpu [options]

A fake GPU host: a scenario for the fake nvidia-smi, and a fake Ollama whose loaded
models take VRAM (and show a runner process) on GPU 0. Stop it with Ctrl+C.

Options:
  --gpus N          GPUs to simulate, 0-${MAX_GPUS} (default 1)
  --port P          the fake Ollama's port (default 0: a free one)
  --host H          the fake Ollama's address (default 127.0.0.1)
  --scenario FILE   write the nvidia-smi scenario here (default: a temporary file,
                    removed on exit); edit it while running to change what nvidia-smi says
  -h, --help        this help
`;

function describeEvent(event: FakeOllamaEvent): string {
  switch (event.type) {
    case 'loaded':
      return `ollama  loaded ${event.model} (${Math.round(event.vramBytes / 2 ** 20)} MiB VRAM)`;
    case 'unloaded':
      return `ollama  unloaded ${event.model} (${event.reason === 'expired' ? 'keep_alive expired' : 'requested'})`;
    case 'pulled':
      return `ollama  pulled ${event.model}`;
    case 'pull_failed':
      return `ollama  pull of ${event.model} failed: ${event.error}`;
    case 'deleted':
      return `ollama  deleted ${event.model}`;
  }
}

interface Options {
  readonly gpus: number;
  readonly port: number;
  readonly host: string;
  readonly scenario: string | undefined;
}

function parseOptions(argv: readonly string[]): Options | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      gpus: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      scenario: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  return {
    gpus: wholeNumber('gpus', values.gpus, 1, { min: 0, max: MAX_GPUS }),
    port: wholeNumber('port', values.port, 0, { min: 0, max: 65_535 }),
    host: values.host ?? '127.0.0.1',
    scenario: values.scenario,
  };
}

async function run(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandLine('gpu', USAGE, () => parseOptions(argv));
  if (!('options' in parsed)) return parsed.exitCode;
  const { options } = parsed;

  const host = new FakeGpuHost({
    gpus: options.gpus,
    ...(options.scenario === undefined ? {} : { path: options.scenario }),
  });
  let ollama: FakeOllama;
  try {
    ollama = await createFakeOllama({ port: options.port, host: options.host });
  } catch (error) {
    host.dispose();
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `marquee-sim gpu: the fake Ollama cannot listen on ${options.host}:${options.port}: ${message}\n`,
    );
    return ExitCodes.failure;
  }
  linkOllamaToGpu(ollama, host);
  const started = Date.now();

  const gpuName = host.scenario.gpus[0]?.name;
  process.stdout.write(
    `Fake GPU host: ${options.gpus} GPU${options.gpus === 1 ? '' : 's'}${gpuName ? ` (${gpuName})` : ''}, scenario ${host.scenarioPath}\n` +
      `Fake Ollama: ${ollama.url}\n\n` +
      `Point Marquee at them:\n` +
      Object.entries({ ...host.env, OLLAMA_HOST: ollama.url })
        .map(([name, value]) => `  export ${name}=${value}\n`)
        .join('') +
      `\nCtrl+C to stop.\n`,
  );

  const status = new StatusLine(process.stdout);
  const events: Record<FakeOllamaEvent['type'], number> = {
    loaded: 0,
    unloaded: 0,
    pulled: 0,
    pull_failed: 0,
    deleted: 0,
  };
  let smiRuns = 0;
  ollama.onRequest((request) => {
    if (!status.live) status.log(`ollama  ${request.method} ${request.path}`);
    return undefined;
  });
  ollama.onEvent((event) => {
    events[event.type]++;
    status.log(describeEvent(event));
  });
  const refresh = () => {
    const runs = host.received;
    if (!status.live) {
      for (const run of runs.slice(smiRuns)) status.log(`nvidia-smi  ${run.argv.join(' ')}`);
    }
    smiRuns = runs.length;
    const gpu = host.scenario.gpus[0];
    const loaded = ollama.loaded.map((m) => m.name).join(', ') || 'none';
    status.update(
      `${duration(Date.now() - started)}  nvidia-smi ${smiRuns} runs · ollama ${ollama.received.length} requests · loaded: ${loaded}` +
        (gpu ? ` · GPU 0 ${String(gpu.memoryUsed)}/${String(gpu.memoryTotal)} MiB` : ''),
    );
  };
  const timer = setInterval(refresh, 500);
  refresh();

  const signal = await waitForStopSignal();
  clearInterval(timer);
  refresh();
  status.clear();
  await ollama.close();

  const byRoute = new Map<string, number>();
  for (const r of ollama.received) {
    const key = `${r.method} ${r.path}`;
    byRoute.set(key, (byRoute.get(key) ?? 0) + 1);
  }
  const routes = [...byRoute.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([route, count]) => `${route} ×${count}`)
    .join(', ');
  process.stdout.write(
    `\nStopped (${signal}) after ${duration(Date.now() - started)}.\n` +
      `  nvidia-smi runs:  ${smiRuns}\n` +
      `  Ollama requests:  ${ollama.received.length}${routes ? ` (${routes})` : ''}\n` +
      `  models: ${events.loaded} loaded, ${events.unloaded} unloaded, ${events.pulled} pulled, ` +
      `${events.pull_failed} failed pulls, ${events.deleted} deleted\n`,
  );
  host.dispose();
  return ExitCodes.ok;
}

export const gpuCommand: Command = {
  name: 'gpu',
  summary: 'a fake GPU host: fake nvidia-smi scenario + fake Ollama',
  usage: USAGE,
  run,
};
