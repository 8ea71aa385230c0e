/**
 * The auth matrix, generated from the route and channel tables: every served route and channel,
 * called on a real server by every kind of caller, must be refused or let through exactly as its
 * policy says. The expectations below are written from the policies' definitions (the SDK's
 * `AuthPolicy` and the README's roles), not taken from the server's own policy code.
 *
 * "Let through" means the caller got past auth: any status but 401 and 403 (the dummy inputs then
 * earn a 400 or 404, which is fine). Routes open to all (`none`, and `proxy` while proxy auth is
 * off) must answer every caller alike: credentials change nothing there.
 */
import { protocol } from '@marquee/sdk';
import type { AuthPolicy, ChannelDef, RouteDef } from '@marquee/sdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createJwtCodec } from '../../src/core/auth';
import { call, login, startTestServer, type TestServer } from '../helpers/server';
import { deviceBody } from '../signage/helpers';

const JWT_SECRET = 'auth-matrix-secret-of-at-least-32-chars';
const PROXY_TOKEN = 'auth-matrix-proxy-token';
const SERIAL = 'SN-MATRIX';

const CALLERS = [
  'nobody',
  'bad token',
  'expired token',
  'display (another scope)',
  'display (this scope)',
  'device',
  'viewer',
  'operator',
  'admin',
  'disabled user',
  'proxy token',
] as const;
type Caller = (typeof CALLERS)[number];

type Expected = 'through' | 401 | 403 | 'alike';

/** What each policy promises each caller (SDK `AuthPolicy`; README "Users and roles"). */
function expected(policy: AuthPolicy, caller: Caller, hasScope: boolean): Expected {
  if (policy === 'none') return 'alike';
  if (policy === 'proxy') return caller === 'proxy token' ? 'through' : 401;
  if (['nobody', 'bad token', 'expired token', 'disabled user'].includes(caller)) return 401;
  if (caller === 'proxy token') return 401; // not a credential of anything but the proxy
  const allowed: Record<Exclude<AuthPolicy, 'none' | 'proxy'>, readonly Caller[]> = {
    any: [
      'display (another scope)',
      'display (this scope)',
      'device',
      'viewer',
      'operator',
      'admin',
    ],
    user: ['device', 'viewer', 'operator', 'admin'],
    display: [
      ...(hasScope ? (['display (this scope)'] as const) : []),
      'viewer',
      'operator',
      'admin',
    ],
    viewer: ['viewer', 'operator', 'admin'],
    operator: ['operator', 'admin'],
    admin: ['admin'],
    device: ['device', 'operator', 'admin'],
  };
  return allowed[policy].includes(caller) ? 'through' : 403;
}

/** Display scopes a token can hold, and a surface's own one (signage and core have none). */
const SCOPES = protocol.core.DisplayScope.options.filter((s) => s !== '*');
const scopeOf = (surface: string) => SCOPES.find((s) => s === surface);

/** Harmless values for path parameters: nothing that exists, but the device's own serial. */
const PARAMS: Record<string, string> = {
  sn_number: SERIAL,
  position: 'front',
  code: 'ZZZZ-ZZZZ',
  path: 'nothing/here.jpg',
  session_id: 'no-such-session',
  username: 'nobody',
};
const fill = (path: string) =>
  path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(PARAMS[name] ?? '999999'));

let t: TestServer;
const tokens = new Map<Caller, string | undefined>();
const displayTokens = new Map<string, string>();

beforeAll(async () => {
  t = await startTestServer({
    jwtSecret: JWT_SECRET,
    proxyAuthEnabled: true,
    proxyAuthToken: PROXY_TOKEN,
    rateLimitExemptLoopback: true,
  });
  const admin = await t.login();
  const account = async (username: string, role: protocol.core.Role) => {
    await t.server.auth.createUser({ username, password: `${username}-password`, role });
    return login(t.url, username, `${username}-password`);
  };
  tokens.set('nobody', undefined);
  tokens.set('bad token', 'not-a-token');
  const past = createJwtCodec(JWT_SECRET, () => new Date(Date.now() - 2 * 3600_000));
  tokens.set(
    'expired token',
    await past.sign({ id: 1, username: 'admin', role: 'admin', tokenVersion: 0 }, 'access', 60),
  );
  tokens.set('device', await account('matrix-tv', 'device'));
  tokens.set('viewer', await account('matrix-viewer', 'viewer'));
  tokens.set('operator', await account('matrix-operator', 'operator'));
  tokens.set('admin', admin);
  const disabled = await account('matrix-disabled', 'operator');
  const found = await t.server.store.users.findByUsername('matrix-disabled');
  await t.server.auth.users.update(found?.id ?? 0, { disabled: true });
  tokens.set('disabled user', disabled);
  tokens.set('proxy token', PROXY_TOKEN);
  for (const scope of SCOPES) {
    const res = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token: admin,
      body: { name: `matrix ${scope}`, scopes: [scope] },
    });
    displayTokens.set(scope, (res.body as { token: string }).token);
  }
  // The device's own serial, so device routes get past "another account's device".
  const registered = await call(`${t.url}/api/v1/admin/cloud/device/register/`, {
    token: tokens.get('device'),
    body: deviceBody(SERIAL),
  });
  expect(registered.status).toBe(201);
}, 60_000);
afterAll(() => t.close());

