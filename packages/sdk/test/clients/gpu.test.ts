/**
 * The GPU client against a small in-process server speaking seed 004: its WebSocket example as a
 * `{event, data}` frame, a malformed frame, the Flask-style error body, the token on both
 * transports and the inferred event types. The client against the real server and the simulated
 * GPU host is tested in packages/server/test/gpu/sdk-client.test.ts.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import { createGpuClient } from '../../src/clients/gpu';
import { MarqueeError } from '../../src/errors';
import type { ModelDownloadProgress, VramUpdate } from '../../src/protocol/gpu';
import type { InvalidMessage } from '../../src/transport/socket-types';
import { extractSeedExamples, readSeed } from '../helpers/seed-examples';
import { WAIT, onCleanup } from '../transport/helpers';

const examples = extractSeedExamples(readSeed('gpu'));
const seedStatus = examples[0]?.value;
const seedUpdate = examples[9]?.value;

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

async function startGpuServer(frames: readonly string[]) {
  const seen: Seen[] = [];
  const http = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body,
      });
      res.setHeader('content-type', 'application/json');
      if (req.url === '/api/vram/status') {
        res.end(JSON.stringify(seedStatus));
      } else if (req.url === '/api/models/ollama/load') {
        res.statusCode = 503;
        res.end(
          JSON.stringify({
            success: false,
            error: 'SERVICE_UNAVAILABLE',
            message: 'Ollama is not reachable',
          }),
        );
      } else if (req.url?.startsWith('/api/ollama/')) {
        res.end(JSON.stringify({ proxied: req.url }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ success: false, error: 'NOT_FOUND', message: 'no' }));
      }
    });
  });
  const wss = new WebSocketServer({ server: http, path: '/api/gpu/ws' });
  const sockets: string[] = [];
  wss.on('connection', (ws, req) => {
    sockets.push(req.url ?? '');
    for (const frame of frames) ws.send(frame);
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  onCleanup(async () => {
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  return { baseUrl: `http://127.0.0.1:${address.port}`, seen, sockets };
}

describe('GPU client', () => {
  it('emits the seed’s vram_update and a download progress as typed events', async () => {
    const progress = { model_name: 'llama2', progress: 42.5, status: 'downloading' };
    const server = await startGpuServer([
      JSON.stringify({ event: 'vram_update', data: seedUpdate }),
      JSON.stringify({ event: 'vram_update', data: { gpu: null } }),
      JSON.stringify({ event: 'model_download_progress', data: progress }),
    ]);
    const client = createGpuClient({
      baseUrl: server.baseUrl,
      token: () => 'display-token',
      network: false,
    });
    onCleanup(() => client.close());
    const updates: VramUpdate[] = [];
    const downloads: ModelDownloadProgress[] = [];
    const invalid: InvalidMessage[] = [];
    client.on('vram_update', (update) => {
      expectTypeOf(update).toEqualTypeOf<VramUpdate>();
      updates.push(update);
    });
    client.on('model_download_progress', (p) => {
      expectTypeOf(p.status).toEqualTypeOf<'downloading' | 'complete' | 'error'>();
      downloads.push(p);
    });
    client.on('invalid-message', (bad) => invalid.push(bad));
    client.connect();

    await vi.waitFor(() => expect(downloads).toHaveLength(1), WAIT);
    expect(updates).toEqual([seedUpdate]);
    expect(client.latest).toEqual(seedUpdate);
    expect(downloads).toEqual([progress]);
    expect(invalid[0]?.issues.map((i) => i.path.join('.'))).toContain('data.processes');
    expect(server.sockets).toEqual(['/api/gpu/ws?token=display-token']);
  });

  it('calls REST with the token, validates answers and reads the seed error body', async () => {
    const server = await startGpuServer([]);
    const client = createGpuClient({ baseUrl: `${server.baseUrl}/`, token: () => 'user-token' });
    expect(await client.vramStatus()).toEqual(seedStatus);
    expect(server.seen[0]).toMatchObject({
      method: 'GET',
      url: '/api/vram/status',
      authorization: 'Bearer user-token',
    });

    const error = await client.loadModel(' llama2 ', { keepAlive: '10m' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MarqueeError);
    expect(error).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
      message: 'Ollama is not reachable',
    });
    // Validated and trimmed before it was sent.
    expect(JSON.parse(server.seen[1]?.body ?? '')).toEqual({
      model_name: 'llama2',
      keep_alive: '10m',
    });
  });

  it('refuses a blank model name without a request', async () => {
    const server = await startGpuServer([]);
    const client = createGpuClient({ baseUrl: server.baseUrl });
    await expect(client.unloadModel('  ')).rejects.toMatchObject({ code: 'INVALID_MESSAGE' });
    expect(server.seen).toEqual([]);
  });

  it('calls the Ollama proxy with the proxy token, not the user token', async () => {
    const server = await startGpuServer([]);
    const client = createGpuClient({
      baseUrl: server.baseUrl,
      token: () => 'user-token',
      proxyToken: () => 'proxy-token',
    });
    const res = await client.ollamaProxy('/api/tags');
    expect(await res.json()).toEqual({ proxied: '/api/ollama/api/tags' });
    expect(server.seen[0]?.authorization).toBe('Bearer proxy-token');
  });
});
