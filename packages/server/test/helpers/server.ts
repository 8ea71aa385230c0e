/**
 * Starts a real Marquee server for a test: port 0 on 127.0.0.1, a fresh data directory with a
 * real SQLite file, a known admin, and a scripted system source so snapshots are deterministic.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type CreateServerOptions, type MarqueeServer } from '../../src/app';
import { loadConfig, type ConfigInput } from '../../src/core/config';
import type { SystemReading, SystemSource } from '../../src/core/sampler';

export const ADMIN = { username: 'admin', password: 'correct-horse-battery' } as const;

export interface TestServer {
  readonly server: MarqueeServer;
  readonly url: string;
  readonly wsUrl: string;
  readonly dataDir: string;
  readonly source: FakeSystemSource;
  close(): Promise<void>;
}

export class FakeSystemSource implements SystemSource {
  reads = 0;
  reading: SystemReading = {
    cpuPercent: 23.4,
    cpuTempC: 54.2,
    memUsedBytes: 1536 * 2 ** 20,
    memTotalBytes: 3648 * 2 ** 20,
    diskUsedBytes: 45.2e9,
    diskTotalBytes: 58e9,
    rxBytes: 1_000_000,
    txBytes: 100_000,
    uptimeSeconds: 442_800,
    loadAvg1: 0.45,
  };

  read(): Promise<SystemReading> {
    this.reads++;
    return Promise.resolve(this.reading);
  }
}

export async function startTestServer(
  overrides: ConfigInput = {},
  options: CreateServerOptions = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'marquee-test-'));
  const config = loadConfig({
    env: {},
    cwd: dataDir,
    overrides: {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      logLevel: 'silent',
      adminUsername: ADMIN.username,
      adminPassword: ADMIN.password,
      ...overrides,
    },
  });
  const source = new FakeSystemSource();
  const server = await createServer(config, {
    systemSource: source,
    validateResponses: true,
    ...options,
  });
  const url = await server.listen();
  return {
    server,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    dataDir,
    source,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** JSON request helper that returns status and parsed body. */
export async function call(
  url: string,
  init: {
    method?: string;
    token?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.rawBody !== undefined) {
    body = init.rawBody;
    headers['content-type'] ??= 'application/json';
  } else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(url, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON; keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export async function login(
  url: string,
  username: string = ADMIN.username,
  password: string = ADMIN.password,
): Promise<string> {
  const res = await call(`${url}/api/v1/auth/token/`, { body: { username, password } });
  if (res.status !== 200)
    throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { access: string }).access;
}
