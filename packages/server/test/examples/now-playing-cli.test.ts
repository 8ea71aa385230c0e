/**
 * Runs examples/now-playing-cli as a real child process (Node + tsx on the SDK's sources) against
 * a real test server, the way a user runs it, and checks what it prints.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { killExamples, runExample, untilOutput, type ExampleRun } from '../helpers/example-process';
import { call, login, startTestServer, type TestServer } from '../helpers/server';

let t: TestServer | undefined;

afterEach(async () => {
  killExamples();
  await t?.close();
  t = undefined;
});

function cli(args: readonly string[], env: Record<string, string> = {}): ExampleRun {
  return runExample('now-playing-cli/main.ts', args, env);
}

async function postSession(server: TestServer, over: Record<string, unknown> = {}): Promise<void> {
  await server.server.auth.createUser({
    username: 'viewer',
    password: 'viewer-password-1',
    role: 'operator',
  });
  const token = await login(server.url, 'viewer', 'viewer-password-1');
  const res = await call(`${server.url}/api/dashboard/session/update`, {
    token,
    body: {
      session_id: 'unique-session-id',
      title: 'The Matrix',
      media_type: 'movie',
      current_time: 1234.5,
      duration: 5678.9,
      state: 'playing',
      username: 'John',
      ...over,
    },
  });
  expect(res.status).toBe(200);
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return address.port;
}

describe('examples/now-playing-cli', () => {
  it('--once prints one line per session and exits 0', async () => {
    t = await startTestServer();
    await postSession(t);
    const run = cli([t.url, '--once']);
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stdout()).toBe('> John: The Matrix [movie] 20:34 / 1:34:38 (21.7%)\n');
  });

  it('streams changes until it is stopped, reading the URL and token from the environment', async () => {
    t = await startTestServer({ nowPlayingWsAuth: 'token' });
    const admin = await login(t.url);
    const created = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token: admin,
      body: { name: 'terminal' },
    });
    const run = cli([], {
      MARQUEE_URL: t.url,
      MARQUEE_TOKEN: (created.body as { token: string }).token,
    });
    await untilOutput(run, () => expect(run.stdout()).toBe('Nothing playing\n'));
    await postSession(t, { state: 'paused' });
    await untilOutput(run, () =>
      expect(run.stdout()).toBe(
        'Nothing playing\n|| John: The Matrix [movie] 20:34 / 1:34:38 (21.7%)\n',
      ),
    );
    expect(run.stderr()).toContain(`[open] ${t.url}`);
  });

  it('--once exits 1 with a message when no snapshot arrives in time', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = cli([url, '--once', '--timeout', '300']);
    expect(await run.exited).toBe(1);
    expect(run.stdout()).toBe('');
    expect(run.stderr()).toContain(`No snapshot from ${url} within 300 ms`);
  });
});
