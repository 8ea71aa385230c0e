/**
 * The device WebSocket and the command queue against a real server: who may open a device's
 * socket, every action delivered with a `command_id` and acknowledged, status messages tracked,
 * bad messages answered without closing, offline devices receiving their queue in order exactly
 * once, TTL expiry, `reload_playlist` after playlist and screen changes, and re-delivery of
 * unacknowledged commands to devices that acknowledge (`acks=1`).
 */
import { rmSync } from 'node:fs';
import { protocol } from '@marquee/sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { ADMIN, call, login, startTestServer, type TestServer } from '../helpers/server';
import {
  ADMIN_API,
  createPlaylist,
  getCommand,
  jpegBytes,
  openDevice,
  putScreen,
  refusedStatus,
  register,
  sendCommand,
  uploadMedia,
  userToken,
  waitOnline,
  type RawDevice,
} from './helpers';

const { signage, CloseCodes } = protocol;

let t: TestServer;
let admin: string;
let clock: number;
const sockets: RawDevice[] = [];

beforeEach(async () => {
  clock = Date.parse('2025-01-15T10:00:00.000Z');
  t = await startTestServer({}, { now: () => clock });
  admin = await login(t.url, ADMIN.username, ADMIN.password);
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await t.close();
});

async function device(
  token: string,
  sn: string,
  options: { acks?: boolean } = {},
): Promise<RawDevice> {
  const socket = await openDevice(t.wsUrl, token, sn, options);
  sockets.push(socket);
  await waitOnline(t, sn);
  return socket;
}

async function detail(sn: string): Promise<protocol.signage.DeviceDetail> {
  return signage.DeviceDetail.parse(
    (await call(`${t.url}${ADMIN_API}/devices/${sn}/`, { token: admin })).body,
  );
}

const ALL_ACTIONS: protocol.signage.ServerAction[] = [
  { action: 'play' },
  { action: 'pause' },
  { action: 'next' },
  { action: 'previous' },
  { action: 'reload_playlist' },
  { action: 'switch_playlist', playlist_id: 102 },
  { action: 'play_media', media_id: 1005, media_index: 3 },
  {
    action: 'show_text_overlay',
    text_overlay: {
      text: 'Special Promotion Today!',
      position: 'bottom',
      animation: 'scroll',
      speed: 50,
      font_size: 24,
      background_color: '#000000',
      text_color: '#FFFFFF',
    },
  },
  { action: 'hide_text_overlay' },
  { action: 'set_brightness', brightness: 75 },
  { action: 'set_volume', volume: 60 },
];

describe('opening the device socket', () => {
  it("refuses a bad token (401), an unknown device (404) and another account's device (403)", async () => {
    const owner = await userToken(t, 'tv-1');
    const other = await userToken(t, 'tv-2');
    await register(t, owner, 'SN-1');
    expect(await refusedStatus(t.wsUrl, 'not-a-token', 'SN-1')).toBe(401);
    expect(await refusedStatus(t.wsUrl, '', 'SN-1')).toBe(401);
    expect(await refusedStatus(t.wsUrl, owner, 'SN-404')).toBe(404);
    expect(await refusedStatus(t.wsUrl, other, 'SN-1')).toBe(403);
    expect(await refusedStatus(t.wsUrl, owner, '')).toBe(400);

    const socket = await device(owner, 'SN-1');
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    const viaAdmin = await device(admin, 'SN-1');
    // A newer socket for the same device replaces the older one.
    expect(await socket.closed).toBe(CloseCodes.REPLACED);
    expect(viaAdmin.ws.readyState).toBe(viaAdmin.ws.OPEN);
  });

  it('tracks online, offline and last seen', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    expect(await detail('SN-1')).toMatchObject({ online: false, last_seen: null });
    const socket = await device(token, 'SN-1');
    expect(await detail('SN-1')).toMatchObject({
      online: true,
      last_seen: '2025-01-15T10:00:00.000Z',
    });
    clock += 60_000;
    socket.ws.close();
    await vi.waitFor(async () =>
      expect(await detail('SN-1')).toMatchObject({
        online: false,
        last_seen: '2025-01-15T10:01:00.000Z',
      }),
    );
  });
});

