import { protocol } from '@marquee/sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { ADMIN, call, login, startTestServer, type TestServer } from '../helpers/server';

const { Snapshot, StatsResponse } = protocol.nowPlaying;

let t: TestServer;
let clock: number;

beforeEach(async () => {
  clock = Date.UTC(2026, 0, 17, 12, 0, 0);
  t = await startTestServer(
    { sessionTtlSeconds: 30 },
    { now: () => clock, monotonic: () => clock },
  );
});
afterEach(async () => {
  await t.close();
});

async function userToken(
  username = 'viewer',
  role: 'operator' | 'admin' = 'operator',
): Promise<string> {
  await t.server.auth.createUser({ username, password: 'viewer-password-1', role });
  return login(t.url, username, 'viewer-password-1');
}

const update = (over: Record<string, unknown> = {}) => ({
  session_id: 'unique-session-id',
  path: '/data/movies/matrix.mp4',
  title: 'The Matrix',
  media_type: 'movie',
  current_time: 1234.5,
  duration: 5678.9,
  state: 'playing',
  poster_url: '/api/media/poster/matrix.jpg',
  username: 'John',
  ...over,
});

function openSocket(path = '/api/dashboard/ws'): Promise<{ ws: WebSocket; messages: unknown[] }> {
  const ws = new WebSocket(`${t.wsUrl}${path}`);
  const messages: unknown[] = [];
  ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8'))));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages }));
    ws.once('error', reject);
  });
}

describe('GET /api/dashboard/stats (no auth)', () => {
  it('returns the seed system block with true bits per second', async () => {
    const first = await call(`${t.url}/api/dashboard/stats`);
    expect(first.status).toBe(200);
    const stats = StatsResponse.parse(first.body);
    expect(stats).toMatchObject({
      cpu_percent: 23.4,
      cpu_temp: 54.2,
      ram_used_mb: 1536,
      ram_total_mb: 3648,
    });
    expect(stats.active_users).toBe(0);
  });
});

