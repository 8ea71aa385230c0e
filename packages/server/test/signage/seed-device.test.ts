/**
 * A device written from seed 002 alone: plain `fetch` and `ws`, no Marquee SDK, following the
 * seed's "Complete Startup Flow" step by step (login, register, fetch playlists, download and
 * verify each media item, connect the WebSocket, report status) against a real server. It
 * ignores the fields Marquee adds (`command_id`, `code`) exactly as such a device would.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { ADMIN, login, startTestServer, type TestServer } from '../helpers/server';
import { createPlaylist, jpegBytes, putScreen, sendCommand, uploadMedia } from './helpers';

let t: TestServer;

beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.close();
});

interface SeedMediaItem {
  media_id: number;
  media_name: string;
  media_url: string;
  file_size: number;
  checksum: string;
}

it('runs the seed startup flow unchanged', async () => {
  // The operator's side: an account for the TV, and content on its front screen.
  await t.server.auth.createUser({
    username: 'lobby-tv',
    password: 'tv-password-1',
    role: 'device',
  });
  const admin = await login(t.url, ADMIN.username, ADMIN.password);
  const logo = await uploadMedia(t, admin, 'logo1.jpg', jpegBytes(3000), 'image/jpeg');
  const playlist = await createPlaylist(t, admin, {
    name: 'Morning Ads',
    width: 1920,
    height: 1080,
    media_items: [{ media_id: logo.media_id }],
  });

  const base = `${t.url}/api/v1`;
  const json = { 'Content-Type': 'application/json' };
  // 2. Login
  const auth = (await (
    await fetch(`${base}/auth/token/`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ username: 'lobby-tv', password: 'tv-password-1' }),
    })
  ).json()) as { access: string; refresh: string; expires_in: number };
  expect(auth.expires_in).toBe(3600);
  const headers = { Authorization: `Bearer ${auth.access}` };

  // 3. Device registration
  const reg = await fetch(`${base}/admin/cloud/device/register/`, {
    method: 'POST',
    headers: { ...headers, ...json },
    body: JSON.stringify({
      sn_number: 'DEVICE-SN-12345',
      brand: 'Samsung',
      model: 'Galaxy TV',
      manufacturer: 'Samsung Electronics',
      os_version: 'Android 11',
      screen_resolution: '1920x1080',
      total_storage: '32GB',
      free_storage: '20GB',
      app_version: '1.0.0',
    }),
  });
  expect([200, 201]).toContain(reg.status);
  expect(await reg.json()).toEqual({ data: { sn_number: 'DEVICE-SN-12345' } });
  await putScreen(t, admin, 'DEVICE-SN-12345', 'front', {
    screen_name: 'Front Display',
    resolution: '1920x1080',
    playlist_ids: [playlist.id],
  });

  // 4. Fetch playlists
  const screens = (await (
    await fetch(`${base}/admin/cloud/playlists?sn_number=DEVICE-SN-12345`, { headers })
  ).json()) as {
    front_screen: {
      current_playlist: number;
      playlists: Array<{ id: number; media_items: SeedMediaItem[] }>;
    } | null;
    back_screen: unknown;
  };
  expect(screens.back_screen).toBeNull();
  const items = screens.front_screen?.playlists[0]?.media_items ?? [];
  expect(items).toHaveLength(1);

  // 5. Download media (relative URLs resolve against the origin) and verify checksums.
  for (const item of items) {
    const res = await fetch(new URL(item.media_url, t.url), { headers });
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBe(item.file_size);
    expect(createHash('md5').update(bytes).digest('hex')).toBe(item.checksum);
  }

  // 6. WebSocket connection
  const ws = new WebSocket(
    `${t.wsUrl}/ws/cloud/tb_device/?token=${auth.access}&sn_number=DEVICE-SN-12345`,
  );
  const received: Array<{ action?: string }> = [];
  ws.on('message', (data: Buffer) =>
    received.push(JSON.parse(data.toString()) as { action?: string }),
  );
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(
    JSON.stringify({
      type: 'playlist_status',
      playlist_id: playlist.id,
      status: 'downloading',
      total_items: 1,
      downloaded_items: 0,
    }),
  );
  ws.send(
    JSON.stringify({
      type: 'playlist_status',
      playlist_id: playlist.id,
      status: 'ready',
      total_items: 1,
      downloaded_items: 1,
    }),
  );
  ws.send(JSON.stringify({ type: 'ready_playlists', playlist_ids: [playlist.id] }));

  await sendCommand(t, admin, 'DEVICE-SN-12345', { action: 'set_volume', volume: 60 });
  await vi.waitFor(() => expect(received.map((m) => m.action)).toContain('set_volume'));
  // Nothing the seed device did produced an error message.
  expect(received.filter((m) => m.action === undefined)).toEqual([]);
  await vi.waitFor(async () => {
    const again = (await (
      await fetch(`${base}/admin/cloud/playlists?sn_number=DEVICE-SN-12345`, { headers })
    ).json()) as { front_screen: { playlists: Array<{ status: { is_ready: boolean } }> } };
    expect(again.front_screen.playlists[0]?.status.is_ready).toBe(true);
  });
  ws.close();
});
