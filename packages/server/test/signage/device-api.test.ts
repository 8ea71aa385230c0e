/**
 * Seed 002's device routes against a real server: registration (201 then 200, defaults, clear
 * 400s), the playlists answer in the seed's DeviceScreens shape after a full admin flow (upload,
 * playlist, screen), 404 for unknown devices, and the device-identity rules (a device's account
 * cannot read another account's device).
 */
import { protocol } from '@marquee/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, call, login, startTestServer, type TestServer } from '../helpers/server';
import {
  ADMIN_API,
  createPlaylist,
  deviceBody,
  jpegBytes,
  mp4Bytes,
  putScreen,
  register,
  uploadMedia,
  userToken,
} from './helpers';

const { signage } = protocol;
const REGISTER = '/api/v1/admin/cloud/device/register/';

let t: TestServer;
let admin: string;

beforeEach(async () => {
  t = await startTestServer();
  admin = await login(t.url, ADMIN.username, ADMIN.password);
});
afterEach(async () => {
  await t.close();
});

describe('POST /admin/cloud/device/register/', () => {
  it('answers 201 when created and 200 when updated, with the seed body', async () => {
    const token = await userToken(t, 'tv-1');
    const first = await call(`${t.url}${REGISTER}`, { token, body: deviceBody('SN-1') });
    expect(first.status).toBe(201);
    expect(signage.RegisterDeviceResponse.parse(first.body)).toEqual({
      data: { sn_number: 'SN-1' },
    });
    const again = await call(`${t.url}${REGISTER}`, {
      token,
      body: deviceBody('SN-1', { free_storage: '10GB', brightness: 80 }),
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ data: { sn_number: 'SN-1' } });

    const device = await t.server.signage.store.devices.find('SN-1');
    expect(device?.info).toMatchObject({ free_storage: '10GB', brightness: 80, volume: 50 });
    expect(device?.ownerUsername).toBe('tv-1');
  });

  it('defaults brightness and volume to 50 and keeps optional fields optional', async () => {
    const token = await userToken(t, 'tv-1');
    const { mac_address: _m, ip_address: _i, ...required } = deviceBody('SN-2');
    const res = await call(`${t.url}${REGISTER}`, { token, body: required });
    expect(res.status).toBe(201);
    const detail = await call(`${t.url}${ADMIN_API}/devices/SN-2/`, { token: admin });
    expect(signage.DeviceDetail.parse(detail.body)).toMatchObject({
      sn_number: 'SN-2',
      brightness: 50,
      volume: 50,
      mac_address: null,
      ip_address: null,
      owner: 'tv-1',
      online: false,
      last_seen: null,
    });
  });

  it('refuses brightness 101 and a missing required field with 400 naming the field', async () => {
    const token = await userToken(t, 'tv-1');
    const bright = await call(`${t.url}${REGISTER}`, {
      token,
      body: deviceBody('SN-3', { brightness: 101 }),
    });
    expect(bright.status).toBe(400);
    expect(signage.SignageError.parse(bright.body)).toMatchObject({ status_code: 400 });
    expect((bright.body as { message: string }).message).toContain('brightness');

    const { brand: _b, ...noBrand } = deviceBody('SN-3');
    const missing = await call(`${t.url}${REGISTER}`, { token, body: noBrand });
    expect(missing.status).toBe(400);
    expect((missing.body as { message: string }).message).toContain('brand');

    const volume = await call(`${t.url}${REGISTER}`, {
      token,
      body: deviceBody('SN-3', { volume: -1 }),
    });
    expect(volume.status).toBe(400);
    expect((volume.body as { message: string }).message).toContain('volume');
    expect(await t.server.signage.store.devices.find('SN-3')).toBeUndefined();
  });

  it('answers 401 in the seed shape without a token', async () => {
    const res = await call(`${t.url}${REGISTER}`, { body: deviceBody('SN-4') });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ status_code: 401, message: expect.any(String) });
  });
});