describe('auth matrix on GET /api/dashboard/now-playing', () => {
  const path = '/api/dashboard/now-playing';

  it('no token → 401 in FastAPI shape', async () => {
    const res = await call(`${t.url}${path}`);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ detail: expect.any(String), code: 'UNAUTHORIZED' });
  });

  it('bad token → 401', async () => {
    expect((await call(`${t.url}${path}`, { token: 'garbage' })).status).toBe(401);
  });

  it('expired token → 401 "Token has expired"', async () => {
    const token = await login(t.url);
    clock += 3601 * 1000;
    const res = await call(`${t.url}${path}`, { token });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ detail: 'Token has expired', code: 'TOKEN_EXPIRED' });
  });

  it('user, admin, cookie and a now-playing display token → 200; a display token for another scope → 403', async () => {
    const admin = await login(t.url);
    const user = await userToken();
    for (const token of [admin, user]) {
      const res = await call(`${t.url}${path}`, { token });
      expect(res.status).toBe(200);
      expect(Snapshot.safeParse(res.body).success).toBe(true);
    }
    const display = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token: admin,
      body: { name: 'hallway panel' },
    });
    expect(display.status).toBe(201);
    const displayToken = (display.body as { token: string }).token;
    expect((await call(`${t.url}${path}`, { token: displayToken })).status).toBe(200);

    const gpuOnly = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token: admin,
      body: { name: 'gpu', scopes: ['gpu'] },
    });
    expect(
      (await call(`${t.url}${path}`, { token: (gpuOnly.body as { token: string }).token })).status,
    ).toBe(403);

    const session = await fetch(`${t.url}/api/v1/auth/session/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    expect(session.status).toBe(200);
    const cookie = session.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/marquee_session=mqs_[^;]+;.*HttpOnly/i);
    const byCookie = await call(`${t.url}${path}`, {
      headers: { cookie: cookie.split(';')[0] ?? '' },
    });
    expect(byCookie.status).toBe(200);
  });

  it('a revoked display token is refused at once', async () => {
    const admin = await login(t.url);
    const created = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token: admin,
      body: { name: 'mirror' },
    });
    const { id, token } = created.body as { id: string; token: string };
    expect((await call(`${t.url}${path}`, { token })).status).toBe(200);
    expect(
      (
        await call(`${t.url}/api/v1/admin/display-tokens/${id}/`, {
          method: 'DELETE',
          token: admin,
        })
      ).status,
    ).toBe(204);
    expect((await call(`${t.url}${path}`, { token })).status).toBe(401);
  });
});

describe('POST /api/dashboard/session/update', () => {
  it('stores the session and the snapshot shows it', async () => {
    const token = await userToken();
    const res = await call(`${t.url}/api/dashboard/session/update`, { token, body: update() });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', session_id: 'unique-session-id' });
    const snap = Snapshot.parse((await call(`${t.url}/api/dashboard/now-playing`, { token })).body);
    expect(snap.sessions).toHaveLength(1);
    expect(snap.sessions[0]).toMatchObject({
      session_id: 'unique-session-id',
      title: 'The Matrix',
      username: 'John',
      state: 'playing',
      current_time: 1234.5,
      progress_percent: 21.7,
    });
    expect(snap.system.active_users).toBe(1);
  });

  it.each([
    ['no token', undefined, 401],
    ['a bad token', 'nope', 401],
  ])('%s → %i', async (_what, token, status) => {
    expect(
      (await call(`${t.url}/api/dashboard/session/update`, { token, body: update() })).status,
    ).toBe(status);
  });

  it('a display token cannot post updates (403)', async () => {
    const admin = await login(t.url);
    const created = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token: admin,
      body: { name: 'p' },
    });
    const res = await call(`${t.url}/api/dashboard/session/update`, {
      token: (created.body as { token: string }).token,
      body: update(),
    });
    expect(res.status).toBe(403);
  });

  it.each([
    ['malformed JSON', { rawBody: '{"session_id": "x",' }, 'Malformed JSON'],
    ['a wrong type', { body: update({ current_time: 'soon' }) }, 'body.current_time'],
    ['an unknown state', { body: update({ state: 'rewinding' }) }, 'body.state'],
    ['a missing session_id', { body: { ...update(), session_id: undefined } }, 'body.session_id'],
    ['an array body', { body: [update()] }, 'Invalid body'],
  ])('rejects %s with 400 and a clear message, storing nothing', async (_what, init, message) => {
    const token = await userToken();
    const res = await call(`${t.url}/api/dashboard/session/update`, { token, ...init });
    expect(res.status).toBe(400);
    expect((res.body as { detail: string }).detail).toContain(message);
    expect(t.server.nowPlaying.tracker.list()).toHaveLength(0);
  });

  it('ignores unknown fields', async () => {
    const token = await userToken();
    const res = await call(`${t.url}/api/dashboard/session/update`, {
      token,
      body: update({ volume: 11 }),
    });
    expect(res.status).toBe(200);
    expect(t.server.nowPlaying.tracker.get('unique-session-id')?.session).not.toHaveProperty(
      'volume',
    );
  });

  it('an oversize body → 413, nothing stored', async () => {
    const token = await userToken();
    const res = await call(`${t.url}/api/dashboard/session/update`, {
      token,
      body: update({ title: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect((res.body as { detail: string }).detail).toMatch(/too large/i);
    expect(t.server.nowPlaying.tracker.list()).toHaveLength(0);
  });

  it("another user's session → 403", async () => {
    const alice = await userToken('alice');
    const bob = await userToken('bob');
    await call(`${t.url}/api/dashboard/session/update`, { token: alice, body: update() });
    const res = await call(`${t.url}/api/dashboard/session/update`, {
      token: bob,
      body: update({ title: 'Hijack' }),
    });
    expect(res.status).toBe(403);
    expect(t.server.nowPlaying.tracker.get('unique-session-id')?.session.title).toBe('The Matrix');
  });
});

describe('POST /api/dashboard/session/{id}/stop', () => {
  it('owner → the seed response; the session is gone and recorded in history', async () => {
    const token = await userToken();
    await call(`${t.url}/api/dashboard/session/update`, { token, body: update() });
    clock += 10_000;
    const res = await call(`${t.url}/api/dashboard/session/unique-session-id/stop`, {
      token,
      method: 'POST',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', message: 'Session stopped' });
    expect(t.server.nowPlaying.tracker.list()).toHaveLength(0);
    await vi.waitFor(async () => {
      const history = await t.server.store.sessionHistory.list({ limit: 10 });
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({
        sessionId: 'unique-session-id',
        title: 'The Matrix',
        endReason: 'stopped',
      });
    });
  });

  it('unknown id → 404, other user → 403, admin → 200', async () => {
    const alice = await userToken('alice');
    const bob = await userToken('bob');
    const admin = await login(t.url);
    expect(
      (await call(`${t.url}/api/dashboard/session/nope/stop`, { token: alice, method: 'POST' }))
        .status,
    ).toBe(404);
    await call(`${t.url}/api/dashboard/session/update`, { token: alice, body: update() });
    const other = await call(`${t.url}/api/dashboard/session/unique-session-id/stop`, {
      token: bob,
      method: 'POST',
    });
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ code: 'FORBIDDEN' });
    expect(
      (
        await call(`${t.url}/api/dashboard/session/unique-session-id/stop`, {
          token: admin,
          method: 'POST',
        })
      ).status,
    ).toBe(200);
  });

  it('no token → 401', async () => {
    expect((await call(`${t.url}/api/dashboard/session/x/stop`, { method: 'POST' })).status).toBe(
      401,
    );
  });
});

describe('WS /api/dashboard/ws', () => {
  it('sends a snapshot on connect and immediately when a session changes', async () => {
    const { ws, messages } = await openSocket();
    await vi.waitFor(() => expect(messages.length).toBeGreaterThanOrEqual(1));
    expect(Snapshot.parse(messages[0]).sessions).toEqual([]);
    const token = await userToken();
    const before = messages.length;
    await call(`${t.url}/api/dashboard/session/update`, { token, body: update() });
    await vi.waitFor(() => {
      const last = Snapshot.parse(messages.at(-1));
      expect(messages.length).toBeGreaterThan(before);
      expect(last.sessions.map((s) => s.session_id)).toEqual(['unique-session-id']);
    });
    ws.close();
  });

  it('a session with no update for 30 s disappears, and subscribers see it go', async () => {
    const token = await userToken();
    await call(`${t.url}/api/dashboard/session/update`, { token, body: update() });
    const { ws, messages } = await openSocket();
    await vi.waitFor(() => expect(Snapshot.parse(messages.at(-1)).sessions).toHaveLength(1));
    clock += 29_000;
    t.server.nowPlaying.sweep();
    expect(t.server.nowPlaying.tracker.list()).toHaveLength(1);
    clock += 1_000;
    await vi.waitFor(() => expect(Snapshot.parse(messages.at(-1)).sessions).toHaveLength(0), {
      timeout: 5000,
    });
    const history = await t.server.store.sessionHistory.list({ limit: 10 });
    expect(history[0]?.endReason).toBe('expired');
    ws.close();
  });

  it('broadcasts on the sampler interval with one sample for many subscribers', async () => {
    await t.close();
    t = await startTestServer({ sampleIntervalMs: 100 });
    const sockets = await Promise.all(Array.from({ length: 20 }, () => openSocket()));
    const readsBefore = t.source.reads;
    await vi.waitFor(() => expect(sockets.every((s) => s.messages.length >= 4)).toBe(true), {
      timeout: 5000,
    });
    // 20 subscribers, a handful of intervals: reads track intervals, not subscribers.
    expect(t.source.reads - readsBefore).toBeLessThan(20);
    for (const s of sockets) s.ws.close();
  });
});

describe('WS access policy "token"', () => {
  it('refuses without a display token, accepts one, and closes it when revoked', async () => {
    await t.close();
    t = await startTestServer({ nowPlayingWsAuth: 'token' });
    await expect(openSocket()).rejects.toThrow(/401/);
    const admin = await login(t.url);
    const created = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token: admin,
      body: { name: 'panel' },
    });
    const { id, token } = created.body as { id: string; token: string };
    const { ws, messages } = await openSocket(`/api/dashboard/ws?token=${token}`);
    await vi.waitFor(() => expect(messages.length).toBeGreaterThan(0));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await call(`${t.url}/api/v1/admin/display-tokens/${id}/`, { method: 'DELETE', token: admin });
    expect(await closed).toBe(protocol.CloseCodes.UNAUTHORIZED);
  });
});

describe('unknown routes', () => {
  it('answer 404 in the surface error shape', async () => {
    const res = await call(`${t.url}/api/dashboard/nothing`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({
      detail: expect.stringContaining('No route'),
      code: 'NOT_FOUND',
    });
  });
});
