/**
 * Sign-in limits end to end, on a real server with an injected clock: failures counted per user
 * name and per address, 429 + Retry-After in the surface's shape before the password is checked
 * (the auth service's `login` / `verifyCredentials` is never reached), successes never counted,
 * a success clearing its name's failures, a burst of guesses checked one after another, a full
 * queue answered 503, refreshes limited per address, and the loopback exemption.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConfigInput } from '../../src/core/config';
import { ADMIN, call, startTestServer, type TestServer } from '../helpers/server';

const WINDOW_S = 900;
let t: TestServer | undefined;
let clock: number;

afterEach(async () => {
  vi.restoreAllMocks();
  await t?.close();
  t = undefined;
});

async function start(overrides: ConfigInput = {}): Promise<TestServer> {
  clock = Date.UTC(2026, 0, 17, 12, 0, 0);
  t = await startTestServer(
    {
      loginMaxFailuresPerUsername: 3,
      loginMaxFailuresPerIp: 5,
      loginFailureWindowSeconds: WINDOW_S,
      ...overrides,
    },
    { now: () => clock, monotonic: () => clock },
  );
  return t;
}

const tokenLogin = (server: TestServer, username: string, password: string) =>
  call(`${server.url}/api/v1/auth/token/`, { body: { username, password } });

describe('sign-in limits', () => {
  it('refuses a user name after its failures, before any password check, until the window ends', async () => {
    const server = await start();
    const login = vi.spyOn(server.server.auth, 'login');
    for (let i = 0; i < 3; i++) {
      expect((await tokenLogin(server, ADMIN.username, 'wrong')).status).toBe(400);
    }
    expect(login).toHaveBeenCalledTimes(3);

    // Even the right password is refused now, and it never reaches scrypt.
    const refused = await tokenLogin(server, ADMIN.username, ADMIN.password);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      message: `Too many failed sign-ins; try again in ${WINDOW_S} s`,
      status_code: 429,
      code: 'RATE_LIMITED',
    });
    expect(refused.headers.get('retry-after')).toBe(String(WINDOW_S));
    // User names are unique ignoring case: another spelling is the same counter.
    expect((await tokenLogin(server, 'ADMIN', 'guess')).status).toBe(429);
    expect(login).toHaveBeenCalledTimes(3);

    clock += 600_000;
    expect((await tokenLogin(server, ADMIN.username, 'x')).headers.get('retry-after')).toBe('300');
    clock += 300_000;
    expect((await tokenLogin(server, ADMIN.username, ADMIN.password)).status).toBe(200);
  });

  it('counts failures per address across user names, and never counts successes', async () => {
    const server = await start();
    await server.server.auth.createUser({
      username: 'tv',
      password: 'tv-password',
      role: 'device',
    });
    // A fleet signing in correctly, many times from one address: never refused.
    for (let i = 0; i < 12; i++) {
      expect((await tokenLogin(server, 'tv', 'tv-password')).status).toBe(200);
    }
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      expect((await tokenLogin(server, name, 'guess')).status).toBe(400);
    }
    const refused = await tokenLogin(server, 'tv', 'tv-password');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe(String(WINDOW_S));
  });

  it('clears a user name’s failures on success, but not its address’s', async () => {
    const server = await start();
    // Two typos and the right password, twice: the name (limit 3) never reaches its limit.
    for (let round = 0; round < 2; round++) {
      expect((await tokenLogin(server, ADMIN.username, 'typo')).status).toBe(400);
      expect((await tokenLogin(server, ADMIN.username, 'typo')).status).toBe(400);
      expect((await tokenLogin(server, ADMIN.username, ADMIN.password)).status).toBe(200);
    }
    // The address kept all four; a fifth failure reaches its limit (5).
    expect((await tokenLogin(server, ADMIN.username, 'typo')).status).toBe(400);
    expect((await tokenLogin(server, ADMIN.username, ADMIN.password)).status).toBe(429);
  });

  it('limits the browser session route the same way, in its own shape', async () => {
    const server = await start();
    const verify = vi.spyOn(server.server.auth, 'verifyCredentials');
    const session = (password: string) =>
      call(`${server.url}/api/v1/auth/session/`, { body: { ...ADMIN, password } });
    for (let i = 0; i < 3; i++) expect((await session('wrong')).status).toBe(400);
    const refused = await session(ADMIN.password);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(refused.headers.get('retry-after')).toBe(String(WINDOW_S));
    expect(verify).toHaveBeenCalledTimes(3);
    // Both routes share the counters: the token route is locked for this name too.
    expect((await tokenLogin(server, ADMIN.username, ADMIN.password)).status).toBe(429);
  });

  it('checks a burst of guesses sent at once one after another, so only the limit runs', async () => {
    const server = await start({ loginConcurrency: 1 });
    const login = vi.spyOn(server.server.auth, 'login');
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => tokenLogin(server, ADMIN.username, 'guess')),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([400, 400, 400, 429, 429, 429, 429, 429, 429, 429]);
    expect(login).toHaveBeenCalledTimes(3);
  });

  it('answers 503 + Retry-After when too many sign-ins wait for a password check', async () => {
    const server = await start({ loginConcurrency: 1, maxQueuedLogins: 1 });
    const original = server.server.auth.login.bind(server.server.auth);
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    vi.spyOn(server.server.auth, 'login').mockImplementationOnce(async (username, password) => {
      started();
      await held;
      return original(username, password);
    });
    const first = tokenLogin(server, ADMIN.username, ADMIN.password);
    await running;
    const second = tokenLogin(server, ADMIN.username, ADMIN.password);
    // The queue holds one: the third is refused at once while the first still runs.
    const third = await tokenLogin(server, ADMIN.username, ADMIN.password);
    expect(third.status).toBe(503);
    expect(third.body).toMatchObject({ status_code: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(third.headers.get('retry-after')).toBe('5');
    finish();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
  });

  it('limits failed refreshes per address; good refreshes are never counted', async () => {
    const server = await start();
    const pair = (await tokenLogin(server, ADMIN.username, ADMIN.password)).body as {
      refresh: string;
    };
    const refresh = (token: string) =>
      call(`${server.url}/api/v1/auth/token/refresh/`, { body: { refresh: token } });
    for (let i = 0; i < 8; i++) expect((await refresh(pair.refresh)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await refresh('not-a-token')).status).toBe(401);
    const refused = await refresh(pair.refresh);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'RATE_LIMITED', status_code: 429 });
    expect(refused.headers.get('retry-after')).toBe(String(WINDOW_S));
    // Counted apart from sign-ins: signing in still works.
    expect((await tokenLogin(server, ADMIN.username, ADMIN.password)).status).toBe(200);
  });

  it('exempts loopback only when configured', async () => {
    const server = await start({ rateLimitExemptLoopback: true });
    for (let i = 0; i < 8; i++) {
      expect((await tokenLogin(server, ADMIN.username, 'wrong')).status).toBe(400);
    }
    expect((await tokenLogin(server, ADMIN.username, ADMIN.password)).status).toBe(200);
  });
});
