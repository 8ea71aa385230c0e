/** The fake Ollama over a real socket on port 0, in Ollama's documented shapes. */
import { request } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FakeGpuHost,
  createFakeOllama,
  linkOllamaToGpu,
  type FakeOllama,
  type FakeOllamaEvent,
  type FakeOllamaOptions,
  type PullProgress,
} from '../src/index';

const fakes: FakeOllama[] = [];
async function fake(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const ollama = await createFakeOllama(options);
  fakes.push(ollama);
  return ollama;
}

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function call(
  ollama: FakeOllama,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; type: string | null; text: string; json: () => unknown }> {
  const res = await fetch(`${ollama.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    text,
    json: () => JSON.parse(text) as unknown,
  };
}

function ndjson(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const isoTime = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
const details = {
  parent_model: '',
  format: 'gguf',
  family: expect.any(String),
  families: expect.any(Array),
  parameter_size: expect.any(String),
  quantization_level: expect.any(String),
};

describe('fake Ollama', () => {
  it('answers a request target of "//" (found by the server fuzzer: it was an unhandled rejection)', async () => {
    const ollama = await fake();
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(ollama.url);
      const req = request({ host: url.hostname, port: url.port, path: '//' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(404);
    expect(ollama.received.at(-1)?.path).toBe('//');
  });

  it('serves /, /api/version and /api/tags in Ollama’s shapes', async () => {
    const ollama = await fake({ version: '0.6.8' });
    expect(ollama.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await call(ollama, 'GET', '/')).text).toBe('Ollama is running');
    expect((await call(ollama, 'GET', '/api/version')).json()).toEqual({ version: '0.6.8' });

    const tags = await call(ollama, 'GET', '/api/tags');
    expect(tags.status).toBe(200);
    expect(tags.type).toMatch(/^application\/json/);
    const body = tags.json() as { models: unknown[] };
    expect(body.models.length).toBeGreaterThan(0);
    for (const model of body.models) {
      expect(model).toEqual({
        name: expect.stringMatching(/:/),
        model: expect.any(String),
        modified_at: isoTime,
        size: expect.any(Number),
        digest: expect.stringMatching(/^[0-9a-f]{64}$/),
        details,
      });
    }
    expect(body.models).toContainEqual(
      expect.objectContaining({
        name: 'llama3.2:latest',
        model: 'llama3.2:latest',
        details: expect.objectContaining({ family: 'llama', parameter_size: '3.2B' }),
      }),
    );
  });

  it('loads a model with an empty generate (keep_alive respected) and unloads it with keep_alive 0', async () => {
    const now = new Date('2025-01-01T12:00:00.000Z');
    const ollama = await fake({ now: () => now });
    expect((await call(ollama, 'GET', '/api/ps')).json()).toEqual({ models: [] });

    const load = await call(ollama, 'POST', '/api/generate', {
      model: 'llama3.2',
      keep_alive: '10m',
    });
    expect(load.status).toBe(200);
    expect(load.json()).toEqual({
      model: 'llama3.2',
      created_at: '2025-01-01T12:00:00.000Z',
      response: '',
      done: true,
      done_reason: 'load',
    });
    await call(ollama, 'POST', '/api/generate', { model: 'qwen2.5:7b', keep_alive: -1 });

    const ps = (await call(ollama, 'GET', '/api/ps')).json() as {
      models: Record<string, unknown>[];
    };
    expect(ps.models.map((m) => m.name)).toEqual(['qwen2.5:7b', 'llama3.2:latest']);
    expect(ps.models[1]).toEqual({
      name: 'llama3.2:latest',
      model: 'llama3.2:latest',
      size: expect.any(Number),
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      details,
      expires_at: '2025-01-01T12:10:00.000Z',
      size_vram: expect.any(Number),
    });
    expect(Number(ps.models[1]?.size_vram)).toBeLessThanOrEqual(Number(ps.models[1]?.size));
    expect(String(ps.models[0]?.expires_at) > '2300').toBe(true);

    const unload = await call(ollama, 'POST', '/api/generate', {
      model: 'llama3.2',
      keep_alive: 0,
    });
    expect(unload.json()).toEqual({
      model: 'llama3.2',
      created_at: '2025-01-01T12:00:00.000Z',
      response: '',
      done: true,
      done_reason: 'unload',
    });
    expect(ollama.loaded.map((m) => m.name)).toEqual(['qwen2.5:7b']);
  });

  it('unloads a model when its keep_alive runs out', async () => {
    const ollama = await fake();
    const events: FakeOllamaEvent[] = [];
    ollama.onEvent((event) => events.push(event));
    await call(ollama, 'POST', '/api/generate', { model: 'llama3.2', keep_alive: '50ms' });
    expect(ollama.loaded).toHaveLength(1);
    await vi.waitFor(() => expect(ollama.loaded).toHaveLength(0));
    expect(events.map((e) => e.type)).toEqual(['loaded', 'unloaded']);
    expect(events[1]).toMatchObject({ reason: 'expired', model: 'llama3.2:latest' });
  });

  it('answers 404 for an unknown model, and 400 for a bad body or keep_alive', async () => {
    const ollama = await fake();
    const missing = await call(ollama, 'POST', '/api/generate', { model: 'nope' });
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({ error: 'model "nope" not found, try pulling it first' });

    const unloadMissing = await call(ollama, 'POST', '/api/generate', {
      model: 'x',
      keep_alive: 0,
    });
    expect(unloadMissing.status).toBe(404);
    const badKeepAlive = await call(ollama, 'POST', '/api/generate', {
      model: 'llama3.2',
      keep_alive: 'soon',
    });
    expect(badKeepAlive).toMatchObject({ status: 400 });
    expect(badKeepAlive.json()).toEqual({ error: 'time: invalid duration "soon"' });
    expect((await call(ollama, 'POST', '/api/generate')).json()).toEqual({
      error: 'missing request body',
    });
    expect((await call(ollama, 'GET', '/api/nothing')).status).toBe(404);
    expect((await call(ollama, 'POST', '/api/tags')).status).toBe(405);
  });

  it('streams a generate answer as NDJSON, or one object with stream: false', async () => {
    const ollama = await fake();
    const streamed = await call(ollama, 'POST', '/api/generate', {
      model: 'llama3.2',
      prompt: 'hi',
    });
    expect(streamed.type).toBe('application/x-ndjson');
    const chunks = ndjson(streamed.text);
    expect(chunks.at(-1)).toMatchObject({ done: true, done_reason: 'stop', response: '' });
    const answer = chunks.map((c) => c.response).join('');
    const single = await call(ollama, 'POST', '/api/generate', {
      model: 'llama3.2',
      prompt: 'hi',
      stream: false,
    });
    expect(single.json()).toMatchObject({ done: true, response: answer });
  });

  it('pulls with NDJSON progress: manifest, layers with increasing completed, verify, write, success', async () => {
    const ollama = await fake();
    const events: FakeOllamaEvent[] = [];
    ollama.onEvent((event) => events.push(event));
    const res = await call(ollama, 'POST', '/api/pull', { model: 'mistral' });
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/x-ndjson');
    const lines = ndjson(res.text) as unknown as PullProgress[];
    expect(lines[0]).toEqual({ status: 'pulling manifest' });
    expect(lines.slice(-3)).toEqual([
      { status: 'verifying sha256 digest' },
      { status: 'writing manifest' },
      { status: 'success' },
    ]);

    const layers = lines.slice(1, -3);
    const byDigest = new Map<string, PullProgress[]>();
    for (const line of layers) {
      expect(line.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(line.status).toBe(`pulling ${line.digest?.slice(7, 19)}`);
      byDigest.set(line.digest ?? '', [...(byDigest.get(line.digest ?? '') ?? []), line]);
    }
    expect(byDigest.size).toBeGreaterThan(1);
    let total = 0;
    for (const progress of byDigest.values()) {
      // Go's omitempty: the first line of a blob has no `completed`.
      const completed = progress.map((p) => p.completed ?? 0);
      expect(completed).toEqual([...completed].sort((a, b) => a - b));
      expect(completed[0]).toBe(0);
      expect(completed.at(-1)).toBe(progress[0]?.total);
      total += progress[0]?.total ?? 0;
    }
    const tags = (await call(ollama, 'GET', '/api/tags')).json() as {
      models: { name: string; size: number }[];
    };
    expect(tags.models.find((m) => m.name === 'mistral:latest')?.size).toBe(total);
    expect(events).toEqual([{ type: 'pulled', model: 'mistral:latest' }]);
  });

  it('pulls with stream: false as one {"status":"success"}', async () => {
    const ollama = await fake();
    const res = await call(ollama, 'POST', '/api/pull', { name: 'gemma2:2b', stream: false });
    expect(res.json()).toEqual({ status: 'success' });
    expect(ollama.models.map((m) => m.name)).toContain('gemma2:2b');
  });

  it('failNextPullAfter(n): n progress lines on a 200, then an {"error"} line; once', async () => {
    const ollama = await fake();
    ollama.failNextPullAfter(3, 'max retries exceeded: unexpected EOF');
    const failed = await call(ollama, 'POST', '/api/pull', { model: 'mistral' });
    expect(failed.status).toBe(200);
    const lines = ndjson(failed.text);
    expect(lines).toHaveLength(4);
    expect(lines.slice(0, 3).every((l) => typeof l.status === 'string')).toBe(true);
    expect(lines[3]).toEqual({ error: 'max retries exceeded: unexpected EOF' });
    expect(ollama.models.map((m) => m.name)).not.toContain('mistral:latest');

    const retried = await call(ollama, 'POST', '/api/pull', { model: 'mistral' });
    expect(ndjson(retried.text).at(-1)).toEqual({ status: 'success' });

    ollama.failNextPullAfter(0);
    const early = await call(ollama, 'POST', '/api/pull', { model: 'gemma2:2b' });
    expect(early.status).toBe(500);
    expect(early.json()).toEqual({ error: 'max retries exceeded: unexpected EOF' });
  });

  it('a pull of a name the registry does not have fails after "pulling manifest"', async () => {
    const ollama = await fake();
    const res = await call(ollama, 'POST', '/api/pull', { model: 'no-such-model' });
    expect(res.status).toBe(200);
    expect(ndjson(res.text)).toEqual([
      { status: 'pulling manifest' },
      { error: 'pull model manifest: file does not exist' },
    ]);
  });

  it('slowPull paces the progress lines', async () => {
    const ollama = await fake();
    ollama.slowPull(20);
    const startedAt = Date.now();
    const res = await call(ollama, 'POST', '/api/pull', { model: 'tinyllama' });
    expect(ndjson(res.text).length).toBeGreaterThan(10);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(200);
  });

  it('deletes an installed model (200, empty body) and answers 404 after', async () => {
    const ollama = await fake();
    const deleted = await call(ollama, 'DELETE', '/api/delete', { model: 'llama3.2' });
    expect(deleted).toMatchObject({ status: 200, text: '' });
    expect(ollama.models.map((m) => m.name)).not.toContain('llama3.2:latest');
    const again = await call(ollama, 'DELETE', '/api/delete', { model: 'llama3.2' });
    expect(again.status).toBe(404);
    expect(again.json()).toEqual({ error: "model 'llama3.2' not found" });
  });

  it('logs every request in `received`, and hooks can answer instead', async () => {
    const ollama = await fake();
    await call(ollama, 'GET', '/api/tags');
    await call(ollama, 'POST', '/api/generate', { model: 'llama3.2' });
    expect(ollama.received).toEqual([
      { at: isoTime, method: 'GET', path: '/api/tags', body: undefined },
      { at: isoTime, method: 'POST', path: '/api/generate', body: { model: 'llama3.2' } },
    ]);
    const remove = ollama.onRequest((req) =>
      req.path === '/api/ps' ? { status: 500, body: { error: 'scripted' } } : undefined,
    );
    expect((await call(ollama, 'GET', '/api/ps')).status).toBe(500);
    expect((await call(ollama, 'GET', '/api/tags')).status).toBe(200);
    remove();
    expect((await call(ollama, 'GET', '/api/ps')).status).toBe(200);
  });

  it('setModels replaces the installed models', async () => {
    const ollama = await fake();
    ollama.setModels([
      {
        name: 'phi3',
        size: 2_176_178_913,
        family: 'phi3',
        parameterSize: '3.8B',
        quantizationLevel: 'Q4_0',
      },
    ]);
    const tags = (await call(ollama, 'GET', '/api/tags')).json() as { models: { name: string }[] };
    expect(tags.models.map((m) => m.name)).toEqual(['phi3:latest']);
  });

  it('down() refuses connections (ECONNREFUSED) until up() on the same port', async () => {
    const ollama = await fake();
    const { port } = ollama;
    await ollama.down();
    const error = await fetch(`${ollama.url}/api/tags`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError & { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    await ollama.up();
    expect(ollama.port).toBe(port);
    expect((await call(ollama, 'GET', '/api/version')).status).toBe(200);
  });

  it('hang() accepts requests and never answers; up() answers new ones again', async () => {
    const ollama = await fake();
    ollama.hang();
    const outcome = await new Promise<string>((resolve) => {
      const req = request(`${ollama.url}/api/tags`, { timeout: 300 }, () => resolve('answered'));
      req.on('timeout', () => {
        req.destroy();
        resolve('timeout');
      });
      req.on('error', () => undefined);
      req.end();
    });
    expect(outcome).toBe('timeout');
    expect(ollama.received.map((r) => r.path)).toEqual(['/api/tags']);
    await ollama.up();
    expect((await call(ollama, 'GET', '/api/tags')).status).toBe(200);
  });

  it('linked to a fake GPU host, a load takes VRAM and shows a runner process', async () => {
    const ollama = await fake();
    const host = new FakeGpuHost({ gpus: 1, log: false });
    try {
      const unlink = linkOllamaToGpu(ollama, host);
      const before = host.scenario.gpus[0]?.memoryUsed;
      await call(ollama, 'POST', '/api/generate', { model: 'llama3.2' });
      const vram = Math.round((ollama.loaded[0]?.size_vram ?? 0) / 2 ** 20);
      expect(host.scenario.gpus[0]?.memoryUsed).toBe(Number(before) + vram);
      expect(host.scenario.gpus[0]?.processes).toEqual([
        { pid: expect.any(Number), name: '/usr/local/bin/ollama', usedMemory: vram },
      ]);
      await call(ollama, 'POST', '/api/generate', { model: 'llama3.2', keep_alive: 0 });
      expect(host.scenario.gpus[0]?.memoryUsed).toBe(before);
      expect(host.scenario.gpus[0]?.processes).toEqual([]);
      unlink();
    } finally {
      host.dispose();
    }
  });
});
