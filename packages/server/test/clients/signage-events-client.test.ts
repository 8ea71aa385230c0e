/**
 * The fleet's push channel (`WS /ws/cloud/admin/`) and the SDK's SignageEventsClient against a
 * real server on port 0 with an injected clock: `hello` first; a device coming online, its last
 * seen (throttled to one notice per 10 s of the monotonic clock), its playlist status and ready
 * playlists, a screen assignment changing its current playlist, a screenshot, going offline and
 * being removed; pairing codes pending, approved and
 * rejected; a command queued, sent and acked, one that fails, and queued commands expiring in
 * the sweep. Who may open it: operators and admins by Bearer, `?token=` or the session cookie
 * (same Origin); viewers, devices, display tokens and a cookie from a foreign Origin are refused
 * before the handshake.
 */
import { createSignageEventsClient, protocol, type SignageEventsClient } from '@marquee/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { call, startTestServer, type TestServer } from '../helpers/server';
import {
  ADMIN_API,
  createPlaylist,
  jpegBytes,
  mp4Bytes,
  openDevice,
  postMultipart,
  putScreen,
  register,
  sendCommand,
  uploadMedia,
  userToken,
  waitOnline,
} from '../signage/helpers';

type Message = protocol.signage.AdminServerMessage;

let t: TestServer;
let clock: number;
let client: SignageEventsClient | undefined;

async function start(): Promise<string> {
  clock = Date.UTC(2026, 11, 8, 9, 0, 0);
  t = await startTestServer({}, { now: () => clock, monotonic: () => clock });
  return t.login();
}
afterEach(async () => {
  client?.close();
  client = undefined;
  await t.close();
});

/** Connects the SDK client and records every message it emits, in order. */
async function listen(token: string): Promise<Message[]> {
  const seen: Message[] = [];
  let resyncs = 0;
  client = createSignageEventsClient({ baseUrl: t.url, token: () => token, heartbeat: false });
  client.on('hello', (m) => seen.push(m));
  client.on('resync', () => (resyncs += 1));
  client.on('device', (m) => seen.push(m));
  client.on('pairing', (m) => seen.push(m));
  client.on('command', (m) => seen.push(m));
  client.on('commands_expired', (m) => seen.push(m));
  client.connect();
  await vi.waitFor(() => expect(resyncs).toBe(1));
  return seen;
}

const devices = (seen: Message[], sn: string) =>
  seen.flatMap((m) => (m.type === 'device' && m.sn_number === sn ? [m.change] : []));
const states = (seen: Message[], id: string) =>
  seen.flatMap((m) => (m.type === 'command' && m.command_id === id ? [m.state] : []));

function refused(url: string, headers: Record<string, string> = {}): Promise<number> {
  const ws = new WebSocket(url, { headers });
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    ws.once('error', () => undefined);
  });
}