describe('commands to an online device', () => {
  it('delivers each of the 11 actions with a command_id, and acks settle them', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const socket = await device(token, 'SN-1');
    const ids: string[] = [];
    for (const action of ALL_ACTIONS) ids.push(await sendCommand(t, admin, 'SN-1', action));
    await vi.waitFor(() => expect(socket.actions()).toHaveLength(ALL_ACTIONS.length));
    // Each carries its id and its expiry: creation time (the test clock) plus the default TTL.
    const expiresAt = new Date(clock + 24 * 3600_000).toISOString();
    expect(socket.actions()).toEqual(
      ALL_ACTIONS.map((action, i) => ({ ...action, command_id: ids[i], expires_at: expiresAt })),
    );
    for (const id of ids) {
      expect(await getCommand(t, admin, id)).toMatchObject({
        state: 'sent',
        expires_at: expiresAt,
      });
    }

    const [first, second] = ids;
    socket.send({ type: 'ack', command_id: first, ok: true });
    socket.send({ type: 'ack', command_id: second, ok: false, error: 'Player busy' });
    await vi.waitFor(async () => {
      expect(await getCommand(t, admin, first ?? '')).toMatchObject({
        state: 'acked',
        error: null,
      });
      expect(await getCommand(t, admin, second ?? '')).toMatchObject({
        state: 'failed',
        error: 'Player busy',
      });
    });
    // A repeated ack changes nothing; an unknown id is answered with an error.
    socket.send({ type: 'ack', command_id: second, ok: true });
    socket.send({ type: 'ack', command_id: 'no-such-command', ok: true });
    await vi.waitFor(() => expect(socket.errors()).toHaveLength(1));
    expect(socket.errors()[0]).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
    expect((await getCommand(t, admin, second ?? '')).state).toBe('failed');

    const list = signage.CommandList.parse(
      (await call(`${t.url}${ADMIN_API}/devices/SN-1/commands/?state=acked`, { token: admin }))
        .body,
    );
    expect(list.results.map((c) => c.command_id)).toEqual([first]);
  });

  it('an acknowledged switch_playlist becomes the current playlist', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const media = await uploadMedia(t, admin, 'a.jpg', jpegBytes(100), 'image/jpeg');
    const playlist = await createPlaylist(t, admin, {
      name: 'P',
      width: 100,
      height: 100,
      media_items: [{ media_id: media.media_id }],
    });
    const socket = await device(token, 'SN-1');
    const id = await sendCommand(t, admin, 'SN-1', {
      action: 'switch_playlist',
      playlist_id: playlist.id,
    });
    await vi.waitFor(() => expect(socket.actions()).toHaveLength(1));
    socket.send({ type: 'ack', command_id: id, ok: true });
    await vi.waitFor(async () => expect((await detail('SN-1')).current_playlist).toBe(playlist.id));
  });

  it('broadcasts to a list of devices or all of them, one command id each', async () => {
    const token = await userToken(t, 'tv-1');
    for (const sn of ['SN-1', 'SN-2', 'SN-3']) await register(t, token, sn);
    const one = await device(token, 'SN-1');
    const listed = await call(`${t.url}${ADMIN_API}/commands/`, {
      token: admin,
      body: { command: { action: 'pause' }, sn_numbers: ['SN-1', 'SN-2'] },
    });
    expect(listed.status).toBe(202);
    const accepted = signage.CommandsAccepted.parse(listed.body).commands;
    expect(accepted.map((c) => [c.sn_number, c.state])).toEqual([
      ['SN-1', 'sent'],
      ['SN-2', 'queued'],
    ]);
    expect(new Set(accepted.map((c) => c.command_id)).size).toBe(2);
    const all = await call(`${t.url}${ADMIN_API}/commands/`, {
      token: admin,
      body: { command: { action: 'play' }, sn_numbers: 'all' },
    });
    expect(signage.CommandsAccepted.parse(all.body).commands).toHaveLength(3);
    await vi.waitFor(() => expect(one.actions().map((a) => a.action)).toEqual(['pause', 'play']));
    const unknown = await call(`${t.url}${ADMIN_API}/commands/`, {
      token: admin,
      body: { command: { action: 'play' }, sn_numbers: ['SN-1', 'SN-404'] },
    });
    expect(unknown.status).toBe(404);
    const bad = await call(`${t.url}${ADMIN_API}/devices/SN-1/commands/`, {
      token: admin,
      body: { command: { action: 'set_volume', volume: 101 } },
    });
    expect(bad.status).toBe(400);
  });
});

