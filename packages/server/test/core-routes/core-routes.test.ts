import { protocol } from '@marquee/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, call, login, startTestServer, type TestServer } from '../helpers/server';

let t: TestServer;
let clock: number;

beforeEach(async () => {
  clock = Date.UTC(2026, 0, 17, 12, 0, 0);
  t = await startTestServer({}, { now: () => clock });
});
afterEach(async () => {
  await t.close();
});

describe('seed 002 token endpoints (one identity for every surface)', () => {
  it('login answers the AuthModel; bad credentials 400 in {message, status_code}', async () => {
    const ok = await call(`${t.url}/api/v1/auth/token/`, { body: ADMIN });
    expect(ok.status).toBe(200);
    expect(protocol.signage.AuthModel.parse(ok.body).expires_in).toBe(3600);

    const bad = await call(`${t.url}/api/v1/auth/token/`, {
      body: { ...ADMIN, password: 'wrong' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      message: 'Invalid username or password',
      status_code: 400,
      code: 'INVALID_CREDENTIALS',
    });

    const missing = await call(`${t.url}/api/v1/auth/token/`, { body: { username: 'admin' } });
    expect(missing.status).toBe(400);
    expect((missing.body as { message: string }).message).toContain('body.password');
  });

  it('refresh rotates the pair; a bad or access token is 401', async () => {
    const pair = protocol.signage.AuthModel.parse(
      (await call(`${t.url}/api/v1/auth/token/`, { body: ADMIN })).body,
    );
    const refreshed = await call(`${t.url}/api/v1/auth/token/refresh/`, {
      body: { refresh: pair.refresh },
    });
    expect(refreshed.status).toBe(200);
    const next = protocol.signage.AuthModel.parse(refreshed.body);
    expect((await call(`${t.url}/api/v1/auth/me/`, { token: next.access })).status).toBe(200);

    for (const refresh of ['garbage', pair.access]) {
      const res = await call(`${t.url}/api/v1/auth/token/refresh/`, { body: { refresh } });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ status_code: 401 });
    }
    clock += 8 * 24 * 3600 * 1000;
    expect(
      (await call(`${t.url}/api/v1/auth/token/refresh/`, { body: { refresh: next.refresh } }))
        .status,
    ).toBe(401);
  });
});

describe('display tokens (admin API)', () => {
  it('create, list without secrets, revoke; 404 for an unknown id', async () => {
    const admin = await login(t.url);
    const created = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token: admin,
      body: { name: 'Hallway panel', scopes: ['now-playing', 'gpu'] },
    });
    expect(created.status).toBe(201);
    const token = protocol.core.CreatedDisplayToken.parse(created.body);
    expect(token.token).toMatch(/^mqd_/);

    const list = await call(`${t.url}/api/v1/admin/display-tokens/`, { token: admin });
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(token.token);
    expect((list.body as { tokens: unknown[] }).tokens).toHaveLength(1);

    const me = await call(`${t.url}/api/v1/auth/me/`, { token: token.token });
    expect(me.body).toEqual({
      kind: 'display',
      name: 'Hallway panel',
      scopes: ['now-playing', 'gpu'],
    });

    expect(
      (
        await call(`${t.url}/api/v1/admin/display-tokens/${token.id}/`, {
          method: 'DELETE',
          token: admin,
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await call(`${t.url}/api/v1/admin/display-tokens/${token.id}/`, {
          method: 'DELETE',
          token: admin,
        })
      ).status,
    ).toBe(204);
    expect(
      (await call(`${t.url}/api/v1/admin/display-tokens/nope/`, { method: 'DELETE', token: admin }))
        .status,
    ).toBe(404);
    const after = await call(`${t.url}/api/v1/admin/display-tokens/`, { token: admin });
    expect(
      (after.body as { tokens: Array<{ revoked_at: string | null }> }).tokens[0]?.revoked_at,
    ).not.toBeNull();
  });

  it('refuses non-admins (403), display tokens (403) and anonymous callers (401); validates the body', async () => {
    await t.server.auth.createUser({
      username: 'viewer',
      password: 'viewer-password-1',
      role: 'operator',
    });
    const user = await login(t.url, 'viewer', 'viewer-password-1');
    const admin = await login(t.url);
    const display = protocol.core.CreatedDisplayToken.parse(
      (await call(`${t.url}/api/v1/admin/display-tokens/`, { token: admin, body: { name: 'x' } }))
        .body,
    ).token;
    const url = `${t.url}/api/v1/admin/display-tokens/`;
    expect((await call(url, { token: user, body: { name: 'x' } })).status).toBe(403);
    expect((await call(url, { token: display, body: { name: 'x' } })).status).toBe(403);
    expect((await call(url, { body: { name: 'x' } })).status).toBe(401);
    const badScope = await call(url, { token: admin, body: { name: 'x', scopes: ['root'] } });
    expect(badScope.status).toBe(400);
    expect((badScope.body as { message: string }).message).toContain('body.scopes.0');
    expect((await call(url, { token: admin, body: { name: '   ' } })).status).toBe(400);
  });
});

describe('browser session cookie', () => {
  it('logs in, identifies the caller, logs out (cookie no longer valid)', async () => {
    const res = await fetch(`${t.url}/api/v1/auth/session/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    expect(res.status).toBe(200);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^marquee_session=/);
    const me = await call(`${t.url}/api/v1/auth/me/`, { headers: { cookie } });
    expect(me.body).toEqual({ kind: 'user', username: 'admin', role: 'admin' });
    const out = await call(`${t.url}/api/v1/auth/session/`, {
      method: 'DELETE',
      headers: { cookie },
    });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/marquee_session=;/);
    expect((await call(`${t.url}/api/v1/auth/me/`, { headers: { cookie } })).status).toBe(401);
  });

  it('bad credentials → 400, nothing set', async () => {
    const res = await fetch(`${t.url}/api/v1/auth/session/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...ADMIN, password: 'nope' }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

describe('GET /healthz', () => {
  it('answers ok with version and store', async () => {
    const res = await call(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(protocol.core.Health.parse(res.body)).toMatchObject({ status: 'ok', store: 'sqlite' });
  });
});
