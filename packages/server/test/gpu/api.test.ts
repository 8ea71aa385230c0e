/**
 * The GPU surface end to end over real sockets: a Marquee server whose nvidia-smi is the fake
 * executable and whose Ollama is the fake server. VRAM status, the model list and actions, the
 * download with its progress on `/api/gpu/ws`, failures, bad input and who may do what.
 */
import { protocol } from '@marquee/sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { call } from '../helpers/server';
import {
  displayToken,
  openGpuSocket,
  startGpuServer,
  type GpuTestServer,
} from '../helpers/gpu-host';

const { gpu } = protocol;

let g: GpuTestServer;

beforeEach(async () => {
  g = await startGpuServer();
});
afterEach(async () => {
  await g.close();
});

const url = (path: string) => `${g.t.url}${path}`;
const post = (path: string, body: unknown, token: string | undefined = g.token) =>
  call(url(path), { method: 'POST', body, ...(token ? { token } : {}) });

describe('GET /api/vram/status', () => {
  it('reads both GPUs of the fake host through nvidia-smi', async () => {
    const res = await call(url('/api/vram/status'), { token: g.token });
    expect(res.status).toBe(200);
    const status = gpu.VramStatus.parse(res.body);
    const [gpu0, gpu1] = g.host.scenario.gpus;
    expect(status).toMatchObject({
      gpu: { name: 'NVIDIA GeForce RTX 4090', total_mb: 24564, used_mb: 402, free_mb: 24162 },
      state: 'ok',
      processes: [],
    });
    expect(status.gpus?.map((d) => d.uuid)).toEqual([gpu0?.uuid, gpu1?.uuid]);
    expect(status.last_success_at).toEqual(expect.any(String));
  });

  it('says when there is no GPU instead of answering zeros', async () => {
    g.host.setGpus(0);
    // A sample younger than the interval may be served; wait for a fresh one.
    await vi.waitFor(
      async () => {
        const res = await call(url('/api/vram/status'), { token: g.token });
        expect(res.body).toMatchObject({ gpu: null, gpus: [], state: 'no_gpu' });
      },
      { timeout: 5000, interval: 200 },
    );
  });

  it('reports a hung nvidia-smi as timeout and keeps the last reading', async () => {
    await g.close();
    g = await startGpuServer({ nvidiaSmiTimeoutMs: 1000 });
    const first = gpu.VramStatus.parse(
      (await call(url('/api/vram/status'), { token: g.token })).body,
    );
    g.host.setFailure('hang');
    await vi.waitFor(
      async () => {
        const status = gpu.VramStatus.parse(
          (await call(url('/api/vram/status'), { token: g.token })).body,
        );
        expect(status).toMatchObject({
          state: 'timeout',
          gpu: first.gpu,
          last_success_at: first.last_success_at,
        });
      },
      { timeout: 8000, interval: 300 },
    );
  });

  it('answers 401 in the seed error shape without credentials', async () => {
    const res = await call(url('/api/vram/status'));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      success: false,
      error: 'UNAUTHORIZED',
      message: 'Authentication required',
    });
  });
});

