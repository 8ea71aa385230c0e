import { protocol } from '@marquee/sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { call, login, startTestServer, type TestServer } from '../helpers/server';

const { HistoryResponse } = protocol.history;

let t: TestServer;
let clock: number;
const START = Date.UTC(2026, 0, 17, 20, 0, 0);

beforeEach(async () => {
  clock = START;
  t = await startTestServer(
    { sessionTtlSeconds: 30 },
    { now: () => clock, monotonic: () => clock },
  );
});
afterEach(async () => {
  await t.close();
});

async function userToken(username: string): Promise<{ token: string; id: number }> {
  const user = await t.server.auth.createUser({
    username,
    password: 'viewer-password-1',
    role: 'operator',
  });
  return { token: await login(t.url, username, 'viewer-password-1'), id: user.userId };
}

async function play(token: string, sessionId: string, currentTime: number, title = sessionId) {
  const res = await call(`${t.url}/api/dashboard/session/update`, {
    token,
    body: {
      session_id: sessionId,
      title,
      media_type: 'movie',
      current_time: currentTime,
      duration: 7200,
      state: 'playing',
    },
  });
  expect(res.status).toBe(200);
}

async function stop(token: string, sessionId: string) {
  const res = await call(`${t.url}/api/dashboard/session/${sessionId}/stop`, {
    token,
    method: 'POST',
  });
  expect(res.status).toBe(200);
}

async function history(token: string | undefined, query = '') {
  const res = await call(`${t.url}/api/dashboard/history${query}`, { token });
  return { ...res, page: res.status === 200 ? HistoryResponse.parse(res.body) : undefined };
}

/** Waits until the store holds `count` finished sessions (history is written after the reply). */
async function settled(count: number) {
  await vi.waitFor(async () =>
    expect(await t.server.store.sessionHistory.list({ limit: 1000 })).toHaveLength(count),
  );
}

