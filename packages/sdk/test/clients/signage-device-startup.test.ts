/**
 * The device client's startup flow (seed 002, "Complete Startup Flow") and its tokens, against a
 * fake of the seed's HTTP + WebSocket API on real sockets: login → register → playlists →
 * downloads → control socket → statuses and `ready_playlists`; refresh 5 minutes before expiry
 * on an injected clock, once after a 401, and for socket reconnects.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { SCREENS_FILE, type DeviceClient } from '../../src/device';
import { MarqueeError } from '../../src/errors';
import type { DeviceScreens, Playlist } from '../../src/protocol/signage/index';
import { WAIT } from '../transport/helpers';
import {
  DEVICE,
  deviceClient,
  downloading,
  mediaGets,
  startOnline,
  statusesFor,
  tempCacheDir,
} from './signage-device-helpers';
import {
  CREDENTIALS,
  SN,
  bytes,
  frontScreen,
  playlist,
  startFakeSignageServer,
} from './signage-fake-server';

const MINUTE = 60_000;

async function twoItemServer(options: { expiresIn?: number } = {}) {
  const server = await startFakeSignageServer(options);
  const logo = server.addMedia(1001, 'logo1.jpg', bytes(5000, 1));
  const video = server.addMedia(1002, 'ad_video.mp4', bytes(40_000, 2));
  server.setScreens(frontScreen([playlist(101, [logo, video], 'Morning Ads')]));
  return { server, logo, video };
}

describe('the device client startup flow', () => {
  it('logs in, registers, fetches playlists, downloads, connects and reports ready', async () => {
    const { server, logo, video } = await twoItemServer();
    const cacheDir = tempCacheDir();
    const { client, log } = deviceClient(server.url, { cacheDir });
    const screens: DeviceScreens[] = [];
    const current: Playlist[] = [];
    client.on('screens', (s, source) => source === 'server' && screens.push(s));
    client.on('current-playlist', (p) => current.push(p));

    await startOnline(client);

    // The seed's order: login, register, playlists, each media file; then the socket.
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /api/v1/auth/token/',
      'POST /api/v1/admin/cloud/device/register/',
      `GET /api/v1/admin/cloud/playlists?sn_number=${SN}`,
      'GET /media/logo1.jpg',
      'GET /media/ad_video.mp4',
    ]);
    expect(JSON.parse(server.requests[0]?.body.toString() ?? '')).toEqual(CREDENTIALS);
    expect(server.registered).toEqual([{ ...DEVICE, brightness: 50, volume: 50 }]);
    for (const request of server.requests.slice(1)) {
      expect(request.headers.authorization).toBe('Bearer access-1');
    }
    expect(server.socketUrls).toEqual([
      `/ws/cloud/tb_device/?token=access-1&sn_number=${SN}&acks=1`,
    ]);

    // Statuses queued during the download go out in order once the socket opens, then ready.
    await vi.waitFor(() => expect(server.received).toHaveLength(5), WAIT);
    expect(server.received).toEqual([
      downloading(101, 2, 0),
      downloading(101, 2, 1),
      downloading(101, 2, 2),
      {
        type: 'playlist_status',
        playlist_id: 101,
        status: 'ready',
        total_items: 2,
        downloaded_items: 2,
      },
      { type: 'ready_playlists', playlist_ids: [101] },
    ]);

    // Files cached as {media_id}_{media_name}, the playlists answer kept for offline starts.
    expect(readFileSync(join(cacheDir, '1001_logo1.jpg'))).toEqual(bytes(5000, 1));
    expect(readFileSync(join(cacheDir, '1002_ad_video.mp4'))).toEqual(bytes(40_000, 2));
    expect(existsSync(join(cacheDir, '1002_ad_video.mp4.part'))).toBe(false);
    expect(JSON.parse(readFileSync(join(cacheDir, SCREENS_FILE), 'utf8'))).toEqual(screens[0]);
    expect(client.mediaPath(logo)).toBe(join(cacheDir, '1001_logo1.jpg'));
    expect(client.isAvailable(video)).toBe(true);
    expect(client.readyPlaylists).toEqual([101]);
    expect(client.currentPlaylist?.id).toBe(101);
    expect(current.map((p) => p.id)).toEqual([101]);
    expect(log.states).toEqual(['starting', 'online']);
    expect(log.media.map((m) => [m.item.media_name, m.outcome, m.requests])).toEqual([
      ['logo1.jpg', 'downloaded', 1],
      ['ad_video.mp4', 'downloaded', 1],
    ]);
    expect(log.errors).toEqual([]);
  });

  it('downloads a file shared by two playlists once and reports each playlist', async () => {
    const server = await startFakeSignageServer();
    const shared = server.addMedia(7, 'shared.jpg', bytes(3000, 7));
    const own = server.addMedia(8, 'own.jpg', bytes(3000, 8));
    server.setScreens(frontScreen([playlist(201, [shared]), playlist(202, [shared, own])]));
    const { client } = deviceClient(server.url, { cacheDir: tempCacheDir() });
    await startOnline(client);
    await vi.waitFor(() => expect(server.received.at(-1)?.type).toBe('ready_playlists'), WAIT);
    expect(mediaGets(server, 'shared.jpg')).toHaveLength(1);
    expect(statusesFor(server, 201).at(-1)).toMatchObject({ status: 'ready', total_items: 1 });
    expect(statusesFor(server, 202).at(-1)).toMatchObject({ status: 'ready', total_items: 2 });
    expect(server.received.at(-1)).toEqual({ type: 'ready_playlists', playlist_ids: [201, 202] });
  });

  it('rejects start on wrong credentials without retrying', async () => {
    const { server } = await twoItemServer();
    const { client } = deviceClient(server.url, {
      cacheDir: tempCacheDir(),
      credentials: { username: 'tv', password: 'wrong' },
    });
    const failure = await client.start().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MarqueeError);
    expect(failure).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 400 });
    expect(client.state).toBe('idle');
    expect(server.requests).toHaveLength(1);
  });

  it('rejects an invalid device up front', () => {
    expect(() =>
      deviceClient('http://127.0.0.1:1', {
        cacheDir: tempCacheDir(),
        device: { ...DEVICE, brightness: 101 },
      }),
    ).toThrow(/Invalid device/);
  });

  it('uploads a screenshot as the seed documents it', async () => {
    const { server } = await twoItemServer();
    const { client } = deviceClient(server.url, { cacheDir: tempCacheDir() });
    await startOnline(client);
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
    await expect(client.uploadScreenshot(1001, jpeg)).resolves.toEqual({
      message: 'Screenshot uploaded successfully',
    });
    const [upload] = server.requestsTo('/api/v1/screenshot');
    expect(upload?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const body = upload?.body.toString('latin1') ?? '';
    expect(body).toMatch(/name="device_id"\r\n\r\nDEVICE-SN-12345\r\n/);
    expect(body).toMatch(/name="media_id"\r\n\r\n1001\r\n/);
    expect(body).toMatch(
      /name="image_file"; filename="screenshot.jpg"\r\nContent-Type: image\/jpeg/,
    );
  });

  it('types its events and options', () => {
    expectTypeOf<Parameters<DeviceClient['start']>>().toEqualTypeOf<[]>();
    expectTypeOf<DeviceClient['readyPlaylists']>().toEqualTypeOf<number[]>();
  });
});

describe('the device client tokens', () => {
  it('refreshes 5 minutes before expiry on its clock, for REST calls and the socket', async () => {
    const { server } = await twoItemServer({ expiresIn: 3600 });
    let now = 1_000_000;
    const { client } = deviceClient(server.url, { cacheDir: tempCacheDir(), now: () => now });
    await startOnline(client);
    expect(server.requestsTo('/api/v1/auth/token/refresh/')).toHaveLength(0);

    // 54 minutes in: still 6 minutes left, no refresh.
    now += 54 * MINUTE;
    await client.reload();
    expect(server.requestsTo('/api/v1/auth/token/refresh/')).toHaveLength(0);

    // 56 minutes in: inside the 5-minute window, so the next call refreshes first.
    now += 2 * MINUTE;
    await client.reload();
    const refreshes = server.requestsTo('/api/v1/auth/token/refresh/');
    expect(refreshes).toHaveLength(1);
    expect(JSON.parse(refreshes[0]?.body.toString() ?? '')).toEqual({ refresh: 'refresh-1' });
    const playlists = server.requestsTo('/api/v1/admin/cloud/playlists');
    expect(playlists.at(-1)?.headers.authorization).toBe('Bearer access-2');

    // A reconnect presents the refreshed token.
    server.lastSocket().terminate();
    await vi.waitFor(() => expect(server.socketUrls).toHaveLength(2), WAIT);
    expect(server.socketUrls[1]).toBe(`/ws/cloud/tb_device/?token=access-2&sn_number=${SN}&acks=1`);
    await vi.waitFor(() => expect(client.state).toBe('online'), WAIT);
  });

  it('refreshes once after a 401 and retries the call', async () => {
    const { server } = await twoItemServer();
    const { client } = deviceClient(server.url, { cacheDir: tempCacheDir() });
    await startOnline(client);
    server.faults.unauthorizedOnce.add('/api/v1/admin/cloud/playlists');
    await client.reload();
    expect(server.requestsTo('/api/v1/auth/token/refresh/')).toHaveLength(1);
    const playlists = server.requestsTo('/api/v1/admin/cloud/playlists');
    expect(playlists.map((r) => r.headers.authorization)).toEqual([
      'Bearer access-1',
      'Bearer access-1',
      'Bearer access-2',
    ]);
  });

  it('refreshes once after a 401 on a media download', async () => {
    const { server } = await twoItemServer();
    server.faults.unauthorizedOnce.add('/media/logo1.jpg');
    const { client, log } = deviceClient(server.url, { cacheDir: tempCacheDir() });
    await startOnline(client);
    expect(mediaGets(server, 'logo1.jpg').map((r) => r.headers.authorization)).toEqual([
      'Bearer access-1',
      'Bearer access-2',
    ]);
    expect(log.media[0]).toMatchObject({ outcome: 'downloaded', requests: 2 });
  });

  it('refreshes before reconnecting when the server refuses the socket token', async () => {
    const { server } = await twoItemServer();
    const { client } = deviceClient(server.url, { cacheDir: tempCacheDir() });
    await startOnline(client);
    server.revokeAccess();
    server.lastSocket().terminate();
    await vi.waitFor(() => expect(server.socketUrls.length).toBeGreaterThanOrEqual(3), WAIT);
    expect(server.socketUrls[1]).toContain('token=access-1');
    expect(server.socketUrls[2]).toContain('token=access-2');
    await vi.waitFor(() => expect(client.state).toBe('online'), WAIT);
  });
});
