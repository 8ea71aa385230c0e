/**
 * Accounts on a real server: the admin API for users (create with a generated or chosen
 * password, list, get, change role/password/disabled, delete), one's own password, the last
 * admin kept, and revocation: a disabled, demoted, re-passworded or deleted user loses every
 * token, session and open socket at once.
 */
import { protocol } from '@marquee/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { call, login, startTestServer, type TestServer } from '../helpers/server';

const USERS = '/api/v1/admin/users/';

let t: TestServer;
let admin: string;

beforeEach(async () => {
  t = await startTestServer();
  admin = await t.login();
});
afterEach(() => t.close());

async function createUser(body: Record<string, unknown>): Promise<protocol.core.CreatedUser> {
  const res = await call(`${t.url}${USERS}`, { token: admin, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return protocol.core.CreatedUser.parse(res.body);
}

async function tokenPair(username: string, password: string) {
  const res = await call(`${t.url}/api/v1/auth/token/`, { body: { username, password } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return protocol.signage.AuthModel.parse(res.body);
}

const me = (token: string) => call(`${t.url}/api/v1/auth/me/`, { token });

/** A GPU socket opened with `token`; resolves once open, with its close code to come. */
function openSocket(token: string): Promise<{ closed: Promise<number> }> {
  const socket = new WebSocket(`${t.wsUrl}/api/gpu/ws?token=${encodeURIComponent(token)}`);
  const closed = new Promise<number>((resolve) => socket.once('close', resolve));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ closed }));
    socket.once('error', reject);
  });
}

describe('the users admin API', () => {
  it('creates a user with a generated password shown once, or with the given one', async () => {
    const viewer = await createUser({ username: 'vera', role: 'viewer' });
    expect(viewer).toMatchObject({ username: 'vera', role: 'viewer', disabled: false });
    expect(viewer.password).toMatch(/^\S{24}$/);
    expect((await me((await tokenPair('vera', viewer.password ?? '')).access)).body).toEqual({
      kind: 'user',
      username: 'vera',
      role: 'viewer',
    });

    const tv = await createUser({ username: 'lobby-tv', role: 'device', password: 'tv-secret-1' });
    expect(tv.password).toBeUndefined();
    await tokenPair('lobby-tv', 'tv-secret-1');

    const got = await call(`${t.url}${USERS}${tv.id}/`, { token: admin });
    expect(got.body).toEqual({ ...tv, disabled_at: null });
    expect(JSON.stringify(got.body)).not.toContain('tv-secret-1');

    const list = await call(`${t.url}${USERS}`, { token: admin });
    expect(protocol.core.UserList.parse(list.body)).toMatchObject({
      count: 3,
      results: [{ username: 'admin' }, { username: 'vera' }, { username: 'lobby-tv' }],
    });
    const devices = await call(`${t.url}${USERS}?role=device`, { token: admin });
    expect(devices.body).toMatchObject({ count: 1, results: [{ username: 'lobby-tv' }] });
  });

  it('answers junk with 400, a taken name with 409, an unknown id with 404', async () => {
    for (const body of [
      { username: 'has space', role: 'viewer' },
      { username: 'ok', role: 'superuser' },
      { username: 'ok', role: 'viewer', password: 'short' },
      { username: '', role: 'viewer' },
      { username: 'x'.repeat(151), role: 'viewer' },
    ]) {
      const res = await call(`${t.url}${USERS}`, { token: admin, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ status_code: 400 });
    }
    await createUser({ username: 'ann', role: 'viewer' });
    const taken = await call(`${t.url}${USERS}`, {
      token: admin,
      body: { username: 'ANN', role: 'operator' },
    });
    expect(taken.status).toBe(409);
    expect((await call(`${t.url}${USERS}999/`, { token: admin })).status).toBe(404);
    expect((await call(`${t.url}${USERS}abc/`, { token: admin })).status).toBe(400);
    const empty = await call(`${t.url}${USERS}1/`, { token: admin, method: 'PATCH', body: {} });
    expect(empty.status).toBe(400);
    expect((await call(`${t.url}${USERS}?role=root`, { token: admin })).status).toBe(400);
  });

  it('is for admins only: an operator and a viewer get 403, nobody 401', async () => {
    const operator = await createUser({
      username: 'op',
      role: 'operator',
      password: 'op-secret-1',
    });
    const token = (await tokenPair('op', 'op-secret-1')).access;
    expect(operator.role).toBe('operator');
    expect((await call(`${t.url}${USERS}`, { token })).status).toBe(403);
    const promote = await call(`${t.url}${USERS}${operator.id}/`, {
      token,
      method: 'PATCH',
      body: { role: 'admin' },
    });
    expect(promote.status).toBe(403);
    expect((await call(`${t.url}${USERS}`)).status).toBe(401);
  });

  it('never removes, demotes or disables the last active admin (409)', async () => {
    const first = 1;
    for (const [method, body] of [
      ['PATCH', { role: 'operator' }],
      ['PATCH', { disabled: true }],
      ['DELETE', undefined],
    ] as const) {
      const res = await call(`${t.url}${USERS}${first}/`, { token: admin, method, body });
      expect(res.status, `${method} ${JSON.stringify(body)}`).toBe(409);
      expect(res.body).toMatchObject({
        code: 'CONFLICT',
        message: 'admin is the last active admin',
      });
    }
    const second = await createUser({ username: 'root2', role: 'admin' });
    const demoted = await call(`${t.url}${USERS}${first}/`, {
      token: admin,
      method: 'PATCH',
      body: { role: 'operator' },
    });
    expect(demoted.status).toBe(200);
    const last = await call(`${t.url}${USERS}${second.id}/`, {
      token: (await tokenPair('root2', second.password ?? '')).access,
      method: 'DELETE',
    });
    expect(last.status).toBe(409);
  });
});