describe('GET /admin/cloud/playlists?sn_number=', () => {
  it('answers 404 for an unknown device and 400 without sn_number', async () => {
    const token = await userToken(t, 'tv-1');
    const unknown = await call(`${t.url}/api/v1/admin/cloud/playlists?sn_number=NOPE`, { token });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ status_code: 404, message: 'Device NOPE not found' });
    const none = await call(`${t.url}/api/v1/admin/cloud/playlists`, { token });
    expect(none.status).toBe(400);
  });

  it('answers all four screens as null for a device without screens', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const res = await call(`${t.url}/api/v1/admin/cloud/playlists?sn_number=SN-1`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      sn_number: 'SN-1',
      front_screen: null,
      back_screen: null,
      right_screen: null,
      left_screen: null,
    });
  });

  it('serves what an admin assigned, in the seed DeviceScreens shape', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const logo = await uploadMedia(t, admin, 'logo1.jpg', jpegBytes(4096), 'image/jpeg');
    const video = await uploadMedia(t, admin, 'ad_video.mp4', mp4Bytes(10_000), 'video/mp4');
    expect(logo).toMatchObject({ media_type: 'image', mimetype: 'image/jpeg', file_size: 4096 });
    expect(video).toMatchObject({ media_type: 'video', mimetype: 'video/mp4', file_size: 10_000 });

    const playlist = await createPlaylist(t, admin, {
      name: 'Morning Ads',
      width: 1920,
      height: 1080,
      media_items: [
        {
          media_id: video.media_id,
          order: 2,
          timing: { start_time: 0, duration: 30, loop: false },
          n_time_play: 2,
        },
        {
          media_id: logo.media_id,
          order: 1,
          layout: { x: 0, y: 0, width: 1920, height: 1080, z_index: 1 },
          timing: { start_time: 0, duration: 10, loop: false },
          effects: { fade_in: true, fade_out: true, transition: 'slide' },
        },
      ],
    });
    expect(playlist.duration).toBe(10 * 1 + 30 * 2);
    expect(playlist.media_items.map((i) => i.media_name)).toEqual(['logo1.jpg', 'ad_video.mp4']);

    const screen = await putScreen(t, admin, 'SN-1', 'front', {
      screen_name: 'Front Display',
      resolution: '1920x1080',
      playlist_ids: [playlist.id],
    });
    expect(screen.current_playlist).toBe(playlist.id);

    const res = await call(`${t.url}/api/v1/admin/cloud/playlists?sn_number=SN-1`, { token });
    expect(res.status).toBe(200);
    const screens = signage.DeviceScreens.parse(res.body);
    expect(screens.back_screen).toBeNull();
    expect(screens.front_screen).toMatchObject({
      screen_id: screen.screen_id,
      screen_name: 'Front Display',
      resolution: '1920x1080',
      current_playlist: playlist.id,
    });
    const [served] = screens.front_screen?.playlists ?? [];
    expect(served).toMatchObject({
      id: playlist.id,
      name: 'Morning Ads',
      width: 1920,
      height: 1080,
      duration: 70,
      playback_config: { repeat: true, repeat_count: -1, background_color: '#000000' },
      status: { is_ready: false, all_downloaded: false, missing_files: [] },
    });
    expect(served?.media_items[0]).toEqual({
      media_id: logo.media_id,
      order: 1,
      media_name: 'logo1.jpg',
      media_type: 'image',
      mimetype: 'image/jpeg',
      media_url: logo.media_url,
      file_size: 4096,
      checksum: logo.checksum,
      layout: { x: 0, y: 0, width: 1920, height: 1080, z_index: 1 },
      timing: { start_time: 0, duration: 10, loop: false },
      effects: { fade_in: true, fade_out: true, transition: 'slide' },
      n_time_play: 1,
    });
    // Defaults for an item written without layout and effects.
    expect(served?.media_items[1]).toMatchObject({
      layout: { x: 0, y: 0, width: 1920, height: 1080, z_index: 1 },
      effects: { fade_in: false, fade_out: false, transition: 'none' },
      n_time_play: 2,
    });
    expect(logo.media_url).toMatch(/^\/media\/images\/\d+_logo1\.jpg$/);
  });
});