describe('messages from the device', () => {
  it('answers malformed JSON and invalid messages with an error and keeps the socket open', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const socket = await device(token, 'SN-1');
    socket.sendRaw('{not json');
    socket.send({ type: 'playlist_status', playlist_id: 101, status: 'downloading' });
    socket.send({ type: 'something_else' });
    await vi.waitFor(() => expect(socket.errors()).toHaveLength(3));
    const [json, status, unknown] = socket.errors();
    expect(json).toEqual({ type: 'error', code: 'BAD_REQUEST', message: 'Malformed JSON message' });
    expect(status?.message).toContain('total_items');
    expect(unknown?.code).toBe('BAD_REQUEST');
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    // Still a working device socket.
    await sendCommand(t, admin, 'SN-1', { action: 'play' });
    await vi.waitFor(() => expect(socket.actions()).toHaveLength(1));
  });

  it('tracks ready playlists and each status, and shows them to devices and admins', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const media = await uploadMedia(t, admin, 'a.jpg', jpegBytes(100), 'image/jpeg');
    const make = (name: string) =>
      createPlaylist(t, admin, {
        name,
        width: 100,
        height: 100,
        media_items: [{ media_id: media.media_id }],
      });
    const [p1, p2, p3, p4] = [await make('1'), await make('2'), await make('3'), await make('4')];
    await putScreen(t, admin, 'SN-1', 'front', {
      screen_name: 'Front',
      resolution: '1920x1080',
      playlist_ids: [p1.id, p2.id, p3.id, p4.id],
    });
    clock += 1000;
    const socket = await device(token, 'SN-1');
    socket.send({
      type: 'playlist_status',
      playlist_id: p1.id,
      status: 'ready',
      total_items: 1,
      downloaded_items: 1,
    });
    socket.send({
      type: 'playlist_status',
      playlist_id: p2.id,
      status: 'downloading',
      total_items: 7,
      downloaded_items: 3,
    });
    socket.send({
      type: 'playlist_status',
      playlist_id: p3.id,
      status: 'partial',
      total_items: 7,
      downloaded_items: 5,
      missing_files: ['file1.mp4'],
    });
    socket.send({
      type: 'playlist_status',
      playlist_id: p4.id,
      status: 'failed',
      error: 'Network error',
    });
    await vi.waitFor(async () => expect((await detail('SN-1')).playlist_statuses).toHaveLength(4));
    clock += 1000;
    socket.send({ type: 'ready_playlists', playlist_ids: [p1.id] });
    await vi.waitFor(async () => expect((await detail('SN-1')).ready_playlists).toEqual([p1.id]));

    const info = await detail('SN-1');
    expect(info.playlist_statuses).toEqual([
      expect.objectContaining({ playlist_id: p1.id, status: 'ready', total_items: 1 }),
      expect.objectContaining({ playlist_id: p2.id, status: 'downloading', downloaded_items: 3 }),
      expect.objectContaining({
        playlist_id: p3.id,
        status: 'partial',
        missing_files: ['file1.mp4'],
      }),
      expect.objectContaining({
        playlist_id: p4.id,
        status: 'failed',
        error: 'Network error',
        total_items: null,
      }),
    ]);
    expect(info.ready_playlists_at).toBe('2025-01-15T10:00:02.000Z');
    expect(info.current_playlist).toBe(p1.id);

    const screens = signage.DeviceScreens.parse(
      (await call(`${t.url}/api/v1/admin/cloud/playlists?sn_number=SN-1`, { token })).body,
    );
    const status = (id: number) => screens.front_screen?.playlists.find((p) => p.id === id)?.status;
    expect(status(p1.id)).toEqual({
      is_ready: true,
      all_downloaded: true,
      missing_files: [],
      last_verified: '2025-01-15T10:00:02.000Z',
    });
    // The newer ready list says p3 is not ready, whatever its earlier partial report said.
    expect(status(p3.id)).toMatchObject({ is_ready: false, all_downloaded: false });
    expect(status(p2.id)).toMatchObject({ is_ready: false });

    // A later report wins again; a playlist changed since is no longer verified.
    clock += 1000;
    socket.send({
      type: 'playlist_status',
      playlist_id: p3.id,
      status: 'partial',
      total_items: 1,
      downloaded_items: 0,
      missing_files: ['a.jpg'],
    });
    await vi.waitFor(async () => {
      const again = signage.DeviceScreens.parse(
        (await call(`${t.url}/api/v1/admin/cloud/playlists?sn_number=SN-1`, { token })).body,
      );
      expect(again.front_screen?.playlists.find((p) => p.id === p3.id)?.status).toEqual({
        is_ready: true,
        all_downloaded: false,
        missing_files: ['a.jpg'],
        last_verified: '2025-01-15T10:00:03.000Z',
      });
    });
    clock += 1000;
    await call(`${t.url}${ADMIN_API}/playlists/${p1.id}/`, {
      token: admin,
      method: 'PUT',
      body: { name: '1b', width: 100, height: 100, media_items: [{ media_id: media.media_id }] },
    });
    const after = signage.DeviceScreens.parse(
      (await call(`${t.url}/api/v1/admin/cloud/playlists?sn_number=SN-1`, { token })).body,
    );
    expect(after.front_screen?.playlists[0]?.status).toMatchObject({ is_ready: false });
  });
});

