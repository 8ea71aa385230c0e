/**
 * The Ollama proxy (`/api/ollama/{path}`) over real sockets to the fake Ollama: pass-through of
 * JSON and NDJSON streams, PROXY_AUTH_ENABLED / PROXY_AUTH_TOKEN (401), MAX_PROXY_REQUEST_SIZE
 * (413, declared or streamed), PROXY_TIMEOUT_SECONDS (504) and Ollama down (503).
 */
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { call } from '../helpers/server';
import { startGpuServer, type GpuTestServer } from '../helpers/gpu-host';

let g: GpuTestServer | undefined;
afterEach(async () => {
  await g?.close();
  g = undefined;
});

const PROXY_TOKEN = 'proxy-token-for-tests-0123456789';

describe('open proxy (PROXY_AUTH_ENABLED=false, the default)', () => {
  it('passes Ollama’s answers through, JSON and streamed NDJSON alike', async () => {
    g = await startGpuServer();
    const tags = await call(`${g.t.url}/api/ollama/api/tags`);
    expect(tags.status).toBe(200);
    expect(tags.body).toEqual({ models: g.ollama.models });

    const res = await fetch(`${g.t.url}/api/ollama/api/pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tinyllama' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { status: string });
    expect(lines[0]).toEqual({ status: 'pulling manifest' });
    expect(lines.at(-1)).toEqual({ status: 'success' });
    expect(g.ollama.received.at(-1)).toMatchObject({
      method: 'POST',
      path: '/api/pull',
      body: { model: 'tinyllama' },
    });
  });

  it('passes Ollama’s own errors and methods through', async () => {
    g = await startGpuServer();
    const missing = await call(`${g.t.url}/api/ollama/api/delete`, {
      method: 'DELETE',
      body: { model: 'no-such-model' },
    });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: "model 'no-such-model' not found" });
    const head = await fetch(`${g.t.url}/api/ollama/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect((await call(`${g.t.url}/api/ollama/api/version`)).body).toEqual({ version: '0.6.8' });
  });

  it('never leaves OLLAMA_HOST, whatever the path', async () => {
    g = await startGpuServer();
    const res = await call(`${g.t.url}/api/ollama/http://example.com/api/tags`);
    expect(res.status).toBe(404);
    expect(g.ollama.received.at(-1)?.path).toBe('/http://example.com/api/tags');
  });

  it('answers 503 in the GPU error shape while Ollama is down', async () => {
    g = await startGpuServer();
    await g.ollama.down();
    const res = await call(`${g.t.url}/api/ollama/api/tags`);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ success: false, error: 'SERVICE_UNAVAILABLE' });
  });
});

describe('guarded proxy', () => {
  it('requires the proxy token when PROXY_AUTH_ENABLED is true', async () => {
    g = await startGpuServer({ proxyAuthEnabled: true, proxyAuthToken: PROXY_TOKEN });
    const none = await call(`${g.t.url}/api/ollama/api/tags`);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ success: false, error: 'UNAUTHORIZED' });
    const wrong = await call(`${g.t.url}/api/ollama/api/tags`, { token: `${PROXY_TOKEN}x` });
    expect(wrong.status).toBe(401);
    // A user's token is not the proxy token.
    expect((await call(`${g.t.url}/api/ollama/api/tags`, { token: g.token })).status).toBe(401);
    const right = await call(`${g.t.url}/api/ollama/api/tags`, { token: PROXY_TOKEN });
    expect(right.status).toBe(200);
  });

  it('refuses bodies over MAX_PROXY_REQUEST_SIZE with 413, declared or streamed', async () => {
    g = await startGpuServer({ maxProxyRequestSize: 1024 });
    const pulls = () => g?.ollama.received.filter((r) => r.path === '/api/pull').length;
    const declared = await call(`${g.t.url}/api/ollama/api/pull`, {
      body: { model: 'tinyllama', padding: 'x'.repeat(2000) },
    });
    expect(declared.status).toBe(413);
    expect(declared.body).toMatchObject({ success: false, error: 'PAYLOAD_TOO_LARGE' });

    const chunk = new TextEncoder().encode('x'.repeat(600));
    const streamed = await fetch(`${g.t.url}/api/ollama/api/pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(chunk);
          controller.enqueue(chunk);
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(pulls()).toBe(0);

    const small = await call(`${g.t.url}/api/ollama/api/pull`, {
      body: { model: 'tinyllama', stream: false },
    });
    expect(small.status).toBe(200);
  });

  it('does not cut off a long answer that keeps streaming, only silence', async () => {
    g = await startGpuServer({ proxyTimeoutSeconds: 0.5 });
    // Each line 150 ms apart: the whole pull takes well over the 0.5 s limit.
    g.ollama.slowPull(150);
    const started = Date.now();
    const res = await fetch(`${g.t.url}/api/ollama/api/pull`, {
      method: 'POST',
      body: JSON.stringify({ model: 'tinyllama' }),
    });
    const lines = (await res.text()).trim().split('\n');
    expect(Date.now() - started).toBeGreaterThan(1000);
    expect(JSON.parse(lines.at(-1) ?? '')).toEqual({ status: 'success' });
  });

  it('stops Ollama’s work when the client goes away mid-stream', async () => {
    g = await startGpuServer();
    g.ollama.slowPull(100);
    // node:http without an agent: the client's socket is the one the test closes (fetch's pool
    // would open a spare connection after the abort, which would hold up the server's shutdown).
    const url = new URL(`${g.t.url}/api/ollama/api/pull`);
    const request = httpRequest(url, { method: 'POST', agent: false });
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      request.once('response', resolve).once('error', reject).end('{"model":"tinyllama"}');
    });
    await once(response, 'data');
    request.destroy();
    // The fake finishes a pull only if its response stays open to the end (about 1.3 s).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(g.ollama.models.map((m) => m.name)).not.toContain('tinyllama:latest');
  });

  it('answers 504 when Ollama does not answer within PROXY_TIMEOUT_SECONDS', async () => {
    g = await startGpuServer({ proxyTimeoutSeconds: 0.3 });
    g.ollama.hang();
    const started = Date.now();
    const res = await call(`${g.t.url}/api/ollama/api/tags`);
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({ success: false, error: 'UPSTREAM_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