describe('revocation', () => {
  it('disabling revokes access and refresh tokens and closes sockets at once; enabling lets the user sign in again', async () => {
    const user = await createUser({ username: 'vera', role: 'viewer', password: 'viewer-secret' });
    const pair = await tokenPair('vera', 'viewer-secret');
    const socket = await openSocket(pair.access);
    expect((await me(pair.access)).status).toBe(200);

    const disabled = await call(`${t.url}${USERS}${user.id}/`, {
      token: admin,
      method: 'PATCH',
      body: { disabled: true },
    });
    expect(disabled.body).toMatchObject({ disabled: true, disabled_at: expect.any(String) });
    expect(await socket.closed).toBe(protocol.CloseCodes.UNAUTHORIZED);
    expect((await me(pair.access)).status).toBe(401);
    const refresh = await call(`${t.url}/api/v1/auth/token/refresh/`, {
      body: { refresh: pair.refresh },
    });
    expect(refresh.status).toBe(401);
    const signIn = await call(`${t.url}/api/v1/auth/token/`, {
      body: { username: 'vera', password: 'viewer-secret' },
    });
    expect(signIn.status).toBe(400);
    expect(signIn.body).toMatchObject({ message: 'This account is disabled' });
    // A wrong password never learns that the account is disabled.
    const wrong = await call(`${t.url}/api/v1/auth/token/`, {
      body: { username: 'vera', password: 'guess-guess' },
    });
    expect(wrong.body).toMatchObject({ message: 'Invalid username or password' });

    await call(`${t.url}${USERS}${user.id}/`, {
      token: admin,
      method: 'PATCH',
      body: { disabled: false },
    });
    expect((await me((await tokenPair('vera', 'viewer-secret')).access)).status).toBe(200);
    // Tokens from before the account was disabled stay revoked.
    expect((await me(pair.access)).status).toBe(401);
  });

  it('a role change revokes the old tokens (a demoted operator cannot keep acting)', async () => {
    const user = await createUser({ username: 'op', role: 'operator', password: 'op-secret-1' });
    const before = (await tokenPair('op', 'op-secret-1')).access;
    await call(`${t.url}${USERS}${user.id}/`, {
      token: admin,
      method: 'PATCH',
      body: { role: 'viewer' },
    });
    expect((await me(before)).status).toBe(401);
    const after = (await tokenPair('op', 'op-secret-1')).access;
    expect((await me(after)).body).toMatchObject({ role: 'viewer' });
  });

  it('deleting a user closes its sockets and those of the display tokens it created', async () => {
    const other = await createUser({ username: 'root2', role: 'admin', password: 'admin-secret' });
    const token = (await tokenPair('root2', 'admin-secret')).access;
    const created = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token,
      body: { name: 'hall', scopes: ['gpu'] },
    });
    const display = (created.body as { token: string }).token;
    const displaySocket = await openSocket(display);
    const userSocket = await openSocket(token);
    const adminSocket = await openSocket(admin);

    const res = await call(`${t.url}${USERS}${other.id}/`, { token: admin, method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await displaySocket.closed).toBe(protocol.CloseCodes.UNAUTHORIZED);
    expect(await userSocket.closed).toBe(protocol.CloseCodes.UNAUTHORIZED);
    expect((await me(token)).status).toBe(401);
    expect((await me(display)).status).toBe(401);
    expect((await call(`${t.url}${USERS}${other.id}/`, { token: admin })).status).toBe(404);
    // Nobody else was touched.
    const stillOpen = await Promise.race([
      adminSocket.closed.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 200)),
    ]);
    expect(stillOpen).toBe(true);
  });
});

