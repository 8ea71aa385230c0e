/**
 * `@marquee/server/testing`: a real Marquee server for tests and benchmarks. It listens on port 0
 * of 127.0.0.1 with a fresh temporary data directory (a real SQLite file), a known admin and a
 * counting, scripted system source, so snapshots are deterministic and what the upstream paid
 * can be counted. The server's own tests, the simulators' tests and `bench/` all start theirs
 * here; `close()` stops the server and removes the directory.
 *
 * Not for production: the admin password is fixed and the data directory is thrown away.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type CreateServerOptions, type MarqueeServer } from './app';
import { loadConfig, type ConfigInput } from './core/config';
import type { SystemReading, SystemSource } from './core/sampler';

/** The admin account every test server is created with (unless `admin` says otherwise). */
export const TEST_ADMIN = { username: 'admin', password: 'correct-horse-battery' } as const;

/** Fixed readings, counted: `reads` is how often the server asked the upstream. */
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

/** Signs `account` in on the server at `url` (`POST /api/v1/auth/token/`); its access token. */
export async function login(
  url: string,
  account: { readonly username: string; readonly password: string },
): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/token/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: account.username, password: account.password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access: string }).access;
}

export interface TestServerOptions extends CreateServerOptions {
  /** The first admin's credentials. @default TEST_ADMIN */
  readonly admin?: { readonly username: string; readonly password: string };
  /** Prefix of the temporary data directory's name. @default 'marquee-test-' */
  readonly dataDirPrefix?: string;
  /**
   * An existing data directory to use instead of a temporary one; `close()` leaves it in place,
   * so a second server can start on the same data (a restart).
   * @default undefined (a fresh temporary directory, removed on close)
   */
  readonly dataDir?: string;
}

export interface TestServer {
  readonly server: MarqueeServer;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `ws://127.0.0.1:<port>` */
  readonly wsUrl: string;
  readonly dataDir: string;
  /** The system source the server reads (unless `systemSource` was given). */
  readonly source: FakeSystemSource;
  readonly admin: { readonly username: string; readonly password: string };
  /** A fresh access token of the admin. */
  login(): Promise<string>;
  /** Stops the server and removes its data directory (unless it was given). */
  close(): Promise<void>;
}

/**
 * Starts a server. `overrides` are config values over the test defaults (port 0, 127.0.0.1, the
 * temporary directory, log level `silent`, the admin); `options` go to `createServer`.
 */
export async function startTestServer(
  overrides: ConfigInput = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const {
    admin = TEST_ADMIN,
    dataDirPrefix = 'marquee-test-',
    dataDir: givenDataDir,
    ...serverOptions
  } = options;
  const temporary = givenDataDir === undefined;
  const dataDir = givenDataDir ?? mkdtempSync(join(tmpdir(), dataDirPrefix));
  const removeDataDir = () => {
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const config = loadConfig({
      env: {},
      cwd: dataDir,
      overrides: {
        port: 0,
        host: '127.0.0.1',
        dataDir,
        logLevel: 'silent',
        adminUsername: admin.username,
        adminPassword: admin.password,
        ...overrides,
      },
    });
    const source = new FakeSystemSource();
    const server = await createServer(config, { systemSource: source, ...serverOptions });
    const url = await server.listen();
    return {
      server,
      url,
      wsUrl: url.replace(/^http/, 'ws'),
      dataDir,
      source,
      admin,
      login: () => login(url, admin),
      async close() {
        await server.close();
        removeDataDir();
      },
    };
  } catch (error) {
    removeDataDir();
    throw error;
  }
}