describe('commands to an offline device', () => {
  it('queues them and delivers them in order, exactly once, when the device connects', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const ids = [
      await sendCommand(t, admin, 'SN-1', { action: 'set_volume', volume: 10 }),
      await sendCommand(t, admin, 'SN-1', { action: 'pause' }),
      await sendCommand(t, admin, 'SN-1', { action: 'set_brightness', brightness: 20 }),
    ];
    const before = await detail('SN-1');
    expect(before.pending_command_count).toBe(3);
    expect(before.pending_commands.map((c) => c.command_id)).toEqual(ids);
    expect(before.pending_commands.every((c) => c.state === 'queued')).toBe(true);

    const first = await device(token, 'SN-1');
    await vi.waitFor(() => expect(first.actions()).toHaveLength(3));
    expect(first.actions().map((a) => a.command_id)).toEqual(ids);
    expect(first.actions().map((a) => a.action)).toEqual(['set_volume', 'pause', 'set_brightness']);
    for (const id of ids) expect((await getCommand(t, admin, id)).state).toBe('sent');
    expect((await detail('SN-1')).pending_command_count).toBe(0);

    first.ws.close();
    await first.closed;
    const second = await device(token, 'SN-1');
    await sendCommand(t, admin, 'SN-1', { action: 'next' });
    await vi.waitFor(() => expect(second.actions()).toHaveLength(1));
    expect(second.actions()[0]?.action).toBe('next');
  });

  it('records a command the device acked as expired (received past expires_at) as expired', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const socket = await device(token, 'SN-1', { acks: true });
    const id = await sendCommand(t, admin, 'SN-1', { action: 'set_volume', volume: 12 }, 60);
    await vi.waitFor(() => expect(socket.actions()).toHaveLength(1));
    socket.send({ type: 'ack', command_id: id, ok: false, expired: true, error: 'Expired' });
    await vi.waitFor(async () =>
      expect(await getCommand(t, admin, id)).toMatchObject({ state: 'expired', error: 'Expired' }),
    );
    // Not applied, so not recorded as the device's volume.
    const detail = await call(`${t.url}${ADMIN_API}/devices/SN-1/`, { token: admin });
    expect((detail.body as { volume: number }).volume).not.toBe(12);
  });

  it('expires a queued command whose TTL passed; it is never delivered', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const short = await sendCommand(t, admin, 'SN-1', { action: 'play' }, 60);
    const long = await sendCommand(t, admin, 'SN-1', { action: 'pause' }, 3600);
    clock += 61_000;
    expect((await getCommand(t, admin, short)).state).toBe('expired');
    expect((await getCommand(t, admin, long)).state).toBe('queued');
    const socket = await device(token, 'SN-1');
    await vi.waitFor(() => expect(socket.actions()).toHaveLength(1));
    expect(socket.actions()[0]).toEqual({
      action: 'pause',
      command_id: long,
      expires_at: new Date(clock - 61_000 + 3600_000).toISOString(),
    });
    expect((await getCommand(t, admin, short)).state).toBe('expired');
  });
});