describe('the fleet push channel', () => {
  it('pushes device online, last seen, status, current playlist, offline and removal', async () => {
    const admin = await start();
    const seen = await listen(admin);
    expect(seen[0]).toEqual({ type: 'hello', role: 'admin', at: new Date(clock).toISOString() });

    const tv = await userToken(t, 'tv-1');
    await register(t, tv, 'SN-1');
    const device = await openDevice(t.wsUrl, tv, 'SN-1', { acks: true });
    await waitOnline(t, 'SN-1');
    await vi.waitFor(() => expect(devices(seen, 'SN-1')).toEqual(['online', 'last_seen']));
    expect(seen.find((m) => m.type === 'device' && m.change === 'online')).toMatchObject({
      online: true,
      last_seen: new Date(clock).toISOString(),
    });

    // Within 10 s a message says nothing more about last seen; after it, once.
    const media = await uploadMedia(t, admin, 'a.mp4', mp4Bytes(), 'video/mp4');
    const playlist = await createPlaylist(t, admin, {
      name: 'Lobby',
      width: 1920,
      height: 1080,
      media_items: [{ media_id: media.media_id }],
    });
    device.send({ type: 'playlist_status', playlist_id: playlist.id, status: 'ready' });
    await vi.waitFor(() =>
      expect(devices(seen, 'SN-1')).toEqual(['online', 'last_seen', 'status']),
    );
    expect(seen.at(-1)).toMatchObject({
      playlist_status: { playlist_id: playlist.id, status: 'ready' },
    });
    clock += 10_000;
    device.send({ type: 'ready_playlists', playlist_ids: [playlist.id] });
    await vi.waitFor(() => expect(devices(seen, 'SN-1').slice(3)).toEqual(['last_seen', 'status']));

    await putScreen(t, admin, 'SN-1', 'front', {
      screen_name: 'Front',
      resolution: '1920x1080',
      playlist_ids: [playlist.id],
    });
    await vi.waitFor(() =>
      expect(seen.at(-1)).toMatchObject({
        type: 'device',
        change: 'current_playlist',
        current_playlist: playlist.id,
      }),
    );

    const shot = await postMultipart(
      `${t.url}/api/v1/screenshot`,
      tv,
      { device_id: 'SN-1', media_id: String(media.media_id) },
      { field: 'image_file', name: 'screen.jpg', type: 'image/jpeg', bytes: jpegBytes(400) },
    );
    expect(shot.status).toBe(200);
    await vi.waitFor(() => expect(devices(seen, 'SN-1').at(-1)).toBe('screenshot'));

    device.ws.close();
    await vi.waitFor(() => expect(devices(seen, 'SN-1')).toContain('offline'));
    expect(seen.find((m) => m.type === 'device' && m.change === 'offline')).toMatchObject({
      online: false,
    });
    const removed = await call(`${t.url}${ADMIN_API}/devices/SN-1/`, {
      token: admin,
      method: 'DELETE',
    });
    expect(removed.status).toBe(204);
    await vi.waitFor(() => expect(devices(seen, 'SN-1').at(-1)).toBe('removed'));
  });

  it('pushes each command state: queued, sent, acked or failed, and expiry in the sweep', async () => {
    const admin = await start();
    const seen = await listen(admin);
    const tv = await userToken(t, 'tv-2');
    await register(t, tv, 'SN-2');
    const device = await openDevice(t.wsUrl, tv, 'SN-2', { acks: true });
    await waitOnline(t, 'SN-2');

    const ok = await sendCommand(t, admin, 'SN-2', { action: 'set_volume', volume: 30 });
    await vi.waitFor(() => expect(states(seen, ok)).toEqual(['queued', 'sent']));
    device.send({ type: 'ack', command_id: ok, ok: true });
    await vi.waitFor(() => expect(states(seen, ok)).toEqual(['queued', 'sent', 'acked']));
    expect(seen.find((m) => m.type === 'command' && m.state === 'acked')).toMatchObject({
      sn_number: 'SN-2',
      action: 'set_volume',
      error: null,
    });

    const bad = await sendCommand(t, admin, 'SN-2', { action: 'next' });
    await vi.waitFor(() => expect(states(seen, bad)).toEqual(['queued', 'sent']));
    device.send({ type: 'ack', command_id: bad, ok: false, error: 'nothing to skip to' });
    await vi.waitFor(() => expect(states(seen, bad)).toEqual(['queued', 'sent', 'failed']));
    expect(seen.at(-1)).toMatchObject({ error: 'nothing to skip to' });

    // Offline: queued, then expired by the sweep (the device list runs it).
    device.ws.close();
    await vi.waitFor(() => expect(devices(seen, 'SN-2')).toContain('offline'));
    const late = await sendCommand(t, admin, 'SN-2', { action: 'play' }, 5);
    await vi.waitFor(() => expect(states(seen, late)).toEqual(['queued']));
    clock += 6000;
    expect((await call(`${t.url}${ADMIN_API}/devices/`, { token: admin })).status).toBe(200);
    await vi.waitFor(() =>
      expect(seen.at(-1)).toMatchObject({ type: 'commands_expired', count: 1 }),
    );
  });

  it('pushes pairing codes pending, approved and rejected', async () => {
    const admin = await start();
    const seen = await listen(admin);
    const startPairing = async () => {
      const res = await call(`${t.url}/api/v1/cloud/pairing/`, { body: { sn_number: 'SN-P' } });
      return protocol.signage.PairingStarted.parse(res.body).code;
    };
    const first = await startPairing();
    const second = await startPairing();
    const approved = await call(`${t.url}${ADMIN_API}/pairing/${first}/approve/`, {
      token: admin,
      body: { sn_number: 'SN-P', name: 'Lobby' },
    });
    expect(approved.status).toBe(200);
    const rejected = await call(`${t.url}${ADMIN_API}/pairing/${second}/`, {
      token: admin,
      method: 'DELETE',
    });
    expect(rejected.status).toBe(204);
    await vi.waitFor(() =>
      expect(seen.filter((m) => m.type === 'pairing')).toEqual([
        { type: 'pairing', change: 'pending', code: first, at: expect.any(String) },
        { type: 'pairing', change: 'pending', code: second, at: expect.any(String) },
        {
          type: 'pairing',
          change: 'approved',
          code: first,
          sn_number: 'SN-P',
          at: expect.any(String),
        },
        { type: 'pairing', change: 'rejected', code: second, at: expect.any(String) },
      ]),
    );
  });

  it('opens for operators by token or same-origin cookie; refuses others before the handshake', async () => {
    const admin = await start();
    await t.server.auth.createUser({
      username: 'op',
      password: 'operator-pass-1',
      role: 'operator',
    });
    await t.server.auth.createUser({ username: 'vi', password: 'viewer-pass-1', role: 'viewer' });
    const path = `${t.wsUrl}/ws/cloud/admin/`;
    const loginAs = async (username: string, password: string) =>
      (
        (await call(`${t.url}/api/v1/auth/token/`, { body: { username, password } })).body as {
          access: string;
        }
      ).access;
    const operator = await loginAs('op', 'operator-pass-1');
    expect((await listen(operator))[0]).toMatchObject({ type: 'hello', role: 'operator' });

    const viewer = await loginAs('vi', 'viewer-pass-1');
    expect(await refused(`${path}?token=${viewer}`)).toBe(403);
    expect(await refused(path, { authorization: `Bearer ${viewer}` })).toBe(403);
    expect(await refused(`${path}?token=${await userToken(t, 'tv-3')}`)).toBe(403);
    expect(await refused(path)).toBe(401);
    const display = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token: admin,
      body: { name: 'lobby', scopes: ['*'] },
    });
    const displayToken = (display.body as { token: string }).token;
    expect(await refused(`${path}?token=${displayToken}`)).toBe(403);

    const session = await fetch(`${t.url}/api/v1/auth/session/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'op', password: 'operator-pass-1' }),
    });
    const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(await refused(path, { cookie, origin: 'https://evil.example' })).toBe(403);
    const ws = new WebSocket(path, { headers: { cookie, origin: t.url } });
    const hello = await new Promise<unknown>((resolve, reject) => {
      ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8'))));
      ws.once('error', reject);
    });
    expect(hello).toMatchObject({ type: 'hello', role: 'operator' });
    ws.close();
  });
});