describe('models', () => {
  it('lists the installed models in the seed shape', async () => {
    const res = await call(url('/api/models/ollama/list'), { token: g.token });
    expect(res.status).toBe(200);
    const list = gpu.OllamaModelList.parse(res.body);
    expect(list.count).toBe(3);
    const llama = list.models.find((m) => m.name === 'llama3.2:latest');
    expect(llama).toMatchObject({ size: '2.0 GB', size_bytes: 2_019_393_189 });
    expect(llama?.id).toMatch(/^[0-9a-f]{12}$/);
  });

  it('loads a model (VRAM rises, the runner shows up), lists it as loaded, and unloads it', async () => {
    const load = await post('/api/models/ollama/load', {
      model_name: 'llama3.2',
      keep_alive: '10m',
    });
    expect(load.status).toBe(200);
    expect(load.body).toEqual({
      success: true,
      message: 'Model llama3.2 loaded',
      model_name: 'llama3.2',
    });
    expect(g.ollama.received.at(-1)?.body).toEqual({
      model: 'llama3.2',
      stream: false,
      keep_alive: '10m',
    });

    const loaded = gpu.OllamaLoadedList.parse(
      (await call(url('/api/models/ollama/loaded'), { token: g.token })).body,
    );
    expect(loaded.models).toEqual([
      expect.objectContaining({
        name: 'llama3.2:latest',
        processor: '100% GPU',
        size_vram: expect.any(Number),
        expires_at: expect.any(String),
      }),
    ]);
    await vi.waitFor(
      async () => {
        const status = gpu.VramStatus.parse(
          (await call(url('/api/vram/status'), { token: g.token })).body,
        );
        expect(status.processes).toEqual([
          expect.objectContaining({ process_name: '/usr/local/bin/ollama' }),
        ]);
        expect(status.gpu?.used_mb).toBeGreaterThan(2000);
      },
      { timeout: 5000, interval: 200 },
    );

    const unload = await post('/api/models/ollama/unload', { model_name: 'llama3.2' });
    expect(unload.body).toMatchObject({ success: true, message: 'Model llama3.2 unloaded' });
    expect(g.ollama.received.at(-1)?.body).toMatchObject({ model: 'llama3.2', keep_alive: 0 });
    const after = await call(url('/api/models/ollama/loaded'), { token: g.token });
    expect(after.body).toEqual({ models: [], count: 0 });
  });

  it('deletes a model', async () => {
    const res = await post('/api/models/ollama/delete', { model_name: 'nomic-embed-text' });
    expect(res.status).toBe(200);
    const list = gpu.OllamaModelList.parse(
      (await call(url('/api/models/ollama/list'), { token: g.token })).body,
    );
    expect(list.models.map((m) => m.name)).not.toContain('nomic-embed-text:latest');
  });

  it('answers 404 for a model that is not installed', async () => {
    for (const path of ['load', 'unload', 'delete']) {
      const res = await post(`/api/models/ollama/${path}`, { model_name: 'no-such-model' });
      expect(res.status, path).toBe(404);
      expect(res.body).toMatchObject({ success: false, error: 'NOT_FOUND' });
    }
  });

  it('answers 503 with a clear message while Ollama is down', async () => {
    await g.ollama.down();
    for (const res of [
      await call(url('/api/models/ollama/list'), { token: g.token }),
      await post('/api/models/ollama/load', { model_name: 'llama3.2' }),
      await post('/api/models/ollama/download', { model_name: 'llama3.2' }),
    ]) {
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({
        success: false,
        error: 'SERVICE_UNAVAILABLE',
        message: expect.stringMatching(/^Ollama is not reachable at http:\/\/127\.0\.0\.1:\d+ /),
      });
    }
  });
});

describe('bad input → 400 in the seed error shape', () => {
  it.each([
    ['no model_name', '/api/models/ollama/load', {}],
    ['an empty model_name', '/api/models/ollama/unload', { model_name: '' }],
    ['a blank model_name', '/api/models/ollama/download', { model_name: '   ' }],
    ['a numeric model_name', '/api/models/ollama/delete', { model_name: 42 }],
    ['a bad keep_alive', '/api/models/ollama/load', { model_name: 'x', keep_alive: 'forever' }],
  ])('%s', async (_what, path, body) => {
    const res = await post(path, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: 'BAD_REQUEST' });
  });

  it('a missing or malformed body', async () => {
    const none = await call(url('/api/models/ollama/load'), { method: 'POST', token: g.token });
    expect(none.status).toBe(400);
    const malformed = await call(url('/api/models/ollama/load'), {
      token: g.token,
      rawBody: '{"model_name":',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ success: false, error: 'BAD_REQUEST' });
  });
});

describe('auth', () => {
  it('a display token scoped gpu reads everything but may not load (403)', async () => {
    const display = await displayToken(g, ['gpu']);
    for (const path of [
      '/api/vram/status',
      '/api/models/ollama/list',
      '/api/models/ollama/loaded',
    ]) {
      expect((await call(url(path), { token: display })).status, path).toBe(200);
    }
    const load = await post('/api/models/ollama/load', { model_name: 'llama3.2' }, display);
    expect(load.status).toBe(403);
    expect(load.body).toMatchObject({ success: false, error: 'FORBIDDEN' });
    const socket = await openGpuSocket(g.t.wsUrl, display);
    await socket.close();
  });

  it('a display token for another surface may not read GPU data', async () => {
    const display = await displayToken(g, ['now-playing']);
    expect((await call(url('/api/vram/status'), { token: display })).status).toBe(403);
    await expect(openGpuSocket(g.t.wsUrl, display)).rejects.toThrow('refused: 403');
  });

  it('the socket refuses a caller without credentials', async () => {
    await expect(openGpuSocket(g.t.wsUrl)).rejects.toThrow('refused: 401');
  });
});

