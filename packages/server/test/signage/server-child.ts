/**
 * `marquee start` from source as a real child process on a data directory, for the restart
 * tests: they SIGKILL it (no graceful shutdown, no WAL checkpoint) and start it again.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { expect, vi } from 'vitest';
import { cleanEnv, repoRoot } from '../helpers/cli';
import { call } from '../helpers/server';

export interface ServerChild {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly wsUrl: string;
}

export const CHILD_PASSWORD = 'restart-test-password';

/** Starts the server on `dataDir` (port 0) with `env` added; resolves once it listens. */
export async function startServerChild(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<ServerChild> {
  const child = spawn(
    process.execPath,
    ['--conditions=@marquee/source', '--import', 'tsx', 'packages/server/src/cli.ts', 'start'],
    {
      cwd: repoRoot,
      env: cleanEnv({
        PORT: '0',
        HOST: '127.0.0.1',
        MARQUEE_DATA_DIR: dataDir,
        DASHBOARD_AUTH_USERNAME: 'admin',
        DASHBOARD_AUTH_PASSWORD: CHILD_PASSWORD,
        LOG_LEVEL: 'warn',
        ...env,
      }),
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await vi.waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`server exited:\n${output}`);
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (!match?.[1]) throw new Error(`not listening yet:\n${output}`);
      return match[1];
    },
    { timeout: 60_000, interval: 100 },
  );
  return { child, url, wsUrl: url.replace(/^http/, 'ws') };
}

/** SIGKILL; resolves once the process is gone. */
export async function killServerChild(server: ServerChild): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGKILL');
  await exited;
}

/** The first admin's access token. */
export async function adminToken(url: string): Promise<string> {
  const res = await call(`${url}/api/v1/auth/token/`, {
    body: { username: 'admin', password: CHILD_PASSWORD },
  });
  expect(res.status).toBe(200);
  return (res.body as { access: string }).access;
}
