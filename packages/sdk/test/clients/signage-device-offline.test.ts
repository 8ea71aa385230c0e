/**
 * The device keeps working from its cache while the server is away (seed 002, Best Practices,
 * "Offline Mode"): a start without a server loads the last playlists from the cache directory and
 * reports `offline`; the startup flow is retried until the server answers; a dropped socket
 * reconnects and downloads again what the outage left missing.
 */
import { describe, expect, it, vi } from 'vitest';
import type { DeviceScreens } from '../../src/protocol/signage/index';
import { WAIT } from '../transport/helpers';
import { refusedUrl } from '../transport/http-server';
import {
  deviceClient,
  mediaGets,
  startOnline,
  statusesFor,
  tempCacheDir,
} from './signage-device-helpers';
import { bytes, frontScreen, playlist, startFakeSignageServer } from './signage-fake-server';

async function cachedDevice() {
  const server = await startFakeSignageServer();
  const logo = server.addMedia(1001, 'logo1.jpg', bytes(5000, 1));
  const video = server.addMedia(1002, 'ad_video.mp4', bytes(20_000, 2));
  const other = server.addMedia(1003, 'other.jpg', bytes(700, 3));
  server.setScreens(frontScreen([playlist(101, [logo, video]), playlist(102, [other])], 101));
  const cacheDir = tempCacheDir();
  const first = deviceClient(server.url, { cacheDir });
  await startOnline(first.client);
  first.client.close();
  return { server, cacheDir };
}

describe('device offline mode', () => {
  it('starts from its cache when the server cannot be reached', async () => {
    const { cacheDir } = await cachedDevice();
    const gone = await refusedUrl();
    const { client, log } = deviceClient(gone, { cacheDir });
    const screens: [DeviceScreens, string][] = [];
    client.on('screens', (s, source) => screens.push([s, source]));

    await client.start();

    expect(client.state).toBe('offline');
    expect(log.states).toEqual(['starting', 'offline']);
    expect(screens).toHaveLength(1);
    expect(screens[0]?.[1]).toBe('cache');
    expect(screens[0]?.[0].front_screen?.playlists.map((p) => p.id)).toEqual([101, 102]);
    expect(client.readyPlaylists).toEqual([101, 102]);
    expect(client.currentPlaylist?.id).toBe(101);
    const [logo] = client.currentPlaylist?.media_items ?? [];
    expect(logo && client.isAvailable(logo)).toBe(true);
    expect(log.errors[0]?.code).toBe('NETWORK');
  });

  it('plays what is cached and keeps retrying until the server is back', async () => {
    const { cacheDir, server } = await cachedDevice();
    server.faults.unavailable = true;
    const { client, log } = deviceClient(server.url, { cacheDir });
    await client.start();
    expect(client.state).toBe('offline');
    expect(client.readyPlaylists).toEqual([101, 102]);
    await vi.waitFor(() => expect(log.errors.length).toBeGreaterThanOrEqual(2), WAIT);
    expect(log.errors.every((e) => e.status === 503)).toBe(true);

    const before = server.received.length;
    server.faults.unavailable = false;
    await vi.waitFor(() => expect(client.state).toBe('online'), WAIT);
    await vi.waitFor(
      () =>
        expect(server.received.slice(before).at(-1)).toEqual({
          type: 'ready_playlists',
          playlist_ids: [101, 102],
        }),
      WAIT,
    );
    expect(log.states).toEqual(['starting', 'offline', 'online']);
    // Everything was cached and verified: the server's return costs no download.
    expect(mediaGets(server, 'ad_video.mp4')).toHaveLength(1);
  });

  it('starts offline with nothing cached, then runs the whole flow once the server answers', async () => {
    const server = await startFakeSignageServer();
    const logo = server.addMedia(1001, 'logo1.jpg', bytes(5000, 1));
    server.setScreens(frontScreen([playlist(101, [logo])]));
    server.faults.unavailable = true;
    const { client } = deviceClient(server.url, { cacheDir: tempCacheDir() });
    await client.start();
    expect(client.state).toBe('offline');
    expect(client.screens).toBeUndefined();
    expect(client.readyPlaylists).toEqual([]);
    server.faults.unavailable = false;
    await vi.waitFor(() => expect(client.state).toBe('online'), WAIT);
    await vi.waitFor(
      () => expect(statusesFor(server, 101).at(-1)).toMatchObject({ status: 'ready' }),
      WAIT,
    );
    expect(client.readyPlaylists).toEqual([101]);
  });

  it('reconnects after losing the socket and downloads what the outage left missing', async () => {
    const server = await startFakeSignageServer();
    const logo = server.addMedia(1001, 'logo1.jpg', bytes(5000, 1));
    server.setScreens(frontScreen([playlist(101, [logo])]));
    server.faults.missing.add('/media/logo1.jpg');
    const { client, log } = deviceClient(server.url, { cacheDir: tempCacheDir() });
    await startOnline(client);
    await vi.waitFor(
      () => expect(statusesFor(server, 101).at(-1)).toMatchObject({ status: 'failed' }),
      WAIT,
    );

    server.faults.missing.delete('/media/logo1.jpg');
    server.lastSocket().terminate();
    await vi.waitFor(() => expect(log.states).toContain('offline'), WAIT);
    await vi.waitFor(
      () =>
        expect(server.received.at(-1)).toEqual({ type: 'ready_playlists', playlist_ids: [101] }),
      WAIT,
    );
    expect(client.state).toBe('online');
    expect(statusesFor(server, 101).at(-1)).toMatchObject({ status: 'ready' });
  });
});
