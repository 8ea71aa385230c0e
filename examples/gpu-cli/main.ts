/**
 * gpu-cli: a GPU host's VRAM and Ollama models in a terminal, with the SDK's GPU client.
 *
 *   npx tsx examples/gpu-cli/main.ts [url] [--token <token>] [--load <model>] [--unload <model>] [--watch]
 *
 * `url` defaults to $MARQUEE_URL, then http://localhost:8000. `--token` (or $MARQUEE_TOKEN) is a
 * user's access token or a display token scoped `gpu` (read-only: loading and unloading need an
 * operator). It loads or unloads the model asked for, then prints each GPU, the installed and the
 * loaded models, and exits; with `--watch` it goes on printing each GPU line as the server pushes
 * `vram_update` (every 2 s) until Ctrl+C. Errors print their code and exit 1.
 */
import { parseArgs } from 'node:util';
import { MarqueeError, createGpuClient, type VramStatus } from '@marquee/sdk';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    token: { type: 'string' },
    load: { type: 'string' },
    unload: { type: 'string' },
    watch: { type: 'boolean', default: false },
  },
});

const baseUrl = positionals[0] ?? process.env.MARQUEE_URL ?? 'http://localhost:8000';
const token = values.token ?? process.env.MARQUEE_TOKEN;
const client = createGpuClient({ baseUrl, ...(token ? { token: () => token } : {}) });

/** One line per GPU, or why there is no reading. */
function gpuLines(status: Pick<VramStatus, 'gpu' | 'gpus' | 'state' | 'error'>): string[] {
  const gpus = status.gpus ?? (status.gpu ? [{ index: 0, ...status.gpu }] : []);
  if (gpus.length === 0) return [`No GPU reading (${status.state ?? 'unknown'})`];
  return gpus.map(
    (g) =>
      `GPU ${g.index} ${g.name}: ${g.used_mb ?? '?'} / ${g.total_mb ?? '?'} MiB used, ${g.utilization ?? '?'}% busy`,
  );
}

async function main(): Promise<void> {
  if (values.load) {
    const done = await client.loadModel(values.load);
    console.log(done.message);
  }
  if (values.unload) {
    const done = await client.unloadModel(values.unload);
    console.log(done.message);
  }
  const [status, installed, loaded] = await Promise.all([
    client.vramStatus(),
    client.listModels(),
    client.loadedModels(),
  ]);
  for (const line of gpuLines(status)) console.log(line);
  console.log(
    `Installed (${installed.count}): ${installed.models.map((m) => `${m.name} ${m.size}`).join(', ') || 'none'}`,
  );
  console.log(
    `Loaded (${loaded.count}): ${loaded.models.map((m) => `${m.name} on ${m.processor}`).join(', ') || 'none'}`,
  );
  if (!values.watch) return;
  client.on('vram_update', (update) => {
    for (const line of gpuLines(update)) console.log(line);
  });
  client.on('state', ({ state }) => console.error(`[${state}] ${baseUrl}`));
  const stop = () => client.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  client.connect();
}

main().catch((error: unknown) => {
  const e = error instanceof MarqueeError ? error : undefined;
  console.error(e ? `${e.code}: ${e.message}` : String(error));
  client.close();
  process.exitCode = 1;
});
