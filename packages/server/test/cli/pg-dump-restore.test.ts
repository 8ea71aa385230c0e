/**
 * Backing up and restoring a server on PostgreSQL with the commands docs/deploy.md gives, run as
 * an operator runs them, every step a real child process: `marquee start` on a fresh database
 * takes writes (devices registering, media uploaded) while `pg_dump --format=custom` and then a
 * `tar` of the data directory's media and screenshots run; `pg_restore --single-transaction` into
 * another fresh database and the files unpacked into a fresh data directory; `marquee start` on
 * those, where the seed 002 device flow (sign in, register again, the playlist, the media byte for
 * byte, a command over the socket acknowledged) and the Now Playing flow (the history from before,
 * a new session played and stopped) work, and every media row has its file.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { protocol } from '@marquee/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, login } from '../helpers/server';
import { postgresForTests, type TestDatabase } from '../helpers/postgres';
import { adminQuery } from '../helpers/pg-faults';
import {
  ADMIN_API,
  deviceBody,
  jpegBytes,
  mp4Bytes,
  openDevice,
  postMultipart,
  type RawDevice,
} from '../signage/helpers';
import {
  adminToken,
  killServerChild,
  startServerChild,
  type ServerChild,
} from '../signage/server-child';

const postgres = await postgresForTests();
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

/**
 * Runs a command to completion; rejects with its stderr when it exits with a code not in `ok`.
 * GNU tar exits 1 when a file changed or went while it read the folder under writes (the archive
 * is written; docs/deploy.md says so), so the files' tar accepts 1.
 */
function run(
  command: string,
  args: readonly string[],
  ok: readonly number[] = [0],
): Promise<string> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) =>
      code !== null && ok.includes(code)
        ? resolve(out)
        : reject(new Error(`${command} exited ${code}: ${out}`)),
    );
  });
}

