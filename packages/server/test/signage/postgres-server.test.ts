/**
 * The real server on PostgreSQL (`MARQUEE_DATABASE_URL`), end to end: a signage device registers,
 * gets a playlist on its screen, receives commands on its socket and acknowledges them; a command
 * queued while it is offline survives a restart of the server on the same database and is
 * delivered once. The rows are in PostgreSQL, and no SQLite file is made in the data directory.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { protocol } from '@marquee/sdk';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/server';
import { postgresForTests, type TestDatabase } from '../helpers/postgres';
import {
  ADMIN_API,
  createPlaylist,
  getCommand,
  jpegBytes,
  openDevice,
  putScreen,
  register,
  sendCommand,
  uploadMedia,
  userToken,
  waitOnline,
  type RawDevice,
} from './helpers';

const postgres = await postgresForTests();

describe.skipIf(!postgres.available)('the server on PostgreSQL', () => {
  let database: TestDatabase | undefined;
  let dataDir = '';
  const servers: TestServer[] = [];
  const sockets: RawDevice[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.ws.terminate();
    await Promise.all(servers.splice(0).map((server) => server.close()));
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<TestServer> {
    if (database === undefined) throw new Error('no database');
    const server = await startTestServer({ databaseUrl: database.url }, { dataDir });
    servers.push(server);
    return server;
  }

  async function count(table: string): Promise<number> {
    const client = new pg.Client({ connectionString: database?.url });
    await client.connect();
    try {
      const result = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
      return Number(result.rows[0]?.n);
    } finally {
      await client.end();
    }
  }

  it('registers a device, serves its playlist, delivers and settles commands, across a restart', async () => {
    database = await postgres.createDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'marquee-pg-server-'));
    const t = await start();
    expect(t.server.store.kind).toBe('postgres');
    const admin = await t.login();
    const token = await userToken(t, 'lobby-tv');
    expect(await register(t, token, 'SN-PG-1')).toBe(201);

    const media = await uploadMedia(t, admin, 'logo.jpg', jpegBytes(4096, 7), 'image/jpeg');
    const playlist = await createPlaylist(t, admin, {
      name: 'lobby',
      width: 1920,
      height: 1080,
      media_items: [{ media_id: media.media_id }],
    });
    await putScreen(t, admin, 'SN-PG-1', 'front', {
      screen_name: 'Front',
      resolution: '1920x1080',
      playlist_ids: [playlist.id],
    });
    const playlists = await call(`${t.url}/api/v1/admin/cloud/playlists?sn_number=SN-PG-1`, {
      token,
    });
    expect(playlists.status).toBe(200);
    expect(JSON.stringify(playlists.body)).toContain('"lobby"');

    const socket = await openDevice(t.wsUrl, token, 'SN-PG-1', { acks: true });
    sockets.push(socket);
    await waitOnline(t, 'SN-PG-1');
    const brightness = await sendCommand(t, admin, 'SN-PG-1', {
      action: 'set_brightness',
      brightness: 33,
    });
    await vi.waitFor(() => expect(socket.actions().map((a) => a.command_id)).toContain(brightness));
    // The screen change queued a reload_playlist before it connected: acknowledge all.
    for (const { command_id } of socket.actions()) {
      socket.send({ type: 'ack', command_id, ok: true });
    }
    expect(socket.actions().map((a) => a.action)).toEqual(['reload_playlist', 'set_brightness']);
    await vi.waitFor(async () =>
      expect(await getCommand(t, admin, brightness)).toMatchObject({ state: 'acked' }),
    );
    const detail = protocol.signage.DeviceDetail.parse(
      (await call(`${t.url}${ADMIN_API}/devices/SN-PG-1/`, { token: admin })).body,
    );
    expect(detail.brightness).toBe(33);

    // Offline: the command is queued in PostgreSQL and outlives the server.
    socket.ws.close();
    await socket.closed;
    await vi.waitFor(() => expect(t.server.signage.connections.isOnline('SN-PG-1')).toBe(false));
    const pause = await sendCommand(t, admin, 'SN-PG-1', { action: 'pause' });
    expect(await count('signage_commands')).toBe(3);
    expect(await count('signage_devices')).toBe(1);
    await t.close();
    servers.splice(servers.indexOf(t), 1);

    const again = await start();
    const socketAgain = await openDevice(again.wsUrl, token, 'SN-PG-1', { acks: true });
    sockets.push(socketAgain);
    await vi.waitFor(() => expect(socketAgain.actions()).toHaveLength(1));
    expect(socketAgain.actions()[0]).toMatchObject({ action: 'pause', command_id: pause });
    socketAgain.send({ type: 'ack', command_id: pause, ok: true });
    const adminAgain = await again.login();
    await vi.waitFor(async () =>
      expect(await getCommand(again, adminAgain, pause)).toMatchObject({ state: 'acked' }),
    );
    // The media file stays in the data directory; the database does not.
    expect(existsSync(join(dataDir, 'marquee.db'))).toBe(false);
  });
});
