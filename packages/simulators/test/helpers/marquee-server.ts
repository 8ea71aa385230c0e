/**
 * A real Marquee server for the simulators' tests: port 0 on 127.0.0.1, a fresh data directory,
 * a known admin and a scripted system source (the simulators' src never imports the server; only
 * tests do, through the workspace devDependency).
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

export const ADMIN = { username: 'admin', password: 'correct-horse-battery' } as const;

/** Fixed readings, counted: `reads` is what the upstream paid. */
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

export interface TestMarquee {
  readonly server: MarqueeServer;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly source: FakeSystemSource;
  /** An access token of the admin user (controls playback). */
  login(): Promise<string>;
  /** Posts a session update as the admin (what a web player sends). */
  playSession(token: string, update: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function startMarquee(overrides: ConfigInput = {}): Promise<TestMarquee> {
  const dataDir = mkdtempSync(join(tmpdir(), 'marquee-sim-test-'));
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
  const server = await createServer(config, { systemSource: source });
  const url = await server.listen();
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
    async playSession(token, update) {
      const res = await fetch(`${url}/api/dashboard/session/update`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(update),
      });
      if (res.status !== 200)
        throw new Error(`session update failed: ${res.status} ${await res.text()}`);
    },
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