describe('GET /api/dashboard/history', () => {
  it('lists finished sessions newest first with watched seconds and end reason', async () => {
    const alice = await userToken('alice');
    await play(alice.token, 'matrix', 100, 'The Matrix');
    clock += 30_000;
    await play(alice.token, 'matrix', 130, 'The Matrix');
    clock += 20_000;
    await play(alice.token, 'matrix', 150, 'The Matrix');
    clock += 5_000;
    await stop(alice.token, 'matrix');

    clock += 60_000;
    await play(alice.token, 'dune', 0, 'Dune');
    clock += 10_000;
    await play(alice.token, 'dune', 10, 'Dune');
    clock += 30_000;
    t.server.nowPlaying.sweep();
    await settled(2);

    const res = await history(alice.token);
    expect(res.status).toBe(200);
    expect(res.page?.next_before).toBeNull();
    expect(res.page?.sessions).toEqual([
      {
        session_id: 'dune',
        user_id: alice.id,
        username: 'alice',
        title: 'Dune',
        media_type: 'movie',
        started_at: new Date(START + 115_000).toISOString(),
        ended_at: new Date(START + 155_000).toISOString(),
        watched_seconds: 10,
        end_reason: 'expired',
      },
      {
        session_id: 'matrix',
        user_id: alice.id,
        username: 'alice',
        title: 'The Matrix',
        media_type: 'movie',
        started_at: new Date(START).toISOString(),
        ended_at: new Date(START + 55_000).toISOString(),
        watched_seconds: 50,
        end_reason: 'stopped',
      },
    ]);
  });

  it('pages with before / next_before, and never splits sessions that ended together', async () => {
    const alice = await userToken('alice');
    for (const id of ['s1', 's2', 's3']) {
      await play(alice.token, id, 0);
      clock += 1_000;
      await stop(alice.token, id);
    }
    // Three sessions ending in the same sweep share one instant.
    for (const id of ['t1', 't2', 't3']) await play(alice.token, id, 0);
    clock += 30_000;
    t.server.nowPlaying.sweep();
    clock += 1_000;
    await play(alice.token, 'last', 0);
    clock += 1_000;
    await stop(alice.token, 'last');
    await settled(7);

    for (const limit of [1, 2, 3, 4, 50]) {
      const seen: string[] = [];
      const endedAt: string[] = [];
      let before: string | null | undefined;
      for (let pages = 0; pages < 20; pages++) {
        const query = `?limit=${limit}${before ? `&before=${encodeURIComponent(before)}` : ''}`;
        const res = await history(alice.token, query);
        expect(res.status).toBe(200);
        const page = res.page ?? { sessions: [], next_before: null };
        seen.push(...page.sessions.map((s) => s.session_id));
        endedAt.push(...page.sessions.map((s) => s.ended_at));
        before = page.next_before;
        if (before === null) break;
        expect(page.sessions.length).toBeGreaterThan(0);
      }
      expect(before, `limit ${limit} reaches the last page`).toBeNull();
      expect([...seen].sort(), `limit ${limit}`).toEqual(
        ['last', 's1', 's2', 's3', 't1', 't2', 't3'].sort(),
      );
      expect(seen[0]).toBe('last');
      expect(endedAt).toEqual([...endedAt].sort().reverse());
    }

    const two = await history(alice.token, '?limit=2');
    expect(two.page?.sessions.map((s) => s.session_id)).toEqual(['last']);
    const tied = await history(
      alice.token,
      `?limit=2&before=${encodeURIComponent(two.page?.next_before ?? '')}`,
    );
    expect(tied.page?.sessions.map((s) => s.session_id).sort()).toEqual(['t1', 't2', 't3']);
  });

  it('accepts a before with an offset and compares it as an instant', async () => {
    const alice = await userToken('alice');
    await play(alice.token, 'early', 0);
    clock += 1_000;
    await stop(alice.token, 'early'); // ended 20:00:01Z
    clock += 60_000;
    await play(alice.token, 'late', 0);
    clock += 1_000;
    await stop(alice.token, 'late'); // ended 20:01:02Z
    await settled(2);
    const res = await history(
      alice.token,
      `?before=${encodeURIComponent('2026-01-17T21:01:00+01:00')}`,
    );
    expect(res.page?.sessions.map((s) => s.session_id)).toEqual(['early']);
  });

  it("viewers, operators and admins see everyone's sessions or filter by user_id; devices are refused", async () => {
    const alice = await userToken('alice');
    const bob = await userToken('bob');
    const admin = await login(t.url);
    await t.server.auth.createUser({
      username: 'vera',
      password: 'viewer-password-1',
      role: 'viewer',
    });
    const viewer = await login(t.url, 'vera', 'viewer-password-1');
    await t.server.auth.createUser({
      username: 'tv',
      password: 'device-password-1',
      role: 'device',
    });
    const device = await login(t.url, 'tv', 'device-password-1');
    await play(alice.token, 'a1', 0);
    await play(bob.token, 'b1', 0);
    clock += 1_000;
    await stop(alice.token, 'a1');
    clock += 1_000;
    await stop(bob.token, 'b1');
    await settled(2);

    for (const reader of [alice.token, viewer]) {
      expect((await history(reader)).page?.sessions.map((s) => s.session_id)).toEqual(['b1', 'a1']);
      expect(
        (await history(reader, `?user_id=${alice.id}`)).page?.sessions.map((s) => s.user_id),
      ).toEqual([alice.id]);
    }
    const forbidden = await history(device);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ code: 'FORBIDDEN', detail: expect.any(String) });

    expect((await history(admin)).page?.sessions.map((s) => s.session_id)).toEqual(['b1', 'a1']);
    expect(
      (await history(admin, `?user_id=${bob.id}`)).page?.sessions.map((s) => s.session_id),
    ).toEqual(['b1']);
  });

  it('no token → 401; a display token → 403', async () => {
    const none = await history(undefined);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ code: 'UNAUTHORIZED', detail: expect.any(String) });

    const admin = await login(t.url);
    const display = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token: admin,
      body: { name: 'panel' },
    });
    expect((await history((display.body as { token: string }).token)).status).toBe(403);
  });

  it.each([
    ['limit=0', 'query.limit'],
    ['limit=501', 'query.limit'],
    ['limit=ten', 'query.limit'],
    ['before=yesterday', 'query.before'],
    ['user_id=0', 'query.user_id'],
  ])('%s → 400 naming the field', async (query, field) => {
    const alice = await userToken('alice');
    const res = await history(alice.token, `?${query}`);
    expect(res.status).toBe(400);
    expect((res.body as { detail: string }).detail).toContain(field);
  });
});
