/**
 * The SDK's GPU client against the real server and the simulated GPU host: typed events over
 * `/api/gpu/ws`, every REST method, and a read-only display token refused a load.
 */
import { createGpuClient, type protocol } from '@marquee/sdk';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { displayToken, startGpuServer, type GpuTestServer } from '../helpers/gpu-host';

let g: GpuTestServer;
beforeEach(async () => {
  g = await startGpuServer();
});
afterEach(async () => {
  await g.close();
});

it('drives the GPU surface: VRAM events, load, unload, download with progress, delete', async () => {
  const client = createGpuClient({ baseUrl: g.t.url, token: () => g.token, network: false });
  const progress: protocol.gpu.ModelDownloadProgress[] = [];
  client.on('model_download_progress', (p) => progress.push(p));
  client.connect();
  await vi.waitFor(() => expect(client.latest?.gpus).toHaveLength(2), { timeout: 5000 });

  expect((await client.vramStatus()).state).toBe('ok');
  expect((await client.listModels()).count).toBe(3);
  expect(await client.loadModel('qwen2.5:7b', { keepAlive: -1 })).toMatchObject({ success: true });
  expect((await client.loadedModels()).models.map((m) => m.name)).toEqual(['qwen2.5:7b']);
  await vi.waitFor(
    () =>
      expect(client.latest?.processes).toEqual([
        expect.objectContaining({ process_name: '/usr/local/bin/ollama' }),
      ]),
    { timeout: 5000 },
  );
  await client.unloadModel('qwen2.5:7b');
  expect((await client.loadedModels()).count).toBe(0);

  expect((await client.downloadModel('gemma2:2b')).message).toBe('Download started');
  await vi.waitFor(() => expect(progress.at(-1)?.status).toBe('complete'), { timeout: 5000 });
  await client.deleteModel('gemma2:2b');
  expect((await client.listModels()).models.map((m) => m.name)).not.toContain('gemma2:2b');
  await expect(client.cancelDownload('gemma2:2b')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  client.close();
});

it('with a display token reads but cannot load', async () => {
  const token = await displayToken(g, ['gpu']);
  const client = createGpuClient({ baseUrl: g.t.url, token: () => token });
  expect((await client.loadedModels()).count).toBe(0);
  await expect(client.loadModel('llama3.2')).rejects.toMatchObject({
    code: 'FORBIDDEN',
    status: 403,
  });
});