describe.skipIf(!postgres.available)('PostgreSQL backup with pg_dump / pg_restore', () => {
  const databases: TestDatabase[] = [];
  const servers: ServerChild[] = [];
  const sockets: RawDevice[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'marquee-pg-dump-'));
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.ws.terminate();
    await Promise.all(servers.splice(0).map((server) => killServerChild(server)));
    await Promise.all(databases.splice(0).map((db) => db.drop()));
    rmSync(scratch, { recursive: true, force: true });
  });

  async function start(url: string, dataDir: string): Promise<ServerChild> {
    const server = await startServerChild(dataDir, {
      MARQUEE_DATABASE_URL: url,
      MARQUEE_RATE_LIMIT_EXEMPT_LOOPBACK: 'true',
      MARQUEE_STORAGE_RESERVE_BYTES: '0',
    });
    servers.push(server);
    return server;
  }
  async function stop(server: ServerChild): Promise<void> {
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    await exited;
    servers.splice(servers.indexOf(server), 1);
  }
  async function upload(url: string, token: string, name: string, bytes: Buffer, type: string) {
    const res = await postMultipart(
      `${url}${ADMIN_API}/media/`,
      token,
      {},
      { field: 'file', name, type, bytes },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return protocol.signage.MediaRecord.parse(res.body);
  }
  async function download(url: string, token: string): Promise<Buffer> {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, url).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  }
  const nowPlaying = async (url: string, token: string, id: string, title: string) => {
    const played = await call(`${url}/api/dashboard/session/update`, {
      token,
      body: { session_id: id, title, current_time: 60, duration: 7000, state: 'playing' },
    });
    expect(played.status).toBe(200);
    const stopped = await call(`${url}/api/dashboard/session/${id}/stop`, {
      token,
      method: 'POST',
    });
    expect(stopped.status).toBe(200);
  };
  const historyTitles = async (url: string, token: string) => {
    const res = await call(`${url}/api/dashboard/history`, { token });
    expect(res.status).toBe(200);
    return protocol.history.HistoryResponse.parse(res.body)
      .sessions.map((s) => s.title)
      .sort();
  };

  it('dumps a running server under writes; the restored database and files serve the device and Now Playing flows', async () => {
    const sourceDb = await postgres.createDatabase();
    const targetDb = await postgres.createDatabase();
    databases.push(sourceDb, targetDb);
    const sourceDir = join(scratch, 'source');
    const targetDir = join(scratch, 'target');
    const dump = join(scratch, 'marquee.dump');
    const files = join(scratch, 'marquee-files.tar.gz');
    const image = jpegBytes(300_000, 3);
    const video = mp4Bytes(700_000, 5);

    const source = await start(sourceDb.url, sourceDir);
    const admin = await adminToken(source.url);
    const created = await call(`${source.url}/api/v1/admin/users/`, {
      token: admin,
      body: { username: 'lobby-tv', role: 'device', password: 'device-password-1' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const device = await login(source.url, 'lobby-tv', 'device-password-1');
    const registered = await call(`${source.url}${ADMIN_API}/device/register/`, {
      token: device,
      body: deviceBody('SN-LOBBY'),
    });
    expect(registered.status).toBe(201);
    const logo = await upload(source.url, admin, 'logo.jpg', image, 'image/jpeg');
    const ad = await upload(source.url, admin, 'ad.mp4', video, 'video/mp4');
    const playlist = await call(`${source.url}${ADMIN_API}/playlists/`, {
      token: admin,
      body: {
        name: 'lobby loop',
        width: 1920,
        height: 1080,
        media_items: [{ media_id: logo.media_id }, { media_id: ad.media_id }],
      },
    });
    expect(playlist.status).toBe(201);
    const playlistId = protocol.signage.AdminPlaylist.parse(playlist.body).id;
    const screen = await call(`${source.url}${ADMIN_API}/devices/SN-LOBBY/screens/front/`, {
      token: admin,
      method: 'PUT',
      body: { screen_name: 'Front', resolution: '1920x1080', playlist_ids: [playlistId] },
    });
    expect(screen.status).toBe(200);
    const shot = jpegBytes(5000, 9);
    const screenshot = await postMultipart(
      `${source.url}/api/v1/screenshot`,
      device,
      { device_id: 'SN-LOBBY', media_id: String(logo.media_id) },
      { field: 'image_file', name: 's.jpg', type: 'image/jpeg', bytes: shot },
    );
    expect(screenshot.status).toBe(200);
    await nowPlaying(source.url, admin, 'blade-runner', 'Blade Runner');
    await vi.waitFor(async () =>
      expect(await historyTitles(source.url, admin)).toEqual(['Blade Runner']),
    );

    // Writes keep arriving while pg_dump and tar run.
    let writing = true;
    const acknowledged: string[] = [];
    const load = (async () => {
      for (let n = 1; writing; n++) {
        const res = await call(`${source.url}${ADMIN_API}/device/register/`, {
          token: admin,
          body: deviceBody(`SN-LOAD-${n}`),
        });
        expect(res.status).toBe(201);
        acknowledged.push(`SN-LOAD-${n}`);
        await upload(source.url, admin, `load-${n}.jpg`, jpegBytes(20_000, n), 'image/jpeg');
      }
    })();
    load.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    await vi.waitFor(() => expect(acknowledged.length).toBeGreaterThan(2), { timeout: 20_000 });
    const beforeDump = [...acknowledged];
    // The documented commands (docs/deploy.md): the database first, then the files.
    await run('pg_dump', ['--format=custom', `--file=${dump}`, sourceDb.url]);
    await run('tar', ['-C', sourceDir, '--exclude=signage/tmp', '-czf', files, 'signage'], [0, 1]);
    writing = false;
    await load;
    expect(acknowledged.length).toBeGreaterThan(beforeDump.length);
    await stop(source);

    await run('pg_restore', [
      '--no-owner',
      '--no-privileges',
      '--exit-on-error',
      '--single-transaction',
      `--dbname=${targetDb.url}`,
      dump,
    ]);
    mkdirSync(targetDir);
    await run('tar', ['-C', targetDir, '-xzf', files]);

    const target = await start(targetDb.url, targetDir);
    const restoredAdmin = await adminToken(target.url);
    // The seed 002 device flow with the restored device account.
    const restoredDevice = await login(target.url, 'lobby-tv', 'device-password-1');
    const again = await call(`${target.url}${ADMIN_API}/device/register/`, {
      token: restoredDevice,
      body: deviceBody('SN-LOBBY'),
    });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    const playlists = await call(`${target.url}${ADMIN_API}/playlists?sn_number=SN-LOBBY`, {
      token: restoredDevice,
    });
    expect(playlists.status).toBe(200);
    expect(JSON.stringify(playlists.body)).toContain('"lobby loop"');

    const media = protocol.signage.MediaList.parse(
      (await call(`${target.url}${ADMIN_API}/media/`, { token: restoredAdmin })).body,
    );
    const byName = new Map(media.results.map((m) => [m.media_name, m]));
    expect(
      md5(await download(`${target.url}${byName.get('logo.jpg')?.media_url}`, restoredDevice)),
    ).toBe(md5(image));
    expect(
      md5(await download(`${target.url}${byName.get('ad.mp4')?.media_url}`, restoredDevice)),
    ).toBe(md5(video));
    // Every media row the dump holds has its file, those uploaded under load too; the files
    // uploaded after the dump (in the tar, without a row) were swept at start.
    for (const m of media.results) {
      expect(md5(await download(`${target.url}${m.media_url}`, restoredAdmin))).toBe(m.checksum);
    }
    const [rowCount] = await adminQuery<{ n: number }>(
      targetDb.url,
      'SELECT count(*)::int AS n FROM signage_media',
    );
    const mediaFiles = readdirSync(join(targetDir, 'signage/media'), {
      recursive: true,
      withFileTypes: true,
    }).filter((entry) => entry.isFile());
    expect(mediaFiles).toHaveLength(rowCount?.n ?? -1);

    const screenshots = await call(`${target.url}${ADMIN_API}/devices/SN-LOBBY/screenshots/`, {
      token: restoredAdmin,
    });
    expect(screenshots.status, JSON.stringify(screenshots.body)).toBe(200);
    const [restoredShot] = protocol.signage.ScreenshotList.parse(screenshots.body).results;
    expect(md5(await download(`${target.url}${restoredShot?.url}`, restoredAdmin))).toBe(md5(shot));

    console.info(
      `pg_dump under load: ${acknowledged.length} registrations and uploads answered during the run ` +
        `(${beforeDump.length} before the dump began), dump ${statSync(dump).size} bytes, ` +
        `files ${statSync(files).size} bytes, ${rowCount?.n} media rows restored with their files`,
    );

    // Every device acknowledged before pg_dump started is in the restore.
    const restoredDevices = new Set(
      (
        await adminQuery<{ sn_number: string }>(
          targetDb.url,
          'SELECT sn_number FROM signage_devices',
        )
      ).map((row) => row.sn_number),
    );
    for (const sn of ['SN-LOBBY', ...beforeDump]) expect(restoredDevices.has(sn), sn).toBe(true);

    // A command over the device socket, acknowledged.
    const socket = await openDevice(target.wsUrl, restoredDevice, 'SN-LOBBY', { acks: true });
    sockets.push(socket);
    const sent = await call(`${target.url}${ADMIN_API}/devices/SN-LOBBY/commands/`, {
      token: restoredAdmin,
      body: { command: { action: 'set_brightness', brightness: 40 } },
    });
    expect(sent.status).toBe(202);
    const commandId = protocol.signage.CommandsAccepted.parse(sent.body).commands[0]?.command_id;
    await vi.waitFor(() => expect(socket.actions().map((a) => a.command_id)).toContain(commandId));
    for (const { command_id } of socket.actions())
      socket.send({ type: 'ack', command_id, ok: true });
    await vi.waitFor(async () => {
      const record = await call(`${target.url}${ADMIN_API}/commands/${commandId}/`, {
        token: restoredAdmin,
      });
      expect(record.body).toMatchObject({ state: 'acked' });
    });

    // The Now Playing flow: the history from before, and a new session recorded.
    expect(await historyTitles(target.url, restoredAdmin)).toEqual(['Blade Runner']);
    await nowPlaying(target.url, restoredAdmin, 'alien', 'Alien');
    await vi.waitFor(async () =>
      expect(await historyTitles(target.url, restoredAdmin)).toEqual(['Alien', 'Blade Runner']),
    );
  }, 240_000);
});
