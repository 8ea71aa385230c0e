/**
 * A real Marquee server for a benchmark, in this process: 127.0.0.1, port 0, a temporary data
 * directory, a known admin, and a counting fake system source (what the upstream paid). Fleet and
 * storm benchmarks start theirs the same way (storm in a child process, to SIGKILL it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createServer,
  loadConfig,
  type ConfigInput,
  type CreateServerOptions,
  type MarqueeServer,
} from '@marquee/server';

type SystemSource = NonNullable<CreateServerOptions['systemSource']>;
type SystemReading = Awaited<ReturnType<SystemSource['read']>>;

const ADMIN = { username: 'bench', password: 'bench-password-not-secret' } as const;

/** Fixed readings; `reads` counts what the server asked of the upstream. */
export class CountingSystemSource implements SystemSource {
  reads = 0;
  readonly reading: SystemReading = {
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
    this.reads += 1;
    return Promise.resolve(this.reading);
  }
}

export interface BenchServer {
  readonly server: MarqueeServer;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly source: CountingSystemSource;
  /** An access token of the bench admin. */
  login(): Promise<string>;
  /** POSTs JSON with the token; throws unless 200. */
  post(path: string, token: string, body: unknown): Promise<unknown>;
  close(): Promise<void>;
}

export async function startBenchServer(overrides: ConfigInput = {}): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'marquee-bench-'));
  const config = loadConfig({
    env: {},
    cwd: dataDir,
    overrides: {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      logLevel: 'warn',
      adminUsername: ADMIN.username,
      adminPassword: ADMIN.password,
      ...overrides,
    },
  });
  const source = new CountingSystemSource();
  const server = await createServer(config, { systemSource: source });
  const url = await server.listen();
  const post = async (path: string, token: string, body: unknown): Promise<unknown> => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`POST ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as unknown;
  };
  return {
    server,
    url,
    source,
    async login() {
      const res = await fetch(`${url}/api/v1/auth/token/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ADMIN),
      });
      if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
      return ((await res.json()) as { access: string }).access;
    },
    post,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