describe('reload_playlist after changes', () => {
  it('is sent when a playlist, its items or a screen assignment changes (queued when offline)', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    await register(t, token, 'SN-2');
    const media = await uploadMedia(t, admin, 'a.jpg', jpegBytes(100), 'image/jpeg');
    const playlist = await createPlaylist(t, admin, {
      name: 'P',
      width: 100,
      height: 100,
      media_items: [{ media_id: media.media_id }],
    });
    const online = await device(token, 'SN-1');
    const screen = { screen_name: 'Front', resolution: '1920x1080', playlist_ids: [playlist.id] };
    await putScreen(t, admin, 'SN-1', 'front', screen);
    await putScreen(t, admin, 'SN-2', 'front', screen);
    await vi.waitFor(() => expect(online.actions()).toHaveLength(1));
    expect(online.actions()[0]).toMatchObject({ action: 'reload_playlist' });

    const put = await call(`${t.url}${ADMIN_API}/playlists/${playlist.id}/`, {
      token: admin,
      method: 'PUT',
      body: {
        name: 'P2',
        width: 100,
        height: 100,
        media_items: [{ media_id: media.media_id }, { media_id: media.media_id, order: 5 }],
      },
    });
    expect(put.status).toBe(200);
    expect(signage.AdminPlaylist.parse(put.body).sn_numbers).toEqual(['SN-1', 'SN-2']);
    await vi.waitFor(() => expect(online.actions()).toHaveLength(2));
    expect(online.actions()[1]).toMatchObject({ action: 'reload_playlist' });
    expect(online.actions()[1]?.command_id).toEqual(expect.any(String));

    // The offline device has one reload queued, not one per change.
    const offline = await detail('SN-2');
    expect(offline.pending_commands.map((c) => c.command.action)).toEqual(['reload_playlist']);

    await call(`${t.url}${ADMIN_API}/playlists/${playlist.id}/`, {
      token: admin,
      method: 'DELETE',
    });
    await vi.waitFor(() => expect(online.actions()).toHaveLength(3));
    expect((await detail('SN-1')).front_screen?.playlist_ids).toEqual([]);
  });
});

// Re-delivery to devices that acknowledge (`acks=1`): a command written but not acknowledged
// before the socket dropped, or before the server stopped, is written again with the same
// `command_id` on the next socket, in its place in the order, while its TTL lasts; nothing is
// written twice to one socket; seed-only devices keep at-most-once delivery. Acked brightness and
// volume become the device's stored levels (a device that does not ack: delivered ones).

async function drop(socket: RawDevice, sn: string): Promise<void> {
  socket.ws.terminate();
  await socket.closed;
  await vi.waitFor(() => expect(t.server.signage.connections.isOnline(sn)).toBe(false));
}

const ids = (socket: RawDevice) => socket.actions().map((a) => a.command_id);

describe('a device that acknowledges (acks=1)', () => {
  it('gets unacknowledged commands again, same ids, in order, before newer ones', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const first = await device(token, 'SN-1', { acks: true });
    const a = await sendCommand(t, admin, 'SN-1', { action: 'pause' });
    const b = await sendCommand(t, admin, 'SN-1', { action: 'set_volume', volume: 30 });
    await vi.waitFor(() => expect(ids(first)).toEqual([a, b]));
    first.send({ type: 'ack', command_id: a, ok: true });
    await vi.waitFor(async () => expect((await getCommand(t, admin, a)).state).toBe('acked'));
    await drop(first, 'SN-1');

    // Queued while offline: delivered after the one the dropped socket never acknowledged.
    const c = await sendCommand(t, admin, 'SN-1', { action: 'next' });
    const second = await device(token, 'SN-1', { acks: true });
    await vi.waitFor(() => expect(ids(second)).toEqual([b, c]));
    expect(second.actions()[0]).toEqual({
      action: 'set_volume',
      volume: 30,
      command_id: b,
      expires_at: (await getCommand(t, admin, b)).expires_at,
    });
    expect((await getCommand(t, admin, b)).state).toBe('sent');

    // A new command on this socket is written once; a later flush does not repeat b or c.
    const d = await sendCommand(t, admin, 'SN-1', { action: 'play' });
    await vi.waitFor(() => expect(ids(second)).toEqual([b, c, d]));
    for (const id of [b, c, d]) second.send({ type: 'ack', command_id: id, ok: true });
    await vi.waitFor(async () => expect((await getCommand(t, admin, d)).state).toBe('acked'));
    // A repeated ack (a device answering a re-delivery it had applied) is harmless.
    second.send({ type: 'ack', command_id: b, ok: true });
    await drop(second, 'SN-1');

    const third = await device(token, 'SN-1', { acks: true });
    const e = await sendCommand(t, admin, 'SN-1', { action: 'previous' });
    await vi.waitFor(() => expect(ids(third)).toEqual([e]));
    expect(third.errors()).toEqual([]);
    const { volume } = signage.DeviceDetail.parse(
      (await call(`${t.url}${ADMIN_API}/devices/SN-1/`, { token: admin })).body,
    );
    expect(volume).toBe(30);
  });

  it('re-delivers what was unacknowledged when the server stopped, after a restart', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const first = await device(token, 'SN-1', { acks: true });
    const a = await sendCommand(t, admin, 'SN-1', { action: 'set_brightness', brightness: 80 });
    await vi.waitFor(() => expect(ids(first)).toEqual([a]));
    // The same data directory under a new server, as after a crash and restart.
    const dataDir = t.dataDir;
    await t.server.close();
    const restarted = await startTestServer({ dataDir }, { now: () => clock });
    t = {
      ...restarted,
      close: async () => {
        await restarted.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
    const second = await device(token, 'SN-1', { acks: true });
    await vi.waitFor(() => expect(ids(second)).toEqual([a]));
    second.send({ type: 'ack', command_id: a, ok: true });
    await vi.waitFor(async () => expect((await getCommand(t, admin, a)).state).toBe('acked'));
  });

  it('does not re-deliver a command whose TTL has passed', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const first = await device(token, 'SN-1', { acks: true });
    const short = await sendCommand(t, admin, 'SN-1', { action: 'play' }, 60);
    const long = await sendCommand(t, admin, 'SN-1', { action: 'pause' }, 3600);
    await vi.waitFor(() => expect(ids(first)).toEqual([short, long]));
    await drop(first, 'SN-1');
    clock += 61_000;
    const second = await device(token, 'SN-1', { acks: true });
    await vi.waitFor(() => expect(ids(second)).toEqual([long]));
    expect((await getCommand(t, admin, short)).state).toBe('sent');
  });

  it('refuses an acks value other than 1', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const ws = new WebSocket(
      `${t.wsUrl}/ws/cloud/tb_device/?token=${encodeURIComponent(token)}&sn_number=SN-1&acks=yes`,
    );
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.once('open', () => reject(new Error('the upgrade was accepted')));
      ws.once('error', () => undefined);
    });
    ws.terminate();
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({
      message: 'The acks query parameter must be 1 when present',
      status_code: 400,
    });
  });
});

