/**
 * Runs examples/player-cli as a real child process against a real test server: its session is
 * listed by the server, a dashboard's pause reaches it and is acknowledged, a stop ends it, and a
 * wrong token exits 1.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { killExamples, runExample, untilOutput } from '../helpers/example-process';
import { call, login, startTestServer, type TestServer } from '../helpers/server';

let t: TestServer | undefined;

afterEach(async () => {
  killExamples();
  await t?.close();
  t = undefined;
});

async function operatorToken(server: TestServer): Promise<string> {
  await server.server.auth.createUser({
    username: 'operator',
    password: 'operator-password-1',
    role: 'operator',
  });
  return login(server.url, 'operator', 'operator-password-1');
}

describe('examples/player-cli', () => {
  it('reports its session, obeys a pause from a dashboard, and exits 0 when stopped', async () => {
    t = await startTestServer();
    const server = t;
    const token = await operatorToken(server);
    const run = runExample(
      'player-cli/main.ts',
      [server.url, '--id', 'cli-movie', '--title', 'The Matrix', '--duration', '8160'],
      { MARQUEE_TOKEN: token },
    );
    await untilOutput(run, () =>
      expect(run.stdout()).toContain('playing The Matrix as session cli-movie'),
    );
    await vi.waitFor(() =>
      expect(server.server.nowPlaying.tracker.get('cli-movie')?.session).toMatchObject({
        title: 'The Matrix',
        state: 'playing',
      }),
    );

    // The player's socket has claimed the session once it is registered: then commands reach it.
    await vi.waitFor(async () => {
      const paused = await call(`${server.url}/api/dashboard/session/cli-movie/control`, {
        token,
        body: { action: 'pause' },
      });
      expect(paused.status).toBe(200);
      expect(paused.body).toMatchObject({ acknowledged: true });
    });
    await untilOutput(run, () => expect(run.stdout()).toContain('pause (from the server)'));
    await vi.waitFor(() =>
      expect(server.server.nowPlaying.tracker.get('cli-movie')?.session.state).toBe('paused'),
    );

    const stopped = await call(`${server.url}/api/dashboard/session/cli-movie/control`, {
      token,
      body: { action: 'stop' },
    });
    expect(stopped.status).toBe(200);
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stdout()).toContain('stop (from the server)');
    await vi.waitFor(() =>
      expect(server.server.nowPlaying.tracker.get('cli-movie')).toBeUndefined(),
    );
  });

  it('ends its session after --seconds', async () => {
    t = await startTestServer();
    const token = await operatorToken(t);
    const run = runExample('player-cli/main.ts', [t.url, '--id', 'short', '--seconds', '1'], {
      MARQUEE_TOKEN: token,
    });
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stdout().trimEnd().split('\n')).toEqual([
      'playing Big Buck Bunny as session short',
      'ended',
    ]);
  });

  it('exits 1 naming the refusal when the token is wrong', async () => {
    t = await startTestServer();
    const run = runExample('player-cli/main.ts', [t.url, '--seconds', '1'], {
      MARQUEE_TOKEN: 'not-a-token',
    });
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(/UNAUTHORIZED|TOKEN/);
  });
});
