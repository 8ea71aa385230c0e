/**
 * The Ollama adapter and the shared downloads against Ollama's HTTP API mocked with msw. Response
 * bodies are the examples of Ollama's API documentation (docs/api.md: List Local Models, List
 * Running Models, Pull a Model, Load/Unload a model, Delete a Model).
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import { HttpResponse, delay, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CancelledError,
  Downloads,
  createOllamaAdapter,
  type OllamaAdapterOptions,
} from '../../src/integrations/ollama';
import { LAYER_A, PS, PULL_LINES, TAGS, ndjson } from '../helpers/ollama-api';

const HOST = 'http://ollama.test:11434';
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const adapter = (options: Partial<OllamaAdapterOptions> = {}) =>
  createOllamaAdapter({ host: HOST, timeoutMs: 2000, ...options });

async function failure(promise: Promise<unknown>): Promise<MarqueeError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof MarqueeError))
    throw new Error(`expected a MarqueeError, got ${String(error)}`);
  return error;
}

describe('list and loaded', () => {
  it('turns /api/tags into the seed list: short id, human size, bytes, UTC time', async () => {
    server.use(http.get(`${HOST}/api/tags`, () => HttpResponse.json(TAGS)));
    const list = await adapter().list();
    expect(protocol.gpu.OllamaModelList.parse(list)).toEqual(list);
    expect(list).toEqual({
      count: 2,
      models: [
        {
          name: 'deepseek-r1:latest',
          id: '0a8c26691023',
          size: '4.7 GB',
          size_bytes: 4683075271,
          modified_at: '2025-05-10T15:06:48.639Z',
        },
        {
          name: 'llama3.2:latest',
          id: 'a80c4f17acd5',
          size: '2.0 GB',
          size_bytes: 2019393189,
          modified_at: '2025-05-05T00:37:44.706Z',
        },
      ],
    });
  });

  it('turns /api/ps into the loaded list with size_vram, expires_at and the processor split', async () => {
    server.use(http.get(`${HOST}/api/ps`, () => HttpResponse.json(PS)));
    const loaded = await adapter().loaded();
    expect(protocol.gpu.OllamaLoadedList.parse(loaded)).toEqual(loaded);
    expect(loaded.count).toBe(2);
    expect(loaded.models[0]).toEqual({
      name: 'mistral:latest',
      id: '2ae6f6dd7a3d',
      size: '5.1 GB',
      size_bytes: 5137025024,
      processor: '100% GPU',
      size_vram: 5137025024,
      expires_at: '2024-06-04T21:38:31.837Z',
    });
    expect(loaded.models[1]).toMatchObject({ size: '43 GB', processor: '48%/52% CPU/GPU' });
  });

  it('reads an empty Ollama (models: null in old versions) as no models', async () => {
    server.use(http.get(`${HOST}/api/ps`, () => HttpResponse.json({ models: null })));
    expect(await adapter().loaded()).toEqual({ models: [], count: 0 });
  });
});

describe('load, unload, delete', () => {
  it('loads with a generate request without prompt, with the configured keep_alive, and unloads with 0', async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post(`${HOST}/api/generate`, async ({ request }) => {
        const body = (await request.json()) as { model: string; keep_alive?: unknown };
        bodies.push(body);
        return HttpResponse.json({
          model: body.model,
          created_at: '2023-12-18T19:52:07.071755Z',
          response: '',
          done: true,
          done_reason: body.keep_alive === 0 ? 'unload' : 'load',
        });
      }),
    );
    const ollama = adapter({ keepAlive: '10m' });
    await ollama.load('llama3.2');
    await ollama.load('llama3.2', -1);
    await ollama.unload('llama3.2');
    expect(bodies).toEqual([
      { model: 'llama3.2', stream: false, keep_alive: '10m' },
      { model: 'llama3.2', stream: false, keep_alive: -1 },
      { model: 'llama3.2', stream: false, keep_alive: 0 },
    ]);
    // Without a configured default, Ollama's own applies: keep_alive is not sent.
    await adapter().load('llama3.2');
    expect(bodies[3]).toEqual({ model: 'llama3.2', stream: false });
  });

  it('answers an unknown model with 404 and Ollama’s words', async () => {
    server.use(
      http.post(`${HOST}/api/generate`, () =>
        HttpResponse.json({ error: "model 'llama9' not found" }, { status: 404 }),
      ),
      http.delete(`${HOST}/api/delete`, () =>
        HttpResponse.json({ error: "model 'llama9' not found" }, { status: 404 }),
      ),
    );
    const load = await failure(adapter().load('llama9'));
    expect(load).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(load.message).toBe('Model "llama9" was not found (Ollama: model \'llama9\' not found)');
    expect(await failure(adapter().delete('llama9'))).toMatchObject({ status: 404 });
  });

  it('passes an Ollama failure on as 502 with its message', async () => {
    server.use(
      http.post(`${HOST}/api/generate`, () =>
        HttpResponse.json(
          { error: 'model requires more system memory (45.4 GiB) than is available (30.1 GiB)' },
          { status: 500 },
        ),
      ),
    );
    const error = await failure(adapter().load('llama3.1:70b'));
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', status: 502 });
    expect(error.message).toContain('more system memory');
  });

  it('deletes with DELETE /api/delete {model}', async () => {
    let body: unknown;
    server.use(
      http.delete(`${HOST}/api/delete`, async ({ request }) => {
        body = await request.json();
        return new HttpResponse(null, { status: 200 });
      }),
    );
    await adapter().delete('llama3.2');
    expect(body).toEqual({ model: 'llama3.2' });
  });
});

describe('Ollama down or slow', () => {
  it('answers 503 with a clear message when Ollama cannot be reached', async () => {
    server.use(http.get(`${HOST}/api/tags`, () => HttpResponse.error()));
    const error = await failure(adapter().list());
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    expect(error.message).toMatch(
      /^Ollama is not reachable at http:\/\/ollama\.test:11434 .*Is it running\?/,
    );
  });

  it('answers 504 when Ollama does not answer in time', async () => {
    server.use(
      http.get(`${HOST}/api/ps`, async () => {
        await delay('infinite');
        return HttpResponse.json(PS);
      }),
    );
    const error = await failure(adapter({ timeoutMs: 100 }).loaded());
    expect(error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', status: 504 });
  });
});

describe('pull', () => {
  it('reads NDJSON line by line and computes progress from each layer’s completed/total', async () => {
    server.use(http.post(`${HOST}/api/pull`, () => ndjson(PULL_LINES).response));
    const updates: Array<{ percent: number; status: string; completed?: number }> = [];
    await adapter().pull('llama3.2', {
      onProgress: ({ percent, status, completed }) =>
        updates.push({ percent, status, ...(completed === undefined ? {} : { completed }) }),
    });
    expect(updates.map((u) => u.percent)).toEqual([
      0, // pulling manifest
      0, // layer A announced: 0 of 1000 bytes
      25, // 250 of 1000
      99.9, // 1000 of 1000: held below 100 until `success`
      50, // layer B announced: 1000 of 2000 bytes known so far
      75, // 1500 of 2000
      99.9, // 2000 of 2000
      99.9, // verifying
      99.9, // writing manifest
      100, // success
    ]);
    expect(updates[2]).toEqual({ percent: 25, status: 'pulling 6a0746a1ec1a', completed: 250 });
    expect(updates.at(-1)?.status).toBe('success');
  });

  it('fails on an {"error"} line even after the 200, with Ollama’s message', async () => {
    server.use(
      http.post(
        `${HOST}/api/pull`,
        () =>
          ndjson([...PULL_LINES.slice(0, 3), { error: 'max retries exceeded: unexpected EOF' }])
            .response,
      ),
    );
    const error = await failure(adapter().pull('llama3.2'));
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', status: 502 });
    expect(error.message).toBe(
      'Download of "llama3.2" failed: max retries exceeded: unexpected EOF',
    );
  });

  it('reports a model the registry does not have as 404', async () => {
    server.use(
      http.post(
        `${HOST}/api/pull`,
        () =>
          ndjson([
            { status: 'pulling manifest' },
            { error: 'pull model manifest: file does not exist' },
          ]).response,
      ),
    );
    expect(await failure(adapter().pull('no-such-model'))).toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
    });
  });

  it('fails with 504 when the stream goes silent for longer than the limit', async () => {
    // Through the injected fetch, not msw: msw's socket emulation trips an undici assertion when
    // a request is aborted while a body read is pending, which is exactly this case. The
    // end-to-end tests abort pulls mid-read over real sockets.
    const pull = ndjson(PULL_LINES, { gap: (i) => (i < 2 ? 10 : 5000) });
    const silent = adapter({ timeoutMs: 60, fetch: () => Promise.resolve(pull.response) });
    expect(await failure(silent.pull('llama3.2'))).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    await vi.waitFor(() => expect(pull.state.cancelled).toBe(true));
  });
});

describe('downloads', () => {
  type Progress = protocol.gpu.ModelDownloadProgress;

  function downloads(options: Partial<OllamaAdapterOptions> = {}) {
    const events: Progress[] = [];
    const manager = new Downloads({
      adapter: adapter(options),
      minIntervalMs: 0,
      onProgress: (p) => events.push(protocol.gpu.ModelDownloadProgress.parse(p)),
    });
    return { manager, events };
  }

  it('emits downloading events with per-layer bytes, then complete at 100', async () => {
    server.use(http.post(`${HOST}/api/pull`, () => ndjson(PULL_LINES).response));
    const { manager, events } = downloads();
    const download = manager.start('llama3.2');
    expect(download.started).toBe(true);
    await download.begun;
    await download.done;
    expect(events.at(-1)).toEqual({
      model_name: 'llama3.2',
      progress: 100,
      status: 'complete',
      detail: 'success',
    });
    expect(events).toContainEqual({
      model_name: 'llama3.2',
      progress: 25,
      status: 'downloading',
      completed: 250,
      total: 1000,
      digest: LAYER_A,
      detail: 'pulling 6a0746a1ec1a',
    });
    expect(manager.running).toEqual([]);
  });

  it('shares one pull between two requests for the same model', async () => {
    let pulls = 0;
    server.use(
      http.post(`${HOST}/api/pull`, () => {
        pulls += 1;
        return ndjson(PULL_LINES, { gapMs: 20 }).response;
      }),
    );
    const { manager, events } = downloads();
    const first = manager.start('llama3.2');
    const second = manager.start('LLAMA3.2:latest');
    expect(first.started).toBe(true);
    expect(second.started).toBe(false);
    expect(second.done).toBe(first.done);
    expect(manager.running).toEqual(['llama3.2']);
    await second.done;
    expect(pulls).toBe(1);
    expect(events.filter((e) => e.status === 'complete')).toHaveLength(1);
  });

  it('cancels a running download: the stream is dropped and the last event is an error', async () => {
    const pull = ndjson(PULL_LINES, { gapMs: 40, open: true });
    server.use(http.post(`${HOST}/api/pull`, () => pull.response));
    const { manager, events } = downloads();
    const download = manager.start('llama3.2');
    await download.begun;
    expect(manager.cancel('llama3.2')).toBe(true);
    await download.done;
    expect(events.at(-1)).toMatchObject({
      model_name: 'llama3.2',
      status: 'error',
      error: 'Download cancelled',
    });
    expect(pull.state.cancelled).toBe(true);
    expect(manager.cancel('llama3.2')).toBe(false);
  });

  it('rejects `begun` when the download fails before its first layer, and reports it', async () => {
    server.use(http.post(`${HOST}/api/pull`, () => HttpResponse.error()));
    const { manager, events } = downloads();
    const download = manager.start('llama3.2');
    await expect(download.begun).rejects.toMatchObject({ status: 503 });
    await download.done;
    expect(events).toEqual([
      expect.objectContaining({ status: 'error', error: expect.stringMatching(/not reachable/) }),
    ]);
  });

  it('throws CancelledError from pull when its signal aborts', async () => {
    server.use(http.post(`${HOST}/api/pull`, () => ndjson(PULL_LINES, { gapMs: 50 }).response));
    const controller = new AbortController();
    const pulling = adapter().pull('llama3.2', {
      onProgress: () => controller.abort(),
      signal: controller.signal,
    });
    await expect(pulling).rejects.toBeInstanceOf(CancelledError);
  });
});
