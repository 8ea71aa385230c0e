/**
 * Pairing on a real server: a screen asks for a code, an operator approves it with a serial and
 * a name, and the screen's poll (with its secret, never with the code alone) receives its own
 * device account once. Codes expire, are single-use, rejectable and rate-limited; a paired account
 * registers its serial and no other; re-pairing a serial revokes the old screen. The SDK's
 * `pairDevice` runs the whole flow against the same server.
 */
import { protocol } from '@marquee/sdk';
import { pairDevice } from '@marquee/sdk/device';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, login, startTestServer, type TestServer } from '../helpers/server';
import { ADMIN_API, deviceBody, openDevice, userToken } from './helpers';

const { signage } = protocol;
const START = '/api/v1/cloud/pairing/';
const PENDING = `${ADMIN_API}/pairing/`;
const REGISTER = `${ADMIN_API}/device/register/`;

let t: TestServer;
let admin: string;
let clock: number;

async function start(overrides = {}): Promise<void> {
  clock = Date.UTC(2026, 11, 7, 12, 0, 0);
  t = await startTestServer(overrides, { now: () => clock, monotonic: () => clock });
  admin = await t.login();
}
afterEach(() => t.close());

async function begin(body: Record<string, unknown> = {}) {
  const res = await call(`${t.url}${START}`, { body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return signage.PairingStarted.parse(res.body);
}

const poll = (id: string, secret: string | undefined, wait?: number) =>
  call(`${t.url}${START}${id}/${wait === undefined ? '' : `?wait=${wait}`}`, {
    ...(secret === undefined ? {} : { token: secret }),
  });

const approve = (code: string, sn: string, name: string, token = admin) =>
  call(`${t.url}${PENDING}${code}/approve/`, { token, body: { sn_number: sn, name } });

async function pairedAccount(sn: string, name = 'Lobby') {
  const started = await begin({ sn_number: sn });
  expect((await approve(started.code, sn, name)).status).toBe(200);
  const res = await poll(started.id, started.secret);
  return signage.PairingStatus.parse(res.body) as Extract<
    protocol.signage.PairingStatus,
    { status: 'approved' }
  >;
}

describe('pairing a screen', () => {
  it('code → approval → the screen receives its own device account once, and runs seed 002 with it', async () => {
    await start();
    const started = await begin({ sn_number: 'SN-1', hint: 'Android TV in the lobby' });
    expect(started.code).toMatch(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
    expect(started.expires_in).toBe(600);
    expect(started.secret).toMatch(/^mqp_/);

    expect((await poll(started.id, started.secret)).body).toEqual({
      status: 'pending',
      expires_in: 600,
    });
    const pending = await call(`${t.url}${PENDING}`, { token: admin });
    expect(pending.body).toMatchObject({
      count: 1,
      results: [
        {
          code: started.code,
          sn_number: 'SN-1',
          hint: 'Android TV in the lobby',
          ip: '127.0.0.1',
        },
      ],
    });

    // The code is what the screen shows: typed in lower case and without the dash it still works.
    const approved = await approve(started.code.toLowerCase().replace('-', ''), 'SN-1', 'Lobby');
    expect(approved.status).toBe(200);
    expect(approved.body).toEqual({
      code: started.code,
      sn_number: 'SN-1',
      name: 'Lobby',
      username: 'tv-SN-1',
    });
    expect((await call(`${t.url}${PENDING}`, { token: admin })).body).toEqual({
      count: 0,
      results: [],
    });

    // Only the secret fetches the credentials; the code alone never does.
    expect((await poll(started.id, undefined)).status).toBe(401);
    expect((await poll(started.id, 'mqp_not-the-secret')).status).toBe(401);
    const delivered = await poll(started.id, started.secret);
    expect(delivered.status).toBe(200);
    const credentials = signage.PairingStatus.parse(delivered.body);
    expect(credentials).toMatchObject({
      status: 'approved',
      sn_number: 'SN-1',
      name: 'Lobby',
      username: 'tv-SN-1',
    });
    // Once.
    expect((await poll(started.id, started.secret)).status).toBe(404);

    if (credentials.status !== 'approved') throw new Error('not approved');
    const token = await login(t.url, credentials.username, credentials.password);
    expect((await call(`${t.url}/api/v1/auth/me/`, { token })).body).toMatchObject({
      role: 'device',
    });
    expect((await call(`${t.url}${REGISTER}`, { token, body: deviceBody('SN-1') })).status).toBe(
      201,
    );
    // A paired account registers its own serial and no other.
    const other = await call(`${t.url}${REGISTER}`, { token, body: deviceBody('SN-2') });
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({
      message: 'This device account is paired with SN-1, not SN-2',
    });
    const device = await call(`${t.url}${ADMIN_API}/devices/SN-1/`, { token: admin });
    expect(device.body).toMatchObject({ owner: 'tv-SN-1', name: 'Lobby' });
    const found = await call(`${t.url}${ADMIN_API}/devices/?search=lobb`, { token: admin });
    expect(found.body).toMatchObject({ count: 1 });
  });

  it('a long poll answers as soon as the code is approved', async () => {
    await start();
    const started = await begin();
    const waiting = poll(started.id, started.secret, 20);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const before = Date.now();
    expect((await approve(started.code, 'SN-7', 'Bar')).status).toBe(200);
    const res = await waiting;
    expect(res.body).toMatchObject({ status: 'approved', sn_number: 'SN-7' });
    expect(Date.now() - before).toBeLessThan(5000);
  });

  it('codes expire; rejected codes are gone; unknown codes are 404', async () => {
    await start();
    const old = await begin();
    clock += 601_000;
    expect((await poll(old.id, old.secret)).status).toBe(404);
    expect((await approve(old.code, 'SN-1', 'Late')).status).toBe(404);

    const rejected = await begin();
    const res = await call(`${t.url}${PENDING}${rejected.code}/`, {
      token: admin,
      method: 'DELETE',
    });
    expect(res.status).toBe(204);
    expect((await poll(rejected.id, rejected.secret)).status).toBe(404);
    expect((await approve(rejected.code, 'SN-1', 'Lobby')).status).toBe(404);
    expect((await approve('ZZZZ-ZZZZ', 'SN-1', 'Lobby')).status).toBe(404);
    expect(await t.server.store.users.findByUsername('tv-SN-1')).toBeUndefined();
  });

  it('answers junk with 400 and stores nothing', async () => {
    await start();
    const started = await begin();
    for (const code of ['ABC', 'ABCD-EF0O', 'x'.repeat(300)]) {
      const res = await approve(code, 'SN-1', 'Lobby');
      expect(res.status, code).toBe(400);
      expect(res.body).toMatchObject({ status_code: 400 });
    }
    expect((await approve(started.code, '', 'Lobby')).status).toBe(400);
    expect((await approve(started.code, 'SN-1', '   ')).status).toBe(400);
    expect((await poll(started.id, started.secret, 99)).status).toBe(400);
    expect((await call(`${t.url}${START}`, { body: { sn_number: 'x'.repeat(256) } })).status).toBe(
      400,
    );
    expect((await call(`${t.url}${PENDING}`, { token: admin })).body).toMatchObject({ count: 1 });
  });

  it('is for operators and admins; a viewer or device is refused, nobody 401', async () => {
    await start();
    const started = await begin();
    await t.server.auth.createUser({ username: 'op', password: 'op-password-1', role: 'operator' });
    await t.server.auth.createUser({ username: 'vera', password: 'viewer-pass-1', role: 'viewer' });
    const viewer = await login(t.url, 'vera', 'viewer-pass-1');
    const device = await userToken(t, 'tv-x');
    for (const token of [viewer, device]) {
      expect((await approve(started.code, 'SN-1', 'Lobby', token)).status).toBe(403);
      expect((await call(`${t.url}${PENDING}`, { token })).status).toBe(403);
    }
    expect((await call(`${t.url}${PENDING}`)).status).toBe(401);
    const operator = await login(t.url, 'op', 'op-password-1');
    expect((await approve(started.code, 'SN-1', 'Lobby', operator)).status).toBe(200);
  });

  it('limits pending codes in all (503) until they expire', async () => {
    await start({ maxPendingPairings: 3 });
    for (let i = 0; i < 3; i++) await begin();
    const full = await call(`${t.url}${START}`, { body: {} });
    expect(full.status).toBe(503);
    expect(full.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    clock += 601_000; // the three expire and make room
    await begin();
  });

  it('limits new codes per address: 10 a minute, then 429 + Retry-After', async () => {
    await start();
    for (let i = 0; i < 10; i++) await begin();
    const limited = await call(`${t.url}${START}`, { body: {} });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    clock += 61_000;
    await begin();
  });

  it('re-pairing a serial rotates its account: the old screen is signed out and its socket closed', async () => {
    await start();
    const first = await pairedAccount('SN-1');
    const oldToken = await login(t.url, first.username, first.password);
    await call(`${t.url}${REGISTER}`, { token: oldToken, body: deviceBody('SN-1') });
    const oldSocket = await openDevice(t.wsUrl, oldToken, 'SN-1');

    const second = await pairedAccount('SN-1', 'Lobby (new panel)');
    expect(second.username).toBe(first.username);
    expect(second.password).not.toBe(first.password);
    expect(await oldSocket.closed).toBe(protocol.CloseCodes.UNAUTHORIZED);
    expect((await call(`${t.url}/api/v1/auth/me/`, { token: oldToken })).status).toBe(401);
    const newToken = await login(t.url, second.username, second.password);
    const playlists = await call(`${t.url}${ADMIN_API}/playlists?sn_number=SN-1`, {
      token: newToken,
    });
    expect(playlists.status).toBe(200);
    const device = await call(`${t.url}${ADMIN_API}/devices/SN-1/`, { token: admin });
    expect(device.body).toMatchObject({ name: 'Lobby (new panel)' });
  });

  it('never hands a screen an account that is no longer a device account (409)', async () => {
    await start();
    const paired = await pairedAccount('SN-5');
    const user = await t.server.store.users.findByUsername(paired.username);
    await t.server.auth.users.update(user?.id ?? 0, { role: 'operator' });
    const again = await begin();
    const res = await approve(again.code, 'SN-5', 'Lobby');
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'CONFLICT' });
    expect((await poll(again.id, again.secret)).body).toMatchObject({ status: 'pending' });
  });

  it('pairing a serial another account registered hands the device to the paired account', async () => {
    await start();
    const legacy = await userToken(t, 'old-tv');
    await call(`${t.url}${REGISTER}`, { token: legacy, body: deviceBody('SN-4') });
    const paired = await pairedAccount('SN-4');
    const token = await login(t.url, paired.username, paired.password);
    expect((await call(`${t.url}${ADMIN_API}/playlists?sn_number=SN-4`, { token })).status).toBe(
      200,
    );
    expect(
      (await call(`${t.url}${ADMIN_API}/playlists?sn_number=SN-4`, { token: legacy })).status,
    ).toBe(403);
  });
});

describe('the SDK pairDevice', () => {
  it('shows a code, gets a new one after a rejection, and resolves with the credentials', async () => {
    await start();
    const codes: string[] = [];
    const paired = pairDevice({
      baseUrl: t.url,
      request: { sn_number: 'SN-9' },
      onCode: (code) => codes.push(code),
    });
    await vi.waitFor(() => expect(codes).toHaveLength(1));
    const first = codes[0] ?? '';
    await call(`${t.url}${PENDING}${first}/`, { token: admin, method: 'DELETE' });
    await vi.waitFor(() => expect(codes).toHaveLength(2), { timeout: 10_000 });
    expect(codes[1]).not.toBe(first);
    expect((await approve(codes[1] ?? '', 'SN-9', 'Kitchen')).status).toBe(200);
    const device = await paired;
    expect(device).toMatchObject({ snNumber: 'SN-9', name: 'Kitchen', username: 'tv-SN-9' });
    expect(await login(t.url, device.username, device.password)).toEqual(expect.any(String));
  });

  it('stops when its signal is aborted', async () => {
    await start();
    const controller = new AbortController();
    const codes: string[] = [];
    const paired = pairDevice({
      baseUrl: t.url,
      onCode: (code) => codes.push(code),
      signal: controller.signal,
    });
    await vi.waitFor(() => expect(codes).toHaveLength(1));
    controller.abort(new Error('screen turned off'));
    await expect(paired).rejects.toThrow(/screen turned off|aborted/);
  });
});
