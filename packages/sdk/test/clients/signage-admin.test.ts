/**
 * The signage admin client against a recording HTTP server on port 0: each call's method, path
 * and body as the admin route table has them, answers validated with the admin schemas, sign-in
 * with credentials (refresh once after a 401), a fixed token, multipart upload, the screenshot
 * JPEG, and errors read from the seed's `{message, status_code}`.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createSignageAdminClient,
  type AdminCommand,
  type SignageAdminClient,
} from '../../src/clients/index';
import { MarqueeError } from '../../src/errors';
import type {
  AdminPlaylist,
  CommandRecord,
  DeviceDetail,
  DeviceListQuery,
  MediaRecord,
} from '../../src/protocol/signage/index';
import { json, startHttp, type RecordedRequest } from '../transport/http-server';

const NOW = '2025-01-15T10:30:00Z';
const BASE = '/api/v1/admin/cloud';

const media: MediaRecord = {
  media_id: 7,
  media_name: 'logo1.jpg',
  media_type: 'image',
  mimetype: 'image/jpeg',
  file_size: 4,
  checksum: '5d41402abc4b2a76b9719d911017c592',
  media_url: '/media/7/logo1.jpg',
  created_at: NOW,
  playlist_ids: [],
};

const adminPlaylist: AdminPlaylist = {
  id: 101,
  name: 'Morning Ads',
  width: 1920,
  height: 1080,
  duration: 10,
  media_items: [],
  playback_config: { repeat: true, repeat_count: -1, background_color: '#000000' },
  created_at: NOW,
  updated_at: NOW,
  sn_numbers: [],
};

const command: CommandRecord = {
  command_id: 'cmd-1',
  sn_number: 'SN 1/2',
  command: { action: 'play', command_id: 'cmd-1' },
  state: 'queued',
  created_at: NOW,
  expires_at: NOW,
  sent_at: null,
  acked_at: null,
  error: null,
};

const device: DeviceDetail = {
  sn_number: 'SN-1',
  brand: 'Samsung',
  model: 'Galaxy TV',
  manufacturer: 'Samsung Electronics',
  os_version: 'Android 11',
  screen_resolution: '1920x1080',
  total_storage: '32GB',
  free_storage: '20GB',
  mac_address: null,
  app_version: '1.0.0',
  ip_address: null,
  brightness: 50,
  volume: 50,
  owner: 'tv',
  name: null,
  registered_at: NOW,
  updated_at: NOW,
  online: true,
  last_seen: NOW,
  pending_command_count: 0,
  current_playlist: 101,
  current_playlist_status: 'ready',
  ready_playlists: [101],
  ready_playlists_at: NOW,
  playlist_statuses: [],
  front_screen: null,
  back_screen: null,
  right_screen: null,
  left_screen: null,
  last_screenshot: null,
  pending_commands: [],
};

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

/** A fake admin API: answers by `METHOD path`, and 401 to any token but the newest. */
async function startAdminServer() {
  let issued = 0;
  let valid = '';
  const refreshes: string[] = [];
  const answers = new Map<string, (req: RecordedRequest) => [number, unknown]>([
    [`POST ${BASE}/media/`, () => [201, media]],
    [`GET ${BASE}/media/`, () => [200, { count: 1, results: [media] }]],
    [`GET ${BASE}/media/7/`, () => [200, media]],
    [`DELETE ${BASE}/media/7/`, () => [409, { message: 'A playlist uses it', status_code: 409 }]],
    [`POST ${BASE}/playlists/`, () => [201, adminPlaylist]],
    [`GET ${BASE}/playlists/`, () => [200, { count: 1, results: [adminPlaylist] }]],
    [`GET ${BASE}/playlists/101/`, () => [200, adminPlaylist]],
    [`PUT ${BASE}/playlists/101/`, () => [200, adminPlaylist]],
    [`DELETE ${BASE}/playlists/101/`, () => [204, undefined]],
    [`GET ${BASE}/devices/`, () => [200, { count: 1, results: [device] }]],
    [`GET ${BASE}/devices/SN-1/`, () => [200, device]],
    [
      `GET ${BASE}/devices/?online=true&search=lobby+tv&limit=50&offset=100`,
      () => [200, { count: 101, results: [device] }],
    ],
    [`GET ${BASE}/devices/?online=false&offset=0`, () => [200, { count: 0, results: [] }]],
    [`DELETE ${BASE}/devices/SN%201%2F2/`, () => [204, undefined]],
    [
      `DELETE ${BASE}/devices/SN-404/`,
      () => [404, { message: 'Device SN-404 not found', status_code: 404 }],
    ],
    [
      `PUT ${BASE}/devices/SN-1/screens/front/`,
      () => [
        200,
        {
          screen_id: 1,
          position: 'front',
          screen_name: 'Front Display',
          resolution: '1920x1080',
          playlist_ids: [101],
          current_playlist: 101,
          updated_at: NOW,
        },
      ],
    ],
    [`DELETE ${BASE}/devices/SN-1/screens/back/`, () => [204, undefined]],
    [
      `POST ${BASE}/devices/SN%201%2F2/commands/`,
      () => [202, { commands: [{ command_id: 'cmd-1', sn_number: 'SN 1/2', state: 'queued' }] }],
    ],
    [
      `POST ${BASE}/commands/`,
      () => [
        202,
        {
          commands: [
            { command_id: 'cmd-2', sn_number: 'SN-1', state: 'sent' },
            { command_id: 'cmd-3', sn_number: 'SN-2', state: 'queued' },
          ],
          skipped: [{ sn_number: 'SN-3', reason: 'queue_full' }],
        },
      ],
    ],
    [
      `GET ${BASE}/devices/SN-1/commands/?state=queued&limit=5`,
      () => [200, { count: 1, results: [command] }],
    ],
    [`GET ${BASE}/commands/cmd-1/`, () => [200, command]],
    [`GET ${BASE}/devices/SN-1/screenshots/`, () => [200, { count: 0, results: [] }]],
  ]);
  const server = await startHttp((req, res) => {
    if (req.url === '/api/v1/auth/token/') {
      valid = `admin-${++issued}`;
      return json(res, 200, { access: valid, refresh: `r-${issued}`, expires_in: 3600 });
    }
    if (req.url === '/api/v1/auth/token/refresh/') {
      refreshes.push(req.body);
      valid = `admin-${++issued}`;
      return json(res, 200, { access: valid, refresh: `r-${issued}`, expires_in: 3600 });
    }
    if (req.headers.authorization !== `Bearer ${valid}`) {
      return json(res, 401, { message: 'Token has expired', status_code: 401 });
    }
    if (req.method === 'GET' && req.url === `${BASE}/screenshots/3/`) {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end(JPEG);
      return;
    }
    const answer = answers.get(`${req.method} ${req.url}`);
    if (!answer) return json(res, 404, { message: 'Not found', status_code: 404 });
    const [status, body] = answer(req);
    if (body === undefined) {
      res.writeHead(status);
      res.end();
    } else json(res, status, body);
  });
  return {
    ...server,
    refreshes,
    /** Makes the server refuse the current token, as after a key rotation. */
    expire: () => {
      valid = 'none';
    },
    /** Makes the server take `token`, as if it had issued it. */
    accept: (token: string) => {
      valid = token;
    },
  };
}