function tokenFor(caller: Caller, surface: string): string | undefined {
  const own = scopeOf(surface);
  if (caller === 'display (this scope)')
    return own === undefined ? undefined : displayTokens.get(own);
  if (caller === 'display (another scope)') {
    return displayTokens.get(SCOPES.find((s) => s !== own) ?? 'gpu');
  }
  return tokens.get(caller);
}

async function routeStatus(route: RouteDef, token: string | undefined): Promise<number> {
  const query = route.path.includes('{sn_number}') || !route.query ? '' : `?sn_number=${SERIAL}`;
  const res = await fetch(`${t.url}${fill(route.path)}${query}`, {
    method: route.method,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  await res.arrayBuffer();
  return res.status;
}

function channelStatus(channel: ChannelDef, token: string | undefined): Promise<number> {
  const query = new URLSearchParams({ sn_number: SERIAL });
  if (token !== undefined) query.set('token', token);
  const socket = new WebSocket(`${t.wsUrl}${channel.path}?${query.toString()}`);
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    socket.once('error', reject);
  });
}

function verdict(want: Expected, got: number): boolean {
  if (want === 'through') return got !== 401 && got !== 403;
  if (want === 'alike') return true; // checked across callers below
  return got === want;
}

describe('the auth matrix', () => {
  it('every served route and channel × every kind of caller answers as its policy says', async () => {
    const served = protocol.surfaces.map((s) => protocol.servedPart(s));
    const cases = served.flatMap((surface) => [
      ...surface.routes.map((route) => ({ surface: surface.name, route, channel: undefined })),
      ...surface.channels.map((channel) => ({ surface: surface.name, route: undefined, channel })),
    ]);
    const wrong: string[] = [];
    let checked = 0;
    for (const { surface, route, channel } of cases) {
      const item = route ?? channel;
      if (item === undefined) continue;
      const name = route ? `${route.method} ${route.path}` : `WS ${channel?.path ?? ''}`;
      const statuses = new Set<number>();
      for (const caller of CALLERS) {
        const token = tokenFor(caller, surface);
        // A display token of this scope only exists for surfaces that have a scope.
        if (caller === 'display (this scope)' && token === undefined) continue;
        const got = route
          ? await routeStatus(route, token)
          : await channelStatus(item as ChannelDef, token);
        const want = expected(item.auth, caller, scopeOf(surface) !== undefined);
        statuses.add(got);
        checked += 1;
        if (!verdict(want, got))
          wrong.push(`${name} (${item.auth}) as ${caller}: ${got}, want ${want}`);
        if (got >= 500 && got !== 502 && got !== 503 && got !== 504) {
          wrong.push(`${name} as ${caller}: ${got}`);
        }
      }
      if ((item.auth === 'none' || channel?.auth === 'none') && statuses.size > 1) {
        wrong.push(`${name} (none) answers callers differently: ${[...statuses].join(', ')}`);
      }
    }
    expect(wrong).toEqual([]);
    // Every route and channel, by every caller (less the scope a surface lacks).
    expect(checked).toBeGreaterThan(cases.length * (CALLERS.length - 1));
  }, 240_000);

  it('the expectations can fail: a viewer on an operator route, a device on the admin API', () => {
    expect(expected('operator', 'viewer', false)).toBe(403);
    expect(expected('admin', 'operator', false)).toBe(403);
    expect(expected('device', 'viewer', false)).toBe(403);
    expect(expected('display', 'display (another scope)', true)).toBe(403);
    expect(verdict(403, 200)).toBe(false);
    expect(verdict('through', 401)).toBe(false);
  });
});