describe('device identity', () => {
  it("a device account cannot read or claim another account's device; admins can", async () => {
    const first = await userToken(t, 'tv-1');
    const second = await userToken(t, 'tv-2');
    await register(t, first, 'SN-1');

    const read = await call(`${t.url}/api/v1/admin/cloud/playlists?sn_number=SN-1`, {
      token: second,
    });
    expect(read.status).toBe(403);
    expect(read.body).toMatchObject({ status_code: 403, code: 'FORBIDDEN' });
    const claim = await call(`${t.url}${REGISTER}`, { token: second, body: deviceBody('SN-1') });
    expect(claim.status).toBe(403);

    const asAdmin = await call(`${t.url}/api/v1/admin/cloud/playlists?sn_number=SN-1`, {
      token: admin,
    });
    expect(asAdmin.status).toBe(200);
    // An admin re-registering does not take the device away from its owner.
    expect(
      (await call(`${t.url}${REGISTER}`, { token: admin, body: deviceBody('SN-1') })).status,
    ).toBe(200);
    expect((await t.server.signage.store.devices.find('SN-1'))?.ownerUsername).toBe('tv-1');
  });

  it('a device registered by an operator or admin only is claimed by the first device account that registers it', async () => {
    await register(t, admin, 'SN-9');
    expect((await t.server.signage.store.devices.find('SN-9'))?.ownerUserId).toBeNull();
    await t.server.auth.createUser({ username: 'op', password: 'op-password-1', role: 'operator' });
    const operator = await login(t.url, 'op', 'op-password-1');
    expect(await register(t, operator, 'SN-9')).toBe(200);
    expect((await t.server.signage.store.devices.find('SN-9'))?.ownerUserId).toBeNull();
    const user = await userToken(t, 'tv-9');
    expect(await register(t, user, 'SN-9')).toBe(200);
    expect((await t.server.signage.store.devices.find('SN-9'))?.ownerUsername).toBe('tv-9');
  });

  it('the fleet admin API is for operators and admins; device routes refuse viewers', async () => {
    const user = await userToken(t, 'tv-1');
    const res = await call(`${t.url}${ADMIN_API}/devices/`, { token: user });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ status_code: 403 });
    await t.server.auth.createUser({ username: 'op', password: 'op-password-1', role: 'operator' });
    const operator = await login(t.url, 'op', 'op-password-1');
    expect((await call(`${t.url}${ADMIN_API}/devices/`, { token: operator })).status).toBe(200);
    await t.server.auth.createUser({ username: 'vera', password: 'viewer-pass-1', role: 'viewer' });
    const viewer = await login(t.url, 'vera', 'viewer-pass-1');
    expect((await call(`${t.url}${ADMIN_API}/devices/`, { token: viewer })).status).toBe(403);
    const registered = await call(`${t.url}${REGISTER}`, {
      token: viewer,
      body: deviceBody('SN-5'),
    });
    expect(registered.status).toBe(403);
    expect(await t.server.signage.store.devices.find('SN-5')).toBeUndefined();
  });
});

describe('route table', () => {
  it('mounts every signage route (each answers, none is "No route")', async () => {
    for (const route of signage.signageSurface.routes) {
      const path = route.path
        .replace('{path}', 'images/1_x.jpg')
        .replace('{sn_number}', 'SN-X')
        .replace('{position}', 'front')
        .replace(/\{[a-z_]+\}/g, '1');
      const res = await fetch(`${t.url}${path}`, { method: route.method });
      const body = (await res.json().catch(() => ({}))) as { message?: string };
      expect(body.message ?? '', `${route.method} ${route.path}`).not.toMatch(/^No route/);
    }
  });
});