describe('/api/gpu/ws', () => {
  it('sends vram_update on connect and every interval', async () => {
    const socket = await openGpuSocket(g.t.wsUrl, g.token);
    await vi.waitFor(() => expect(socket.ofEvent('vram_update').length).toBeGreaterThanOrEqual(3), {
      timeout: 8000,
    });
    const updates = socket.ofEvent('vram_update');
    expect(updates[0]).toMatchObject({ state: 'ok', gpu: { name: 'NVIDIA GeForce RTX 4090' } });
    const times = updates.map((u) => u.timestamp);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    await socket.close();
  });

  it('pushes download progress and completion; a second request joins the same pull', async () => {
    const socket = await openGpuSocket(g.t.wsUrl, g.token);
    g.ollama.slowPull(30);
    const first = await post('/api/models/ollama/download', { model_name: 'tinyllama' });
    expect(first.body).toEqual({
      success: true,
      message: 'Download started',
      model_name: 'tinyllama',
    });
    const second = await post('/api/models/ollama/download', { model_name: 'tinyllama' });
    expect(second.body).toMatchObject({ message: 'Download already in progress' });

    await vi.waitFor(
      () =>
        expect(socket.ofEvent('model_download_progress').at(-1)).toEqual({
          model_name: 'tinyllama',
          progress: 100,
          status: 'complete',
          detail: 'success',
        }),
      { timeout: 8000 },
    );
    const progress = socket.ofEvent('model_download_progress');
    const downloading = progress.filter((p) => p.status === 'downloading');
    expect(downloading.length).toBeGreaterThan(1);
    expect(downloading.some((p) => p.progress > 0 && p.progress < 100)).toBe(true);
    expect(downloading.find((p) => p.total !== undefined)).toMatchObject({
      digest: expect.stringMatching(/^sha256:/),
      detail: expect.stringMatching(/^pulling /),
    });
    expect(g.ollama.received.filter((r) => r.path === '/api/pull')).toHaveLength(1);

    const list = gpu.OllamaModelList.parse(
      (await call(url('/api/models/ollama/list'), { token: g.token })).body,
    );
    expect(list.models.map((m) => m.name)).toContain('tinyllama:latest');
    await socket.close();
  });

  it('reports a pull that fails mid-stream (after its 200) as an error event', async () => {
    const socket = await openGpuSocket(g.t.wsUrl, g.token);
    g.ollama.failNextPullAfter(3);
    const res = await post('/api/models/ollama/download', { model_name: 'mistral' });
    expect(res.status).toBe(200);
    await vi.waitFor(
      () =>
        expect(socket.ofEvent('model_download_progress').at(-1)).toMatchObject({
          model_name: 'mistral',
          status: 'error',
          error: 'Download of "mistral" failed: max retries exceeded: unexpected EOF',
        }),
      { timeout: 8000 },
    );
    await socket.close();
  });

  it('answers 404 for a model the registry does not know, and says so on the socket', async () => {
    const socket = await openGpuSocket(g.t.wsUrl, g.token);
    const res = await post('/api/models/ollama/download', { model_name: 'no-such-model' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, error: 'NOT_FOUND' });
    await vi.waitFor(() =>
      expect(socket.ofEvent('model_download_progress').at(-1)).toMatchObject({
        model_name: 'no-such-model',
        status: 'error',
      }),
    );
    await socket.close();
  });

  it('cancels a download over a real socket', async () => {
    const socket = await openGpuSocket(g.t.wsUrl, g.token);
    g.ollama.slowPull(200);
    await post('/api/models/ollama/download', { model_name: 'gemma2:2b' });
    const cancel = await post('/api/models/ollama/download/cancel', { model_name: 'gemma2:2b' });
    expect(cancel.body).toEqual({
      success: true,
      message: 'Download cancelled',
      model_name: 'gemma2:2b',
    });
    await vi.waitFor(() =>
      expect(socket.ofEvent('model_download_progress').at(-1)).toMatchObject({
        status: 'error',
        error: 'Download cancelled',
      }),
    );
    const again = await post('/api/models/ollama/download/cancel', { model_name: 'gemma2:2b' });
    expect(again.status).toBe(404);
    await vi.waitFor(() => expect(g.ollama.models.map((m) => m.name)).not.toContain('gemma2:2b'));
    await socket.close();
  });
});