function adminClient(url: string): SignageAdminClient {
  return createSignageAdminClient({
    baseUrl: url,
    credentials: { username: 'admin', password: 'secret' },
  });
}

const lastOf = (requests: RecordedRequest[]) => requests.at(-1);

describe('the signage admin client', () => {
  it('signs in and calls each admin route with its method, path and body', async () => {
    const server = await startAdminServer();
    const admin = adminClient(server.url);

    await expect(admin.listMedia()).resolves.toEqual({ count: 1, results: [media] });
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/api/v1/auth/token/' });
    expect(lastOf(server.requests)?.headers.authorization).toBe('Bearer admin-1');
    await expect(admin.getMedia(7)).resolves.toEqual(media);

    const input = {
      name: 'Morning Ads',
      width: 1920,
      height: 1080,
      media_items: [{ media_id: 7 }],
    };
    await expect(admin.createPlaylist(input)).resolves.toEqual(adminPlaylist);
    expect(JSON.parse(lastOf(server.requests)?.body ?? '')).toEqual(input);
    await expect(admin.listPlaylists()).resolves.toMatchObject({ count: 1 });
    await expect(admin.getPlaylist(101)).resolves.toEqual(adminPlaylist);
    await expect(admin.updatePlaylist(101, { ...input, name: 'Evening' })).resolves.toEqual(
      adminPlaylist,
    );
    expect(lastOf(server.requests)).toMatchObject({ method: 'PUT' });
    await expect(admin.deletePlaylist(101)).resolves.toBeUndefined();

    await expect(admin.listDevices()).resolves.toMatchObject({ count: 1 });
    await expect(admin.getDevice('SN-1')).resolves.toEqual(device);
    const screen = { screen_name: 'Front Display', resolution: '1920x1080', playlist_ids: [101] };
    await expect(admin.setScreen('SN-1', 'front', screen)).resolves.toMatchObject({
      position: 'front',
      current_playlist: 101,
    });
    expect(JSON.parse(lastOf(server.requests)?.body ?? '')).toEqual(screen);
    await expect(admin.removeScreen('SN-1', 'back')).resolves.toBeUndefined();
    await expect(admin.listScreenshots('SN-1')).resolves.toEqual({ count: 0, results: [] });
    expect(server.requests.filter((r) => r.url === '/api/v1/auth/token/')).toHaveLength(1);
  });

  it('sends commands to one device (path-encoded), to many and to all', async () => {
    const server = await startAdminServer();
    const admin = adminClient(server.url);
    await expect(
      admin.sendCommand('SN 1/2', { action: 'play' }, { ttlSeconds: 600 }),
    ).resolves.toEqual({
      commands: [{ command_id: 'cmd-1', sn_number: 'SN 1/2', state: 'queued' }],
    });
    expect(JSON.parse(lastOf(server.requests)?.body ?? '')).toEqual({
      command: { action: 'play' },
      ttl_seconds: 600,
    });

    const overlay: AdminCommand = { action: 'show_text_overlay', text_overlay: { text: 'Sale!' } };
    await admin.broadcastCommand(['SN-1', 'SN-2'], overlay);
    expect(JSON.parse(lastOf(server.requests)?.body ?? '')).toEqual({
      command: overlay,
      sn_numbers: ['SN-1', 'SN-2'],
    });
    const all = await admin.broadcastCommand('all', { action: 'set_volume', volume: 30 });
    expect(all.commands.map((c) => c.state)).toEqual(['sent', 'queued']);
    expect(all.skipped).toEqual([{ sn_number: 'SN-3', reason: 'queue_full' }]);
    expect(JSON.parse(lastOf(server.requests)?.body ?? '')).toMatchObject({ sn_numbers: 'all' });

    await expect(admin.listCommands('SN-1', { state: 'queued', limit: 5 })).resolves.toEqual({
      count: 1,
      results: [command],
    });
    await expect(admin.getCommand('cmd-1')).resolves.toEqual(command);
  });

  it('lists devices with online, search, limit and offset, and deletes a device', async () => {
    const server = await startAdminServer();
    const admin = adminClient(server.url);
    await expect(
      admin.listDevices({ online: true, search: 'lobby tv', limit: 50, offset: 100 }),
    ).resolves.toMatchObject({ count: 101, results: [{ sn_number: 'SN-1', online: true }] });
    await expect(admin.listDevices({ online: false, offset: 0 })).resolves.toEqual({
      count: 0,
      results: [],
    });
    await expect(admin.listDevices()).resolves.toMatchObject({ count: 1 });
    expect(lastOf(server.requests)?.url).toBe(`${BASE}/devices/`);

    await expect(admin.deleteDevice('SN 1/2')).resolves.toBeUndefined();
    expect(lastOf(server.requests)).toMatchObject({
      method: 'DELETE',
      url: `${BASE}/devices/SN%201%2F2/`,
    });
    await expect(admin.deleteDevice('SN-404')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
      message: 'Device SN-404 not found',
    });
    expectTypeOf<Parameters<SignageAdminClient['listDevices']>[0]>().toEqualTypeOf<
      DeviceListQuery | undefined
    >();
    expectTypeOf<DeviceListQuery>().toEqualTypeOf<{
      online?: boolean | undefined;
      search?: string | undefined;
      limit?: number | undefined;
      offset?: number | undefined;
    }>();
  });

  it('uploads media as multipart with the file in `file`', async () => {
    const server = await startAdminServer();
    const admin = adminClient(server.url);
    const bytes = new Uint8Array([1, 2, 3, 4]);
    await expect(
      admin.uploadMedia(bytes, {
        fileName: 'logo1.jpg',
        contentType: 'image/jpeg',
        mediaName: 'Logo',
      }),
    ).resolves.toEqual(media);
    const upload = lastOf(server.requests);
    expect(upload?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(upload?.body).toMatch(/name="media_name"\r\n\r\nLogo\r\n/);
    expect(upload?.body).toMatch(/name="file"; filename="logo1.jpg"\r\nContent-Type: image\/jpeg/);

    await admin.uploadMedia(new File([bytes], 'clip.mp4', { type: 'video/mp4' }));
    expect(lastOf(server.requests)?.body).toMatch(
      /name="file"; filename="clip.mp4"\r\nContent-Type: video\/mp4/,
    );
  });

  it('fetches a screenshot as a JPEG blob', async () => {
    const server = await startAdminServer();
    const admin = adminClient(server.url);
    const blob = await admin.getScreenshot(3);
    expect(blob.type).toBe('image/jpeg');
    expect(Buffer.from(await blob.arrayBuffer())).toEqual(JPEG);
    await expect(admin.getScreenshot(4)).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('refreshes once after a 401, for JSON calls and the screenshot alike', async () => {
    const server = await startAdminServer();
    const admin = adminClient(server.url);
    await admin.listDevices();
    server.expire();
    await expect(admin.listDevices()).resolves.toMatchObject({ count: 1 });
    expect(server.refreshes.map((body) => JSON.parse(body) as unknown)).toEqual([
      { refresh: 'r-1' },
    ]);
    expect(server.requests.slice(-3).map((r) => [r.url, r.headers.authorization])).toEqual([
      [`${BASE}/devices/`, 'Bearer admin-1'],
      ['/api/v1/auth/token/refresh/', undefined],
      [`${BASE}/devices/`, 'Bearer admin-2'],
    ]);
    server.expire();
    const blob = await admin.getScreenshot(3);
    expect(blob.size).toBe(JPEG.length);
    expect(server.refreshes).toHaveLength(2);
  });

  it('works with a fixed token', async () => {
    const server = await startAdminServer();
    server.accept('static-token');
    const admin = createSignageAdminClient({ baseUrl: server.url, token: 'static-token' });
    await expect(admin.getDevice('SN-1')).resolves.toEqual(device);
    expect(admin.tokens).toBeUndefined();
    expect(server.requests.some((r) => r.url.startsWith('/api/v1/auth/'))).toBe(false);
  });

  it("reads the server's errors: 409 while a playlist uses the media", async () => {
    const server = await startAdminServer();
    const admin = adminClient(server.url);
    const failure = await admin.deleteMedia(7).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MarqueeError);
    expect(failure).toMatchObject({ code: 'CONFLICT', status: 409, message: 'A playlist uses it' });
  });

  it('types commands as the actions without a command_id requirement', () => {
    expectTypeOf<{ action: 'play' }>().toExtend<AdminCommand>();
    expectTypeOf<{ action: 'set_volume'; volume: number }>().toExtend<AdminCommand>();
    expectTypeOf(adminClient).returns.toHaveProperty('sendCommand');
  });
});
