/**
 * The Now Playing session bounds against a real server: a new session past the per-user or the
 * total bound is refused with 429, Retry-After and the surface's `{detail, code}` body; updates
 * to live sessions always pass; a session that expires frees its slot.
 */
import { protocol } from '@marquee/sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { call, login, startTestServer, type TestServer } from '../helpers/server';

let t: TestServer;
let clock: number;

beforeEach(async () => {
  clock = Date.UTC(2026, 0, 17, 12, 0, 0);
  t = await startTestServer(
    { sessionTtlSeconds: 30, maxSessionsPerUser: 2, maxSessions: 3 },
    { now: () => clock, monotonic: () => clock },
  );
});
afterEach(async () => {
  await t.close();
});

async function userToken(username: string): Promise<string> {
  await t.server.auth.createUser({ username, password: 'viewer-password-1', role: 'operator' });
  return login(t.url, username, 'viewer-password-1');
}

const post = (token: string, sessionId: string, currentTime = 10) =>
  call(`${t.url}/api/dashboard/session/update`, {
    token,
    body: {
      session_id: sessionId,
      title: 'The Matrix',
      current_time: currentTime,
      duration: 100,
      state: 'playing',
    },
  });

describe('Now Playing session bounds', () => {
  it('answers 429 with Retry-After past MARQUEE_MAX_SESSIONS_PER_USER; updates still pass', async () => {
    const ann = await userToken('ann');
    expect((await post(ann, 'a1')).status).toBe(200);
    expect((await post(ann, 'a2')).status).toBe(200);
    const refused = await post(ann, 'a3');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(protocol.nowPlaying.NowPlayingError.parse(refused.body)).toMatchObject({
      code: 'RATE_LIMITED',
      detail: expect.stringContaining('MARQUEE_MAX_SESSIONS_PER_USER'),
    });
    expect((await post(ann, 'a2', 20)).status).toBe(200);
    expect(t.server.nowPlaying.tracker.list().map((s) => s.session.session_id)).toEqual([
      'a1',
      'a2',
    ]);

    // Past the TTL the sweeper ends both; the user may start new ones.
    clock += 31_000;
    await vi.waitFor(() => expect(t.server.nowPlaying.tracker.list()).toHaveLength(0));
    expect((await post(ann, 'a3')).status).toBe(200);
  });

  it('answers 429 past MARQUEE_MAX_SESSIONS whoever asks', async () => {
    const ann = await userToken('ann');
    const bob = await userToken('bob');
    expect((await post(ann, 'a1')).status).toBe(200);
    expect((await post(ann, 'a2')).status).toBe(200);
    expect((await post(bob, 'b1')).status).toBe(200);
    const refused = await post(bob, 'b2');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      code: 'RATE_LIMITED',
      detail: expect.stringContaining('MARQUEE_MAX_SESSIONS)'),
    });
    const stopped = await call(`${t.url}/api/dashboard/session/a1/stop`, {
      token: ann,
      method: 'POST',
    });
    expect(stopped.status).toBe(200);
    expect((await post(bob, 'b2')).status).toBe(200);
  });
});
