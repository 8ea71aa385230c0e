/**
 * A real Marquee server wired to a simulated GPU host: the fake nvidia-smi (a real child process
 * on every sample, reading a FakeGpuHost's scenario) and the fake Ollama on a real socket, linked
 * so a loaded model takes VRAM on GPU 0. Plus a socket helper for `/api/gpu/ws`.
 */
import {
  FakeGpuHost,
  SCENARIO_ENV,
  createFakeOllama,
  fakeNvidiaSmiPath,
  linkOllamaToGpu,
  type FakeGpuHostOptions,
  type FakeOllama,
} from '@marquee/simulators';
import { protocol } from '@marquee/sdk';
import { vi } from 'vitest';
import WebSocket from 'ws';
import type { ConfigInput } from '../../src/core/config';
import type { TestServerOptions } from '../../src/testing';
import { call, login, startTestServer, type TestServer } from './server';

export interface GpuTestServer {
  readonly t: TestServer;
  readonly host: FakeGpuHost;
  readonly ollama: FakeOllama;
  /** An admin's access token. */
  readonly token: string;
  close(): Promise<void>;
}

export async function startGpuServer(
  overrides: ConfigInput = {},
  hostOptions: FakeGpuHostOptions = { gpus: 2 },
  serverOptions: TestServerOptions = {},
): Promise<GpuTestServer> {
  const host = new FakeGpuHost(hostOptions);
  // The server's nvidia-smi children inherit the environment: point the fake at this host.
  vi.stubEnv(SCENARIO_ENV, host.scenarioPath);
  const ollama = await createFakeOllama();
  const unlink = linkOllamaToGpu(ollama, host);
  const t = await startTestServer(
    {
      nvidiaSmiPath: fakeNvidiaSmiPath,
      ollamaHost: ollama.url,
      gpuSampleIntervalMs: 500,
      ...overrides,
    },
    serverOptions,
  );
  const token = await login(t.url);
  return {
    t,
    host,
    ollama,
    token,
    async close() {
      await t.close();
      unlink();
      await ollama.close();
      host.dispose();
      vi.unstubAllEnvs();
    },
  };
}

/** A display token for `scopes`, created through the admin API. */
export async function displayToken(g: GpuTestServer, scopes: string[]): Promise<string> {
  const res = await call(`${g.t.url}/api/v1/admin/display-tokens/`, {
    token: g.token,
    body: { name: `display ${scopes.join(',')}`, scopes },
  });
  if (res.status !== 201 && res.status !== 200) {
    throw new Error(`display token: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return (res.body as { token: string }).token;
}

export interface GpuSocket {
  readonly ws: WebSocket;
  /** Every frame so far, validated. */
  readonly frames: protocol.gpu.GpuServerMessage[];
  ofEvent<E extends protocol.gpu.GpuServerMessage['event']>(
    event: E,
  ): Extract<protocol.gpu.GpuServerMessage, { event: E }>['data'][];
  close(): Promise<void>;
}

/** Opens `/api/gpu/ws` with `token` (query parameter); rejects with the refusal's status. */
export function openGpuSocket(wsUrl: string, token?: string): Promise<GpuSocket> {
  const url = `${wsUrl}/api/gpu/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  const ws = new WebSocket(url);
  const frames: protocol.gpu.GpuServerMessage[] = [];
  ws.on('message', (data: Buffer) => {
    frames.push(protocol.gpu.GpuServerMessage.parse(JSON.parse(data.toString('utf8'))));
  });
  const socket: GpuSocket = {
    ws,
    frames,
    ofEvent: (event) => frames.filter((f) => f.event === event).map((f) => f.data) as never,
    close: () =>
      new Promise((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`refused: ${res.statusCode}`));
      ws.terminate();
    });
    ws.once('error', reject);
  });
}
