/**
 * The Origin check for the session cookie, with real requests and sockets: cookie-authenticated
 * state-changing requests and WebSocket upgrades pass from the server's own origin (also behind
 * a trusted proxy's X-Forwarded-Host), from a listed CORS origin and without Origin (non-browser
 * clients); they are refused with 403 in the surface's shape from any other origin, `null`
 * included; bearer tokens and `?token=` are unaffected; reads are not checked.
 */
import { protocol } from '@marquee/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/core/config';
import { createOriginCheck } from '../../src/core/origin';
import { ADMIN, call, login, startTestServer, type TestServer } from '../helpers/server';
import { terminateUpgrades, tryUpgrade } from '../helpers/upgrade';

const EVIL = 'https://evil.example';
const APP = 'https://app.example.com';
const WS_PATH = protocol.nowPlaying.nowPlayingChannels[0].path;
let t: TestServer | undefined;

afterEach(async () => {
  terminateUpgrades();
  await t?.close();
  t = undefined;
});

async function start(overrides: ConfigInput = {}): Promise<{ server: TestServer; cookie: string }> {
  t = await startTestServer({ corsOrigins: APP, nowPlayingWsAuth: 'token', ...overrides });
  const res = await call(`${t.url}/api/v1/auth/session/`, { body: ADMIN });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  expect(cookie).toMatch(/^marquee_session=./);
  return { server: t, cookie };
}

/** Creates a display token (an admin POST) with these headers. */
const createToken = (server: TestServer, headers: Record<string, string>, token?: string) =>
  call(`${server.url}/api/v1/admin/display-tokens/`, {
    body: { name: 'kitchen', scopes: ['now-playing'] },
    headers,
    ...(token === undefined ? {} : { token }),
  });

const OPEN = { open: true };
const REFUSAL =
  'Cross-origin request refused: this origin may not use the session cookie (see MARQUEE_CORS_ORIGINS)';

describe('Origin check on cookie-authenticated state changes', () => {
  it('passes the own origin, listed origins and clients without Origin; refuses others', async () => {
    const { server, cookie } = await start();
    expect((await createToken(server, { cookie, origin: server.url })).status).toBe(201);
    expect((await createToken(server, { cookie, origin: APP })).status).toBe(201);
    expect((await createToken(server, { cookie })).status).toBe(201);

    const foreign = await createToken(server, { cookie, origin: EVIL });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toEqual({ message: REFUSAL, status_code: 403, code: 'FORBIDDEN' });
    expect((await createToken(server, { cookie, origin: 'null' })).status).toBe(403);
    // Same host, another port: another origin.
    const otherPort = server.url.replace(/:\d+$/, ':1');
    expect((await createToken(server, { cookie, origin: otherPort })).status).toBe(403);
    // Logging out is a state change too.
    const logout = await call(`${server.url}/api/v1/auth/session/`, {
      method: 'DELETE',
      headers: { cookie, origin: EVIL },
    });
    expect(logout.status).toBe(403);
    expect((await call(`${server.url}/api/v1/auth/me/`, { headers: { cookie } })).status).toBe(200);

    // Reads are not checked (CORS keeps a foreign page from reading the answer).
    const read = await call(`${server.url}/api/v1/admin/display-tokens/`, {
      headers: { cookie, origin: EVIL },
    });
    expect(read.status).toBe(200);
    // Nothing was created by the refused requests: three tokens, from the three passes.
    expect((read.body as { tokens: unknown[] }).tokens).toHaveLength(3);
  });

  it('leaves bearer tokens alone, whatever the Origin', async () => {
    const { server, cookie } = await start();
    const token = await login(server.url);
    expect((await createToken(server, { origin: EVIL }, token)).status).toBe(201);
    // A bearer token beside the cookie is the credential used: not a cookie request.
    expect((await createToken(server, { cookie, origin: EVIL }, token)).status).toBe(201);
  });

  it('compares with X-Forwarded-Host only from a trusted proxy', async () => {
    const proxied = {
      origin: 'https://marquee.example.com',
      'x-forwarded-host': 'marquee.example.com',
    };
    let { server, cookie } = await start({ trustProxy: '127.0.0.1' });
    expect((await createToken(server, { cookie, ...proxied })).status).toBe(201);
    await server.close();
    ({ server, cookie } = await start());
    expect((await createToken(server, { cookie, ...proxied })).status).toBe(403);
  });
});

describe('Origin check on cookie-authenticated WebSocket upgrades', () => {
  it('refuses a foreign Origin before the handshake, in the channel’s shape', async () => {
    const { server, cookie } = await start();
    const url = `${server.wsUrl}${WS_PATH}`;
    expect(await tryUpgrade(url, { cookie, origin: server.url })).toMatchObject(OPEN);
    expect(await tryUpgrade(url, { cookie, origin: APP })).toMatchObject(OPEN);
    expect(await tryUpgrade(url, { cookie })).toMatchObject(OPEN);
    expect(await tryUpgrade(url, { cookie, origin: EVIL })).toEqual({
      open: false,
      status: 403,
      retryAfter: undefined,
      body: { detail: REFUSAL, code: 'FORBIDDEN' },
    });
    expect(await tryUpgrade(url, { cookie, origin: 'null' })).toMatchObject({ status: 403 });
    expect(server.server.gateway.connectionCount()).toBe(3);
  });

  it('leaves ?token= and Authorization sockets alone', async () => {
    const { server, cookie } = await start();
    const token = await login(server.url);
    const url = `${server.wsUrl}${WS_PATH}`;
    expect(await tryUpgrade(`${url}?token=${token}`, { cookie, origin: EVIL })).toMatchObject(OPEN);
    expect(await tryUpgrade(url, { authorization: `Bearer ${token}`, origin: EVIL })).toMatchObject(
      OPEN,
    );
    // Without any credential the channel's own auth answers (token mode: 401).
    expect(await tryUpgrade(url, { origin: EVIL })).toMatchObject({ status: 401 });
  });
});

describe('createOriginCheck', () => {
  const check = createOriginCheck(['https://app.example.com', '*']);

  it('matches host and port with default ports folded, any case, either scheme', () => {
    expect(check('http://marquee.lan', 'marquee.lan:80')).toBe(true);
    expect(check('https://marquee.lan', 'marquee.lan:443')).toBe(true);
    expect(check('https://Marquee.LAN:8000', 'marquee.lan:8000')).toBe(true);
    expect(check('https://marquee.lan:8000', 'marquee.lan:8000')).toBe(true);
    expect(check('http://[::1]:8000', '[::1]:8000')).toBe(true);
    expect(check('http://marquee.lan:8000', 'marquee.lan')).toBe(false);
    expect(check('http://marquee.lan.evil.example', 'marquee.lan')).toBe(false);
  });

  it('takes listed origins exactly, never `*`, and refuses what does not parse', () => {
    expect(check('https://APP.example.com', 'marquee.lan')).toBe(true);
    expect(check('https://app.example.com:8443', 'marquee.lan')).toBe(false);
    expect(check('https://other.example', 'marquee.lan')).toBe(false);
    expect(check('null', 'marquee.lan')).toBe(false);
    expect(check('file:///tmp/x.html', 'marquee.lan')).toBe(false);
    expect(check('https://marquee.lan', '')).toBe(false);
    expect(check(undefined, 'marquee.lan')).toBe(true);
  });
});
