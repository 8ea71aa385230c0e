/**
 * What clients written from the seeds send that a strict reading would refuse, against a real
 * server: JSON `null` for a field the seed marks optional (Dart/Kotlin/Python serialisers write
 * it), an empty body under `Content-Type: application/json` (seed 000's body-less stop), and the
 * token routes' form-encoded bodies (a Django REST Framework backend takes them). Also what stays
 * refused: a required field sent as null, a form body on any other route (415, so a cross-site
 * form cannot reach a cookie-authenticated route), malformed JSON.
 */
import { protocol } from '@marquee/sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseClientInput } from '../../src/core/parse-input';
import { ADMIN, call, login, startTestServer, type TestServer } from '../helpers/server';
import { ADMIN_API, deviceBody, openDevice, userToken } from '../signage/helpers';

const { signage } = protocol;

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.close();
});

function form(url: string, fields: Record<string, string>) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

describe('JSON null for an optional field', () => {
  it('registers a device whose optional fields are null, with the default levels', async () => {
    const token = await userToken(t, 'tv-owner');
    const res = await call(`${t.url}${ADMIN_API}/device/register/`, {
      token,
      body: deviceBody('SN-NULL', {
        mac_address: null,
        ip_address: null,
        brightness: null,
        volume: null,
      }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const admin = await login(t.url);
    const detail = signage.DeviceDetail.parse(
      (await call(`${t.url}${ADMIN_API}/devices/SN-NULL/`, { token: admin })).body,
    );
    expect(detail).toMatchObject({
      mac_address: null,
      ip_address: null,
      brightness: 50,
      volume: 50,
    });
  });

  it('still refuses a required field sent as null, naming it', async () => {
    const token = await userToken(t, 'tv-owner');
    const res = await call(`${t.url}${ADMIN_API}/device/register/`, {
      token,
      body: deviceBody('SN-NULL', { brand: null, mac_address: null }),
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status_code: 400 });
    expect((res.body as { message: string }).message).toMatch(/body\.brand/);
    expect((res.body as { message: string }).message).not.toMatch(/mac_address/);
  });

  it('accepts a playlist_status whose optional counts and error are null', async () => {
    const token = await userToken(t, 'tv-owner');
    await call(`${t.url}${ADMIN_API}/device/register/`, { token, body: deviceBody('SN-WS') });
    const device = await openDevice(t.wsUrl, token, 'SN-WS');
    try {
      device.send({
        type: 'playlist_status',
        playlist_id: 7,
        status: 'failed',
        total_items: null,
        downloaded_items: null,
        error: null,
      });
      device.send({ type: 'playlist_status', playlist_id: 8, status: 'downloading' });
      const admin = await login(t.url);
      await vi.waitFor(async () => {
        const detail = signage.DeviceDetail.parse(
          (await call(`${t.url}${ADMIN_API}/devices/SN-WS/`, { token: admin })).body,
        );
        expect(detail.playlist_statuses.map((s) => [s.playlist_id, s.status])).toEqual([
          [7, 'failed'],
        ]);
      });
      // The `downloading` status without its counts is refused, the null-error one was not.
      await vi.waitFor(() => expect(device.errors()).toHaveLength(1));
      expect(device.errors()[0]?.message).toMatch(/total_items/);
    } finally {
      device.ws.terminate();
    }
  });

  it('accepts a seed 000 session update whose optional strings are null', async () => {
    const token = await login(t.url);
    const res = await call(`${t.url}/api/dashboard/session/update`, {
      token,
      body: {
        session_id: 's-null',
        path: null,
        title: 'Live TV',
        media_type: null,
        current_time: 12,
        duration: 0,
        state: 'playing',
        poster_url: null,
        username: null,
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });
});

describe('bodies', () => {
  it('takes seed 000 stop with an empty body under Content-Type: application/json', async () => {
    const token = await login(t.url);
    const body = {
      session_id: 's1',
      title: 'The Matrix',
      current_time: 1,
      duration: 100,
      state: 'playing',
    };
    expect((await call(`${t.url}/api/dashboard/session/update`, { token, body })).status).toBe(200);
    const res = await call(`${t.url}/api/dashboard/session/s1/stop`, { token, rawBody: '' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ status: 'ok', message: 'Session stopped' });
  });

  it('still asks for a body where a route needs one, and refuses malformed JSON', async () => {
    const token = await login(t.url);
    const empty = await call(`${t.url}/api/dashboard/session/update`, { token, rawBody: ' ' });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body)).toMatch(/body is required/);
    const bad = await call(`${t.url}/api/dashboard/session/update`, { token, rawBody: '{"a":' });
    expect(bad.status).toBe(400);
    const poisoned = await call(`${t.url}/api/v1/auth/token/`, {
      rawBody: '{"username":"a","password":"b","__proto__":{"x":1}}',
    });
    expect(poisoned.status).toBe(400);
  });

  it('takes the token routes form-encoded, as a DRF backend does', async () => {
    const res = await form(`${t.url}/api/v1/auth/token/`, {
      username: ADMIN.username,
      password: ADMIN.password,
    });
    expect(res.status).toBe(200);
    const pair = signage.AuthModel.parse(await res.json());
    const refreshed = await form(`${t.url}/api/v1/auth/token/refresh/`, {
      refresh: pair.refresh,
    });
    expect(refreshed.status).toBe(200);
    signage.AuthModel.parse(await refreshed.json());
    const wrong = await form(`${t.url}/api/v1/auth/token/`, {
      username: ADMIN.username,
      password: 'wrong',
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ message: 'Invalid username or password' });
  });

  it('refuses a form-encoded body on every other route with 415 in the surface shape', async () => {
    const admin = await login(t.url);
    const cookieLogin = await form(`${t.url}/api/v1/auth/session/`, {
      username: ADMIN.username,
      password: ADMIN.password,
    });
    expect(cookieLogin.status).toBe(415);
    const res = await fetch(`${t.url}/api/dashboard/session/s1/stop`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${admin}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'a=1',
    });
    expect(res.status).toBe(415);
    const register = await fetch(`${t.url}${ADMIN_API}/device/register/`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${admin}`,
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      },
      body: 'sn_number=X',
    });
    expect(register.status).toBe(415);
    expect(await register.json()).toMatchObject({ status_code: 415 });
  });
});

describe('parseClientInput', () => {
  const schema = signage.DeviceModel;

  it('drops only the nulls the schema rejected', () => {
    // `playlist_ids: null` is rejected and dropped (its default applies); `current_playlist:
    // null` is accepted, so it keeps its meaning ("none", not "the first of playlist_ids").
    const screen = parseClientInput(signage.ScreenInput, {
      screen_name: 'Lobby',
      resolution: '1920x1080',
      playlist_ids: null,
      current_playlist: null,
    });
    expect(screen.success && screen.data).toEqual({
      screen_name: 'Lobby',
      resolution: '1920x1080',
      playlist_ids: [],
      current_playlist: null,
    });
    const dropped = parseClientInput(schema, { ...deviceBody('A'), volume: null });
    expect(dropped.success && dropped.data.volume).toBe(50);
  });

  it('reports a required null as received null, without the optional nulls beside it', () => {
    const result = parseClientInput(schema, {
      ...deviceBody('A'),
      brand: null,
      volume: null,
      brightness: 101,
    });
    expect(result.success).toBe(false);
    expect(
      result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    ).toEqual([
      'brand: Invalid input: expected string, received null',
      'brightness: Too big: expected number to be <=100',
    ]);
  });

  it('leaves non-object values to the schema', () => {
    expect(parseClientInput(schema, null).success).toBe(false);
    expect(parseClientInput(schema, [null]).success).toBe(false);
  });
});