describe('POST /api/v1/auth/password/', () => {
  it('changes the password, revokes other tokens and sessions, keeps the browser session that asked', async () => {
    await createUser({ username: 'vera', role: 'viewer', password: 'old-password' });
    const pair = await tokenPair('vera', 'old-password');
    const signIn = async () => {
      const res = await fetch(`${t.url}/api/v1/auth/session/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'vera', password: 'old-password' }),
      });
      return /marquee_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? '';
    };
    const [asking, other] = [await signIn(), await signIn()];
    const withCookie = (cookie: string) =>
      call(`${t.url}/api/v1/auth/me/`, { headers: { cookie: `marquee_session=${cookie}` } });

    const wrong = await call(`${t.url}/api/v1/auth/password/`, {
      headers: { cookie: `marquee_session=${asking}`, origin: t.url },
      body: { current_password: 'not-it', new_password: 'new-password' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ message: 'The current password is wrong' });
    const short = await call(`${t.url}/api/v1/auth/password/`, {
      token: pair.access,
      body: { current_password: 'old-password', new_password: 'short' },
    });
    expect(short.status).toBe(400);

    const changed = await call(`${t.url}/api/v1/auth/password/`, {
      headers: { cookie: `marquee_session=${asking}`, origin: t.url },
      body: { current_password: 'old-password', new_password: 'new-password' },
    });
    expect(changed.status).toBe(204);
    expect((await withCookie(asking)).status).toBe(200);
    expect((await withCookie(other)).status).toBe(401);
    expect((await me(pair.access)).status).toBe(401);
    await tokenPair('vera', 'new-password');
    const old = await call(`${t.url}/api/v1/auth/token/`, {
      body: { username: 'vera', password: 'old-password' },
    });
    expect(old.status).toBe(400);
  });

  it('refuses display tokens (403) and nobody (401)', async () => {
    const created = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token: admin,
      body: { name: 'hall' },
    });
    const display = (created.body as { token: string }).token;
    const body = { current_password: 'x', new_password: 'new-password' };
    expect((await call(`${t.url}/api/v1/auth/password/`, { token: display, body })).status).toBe(
      403,
    );
    expect((await call(`${t.url}/api/v1/auth/password/`, { body })).status).toBe(401);
  });

  it('a device account may change its own password', async () => {
    await createUser({ username: 'tv', role: 'device', password: 'tv-password-1' });
    const token = (await tokenPair('tv', 'tv-password-1')).access;
    const res = await call(`${t.url}/api/v1/auth/password/`, {
      token,
      body: { current_password: 'tv-password-1', new_password: 'tv-password-2' },
    });
    expect(res.status).toBe(204);
    expect(await login(t.url, 'tv', 'tv-password-2')).toEqual(expect.any(String));
  });
});