describe('a seed-only device (no acks)', () => {
  it('gets each command at most once, even when it never acknowledged it', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const first = await device(token, 'SN-1', { acks: false });
    const a = await sendCommand(t, admin, 'SN-1', { action: 'pause' });
    await vi.waitFor(() => expect(ids(first)).toEqual([a]));
    await drop(first, 'SN-1');
    const second = await device(token, 'SN-1', { acks: false });
    const b = await sendCommand(t, admin, 'SN-1', { action: 'play' });
    await vi.waitFor(() => expect(ids(second)).toEqual([b]));
    expect((await getCommand(t, admin, a)).state).toBe('sent');
  });
});

describe('levels the device confirmed', () => {
  it('an acked set_brightness or set_volume becomes the stored level; a refused one does not', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const socket = await device(token, 'SN-1', { acks: true });
    const bright = await sendCommand(t, admin, 'SN-1', {
      action: 'set_brightness',
      brightness: 90,
    });
    const loud = await sendCommand(t, admin, 'SN-1', { action: 'set_volume', volume: 5 });
    await vi.waitFor(() => expect(ids(socket)).toEqual([bright, loud]));
    socket.send({ type: 'ack', command_id: bright, ok: true });
    socket.send({ type: 'ack', command_id: loud, ok: false, error: 'Muted by the owner' });
    await vi.waitFor(async () => expect((await getCommand(t, admin, loud)).state).toBe('failed'));
    const detail = signage.DeviceDetail.parse(
      (await call(`${t.url}${ADMIN_API}/devices/SN-1/`, { token: admin })).body,
    );
    expect(detail.brightness).toBe(90);
    expect(detail.volume).toBe(50);
  });

  it('a device that does not acknowledge has what reached its socket recorded', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const socket = await device(token, 'SN-1');
    const bright = await sendCommand(t, admin, 'SN-1', {
      action: 'set_brightness',
      brightness: 15,
    });
    const loud = await sendCommand(t, admin, 'SN-1', { action: 'set_volume', volume: 70 });
    await vi.waitFor(() => expect(ids(socket)).toEqual([bright, loud]));
    await vi.waitFor(async () => {
      const detail = signage.DeviceDetail.parse(
        (await call(`${t.url}${ADMIN_API}/devices/SN-1/`, { token: admin })).body,
      );
      expect([detail.brightness, detail.volume]).toEqual([15, 70]);
    });
    expect((await getCommand(t, admin, bright)).state).toBe('sent');
  });
});
