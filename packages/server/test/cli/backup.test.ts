/**
 * `marquee backup` and `marquee restore` as an operator runs them: the built bin in real child
 * processes, against a real server (real SQLite file, real media files) that keeps taking writes
 * while it is backed up; the archive restored into a fresh directory and a server started on it,
 * where the device, its account, the media (byte for byte) and the playlist are all back. Also
 * the refusals: an existing data directory without --force, a directory a server is using, an
 * archive that is not a backup or was damaged.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { protocol } from '@marquee/sdk';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../helpers/cli';
import { call, login, startTestServer } from '../helpers/server';
import {
  ADMIN_API,
  createPlaylist,
  deviceBody,
  jpegBytes,
  mp4Bytes,
  postMultipart,
  register,
  uploadMedia,
  userToken,
} from '../signage/helpers';

const scratch = mkdtempSync(join(tmpdir(), 'marquee-backup-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const marquee = (args: string[]) => runCli(args, { cwd: scratch });
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

async function download(url: string, token: string): Promise<Buffer> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, url).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

describe('marquee backup / restore', () => {
  it('backs up a running server under writes; the restore serves the same devices, media and playlists', async () => {
    const source = join(scratch, 'source');
    const archive = join(scratch, 'backups', 'nightly.tar.gz');
    const image = jpegBytes(300_000, 3);
    const video = mp4Bytes(700_000, 5);
    let playlistId: number;
    const t = await startTestServer({}, { dataDir: source });
    try {
      const admin = await t.login();
      const device = await userToken(t, 'lobby-tv');
      expect(await register(t, device, 'SN-LOBBY')).toBe(201);
      const logo = await uploadMedia(t, admin, 'logo.jpg', image, 'image/jpeg');
      const ad = await uploadMedia(t, admin, 'ad.mp4', video, 'video/mp4');
      const playlist = await createPlaylist(t, admin, {
        name: 'lobby loop',
        width: 1920,
        height: 1080,
        media_items: [{ media_id: logo.media_id }, { media_id: ad.media_id }],
      });
      playlistId = playlist.id;
      const shot = await postMultipart(
        `${t.url}/api/v1/screenshot`,
        device,
        { device_id: 'SN-LOBBY', media_id: String(logo.media_id) },
        { field: 'image_file', name: 's.jpg', type: 'image/jpeg', bytes: jpegBytes(5000, 9) },
      );
      expect(shot.status).toBe(200);

      // The Now Playing flow: a session played and stopped lands in the history.
      const played = await call(`${t.url}/api/dashboard/session/update`, {
        token: admin,
        body: {
          session_id: 'blade-runner',
          title: 'Blade Runner',
          current_time: 60,
          duration: 7000,
          state: 'playing',
        },
      });
      expect(played.status).toBe(200);
      const stopped = await call(`${t.url}/api/dashboard/session/blade-runner/stop`, {
        token: admin,
        method: 'POST',
      });
      expect(stopped.status).toBe(200);
      await vi.waitFor(async () =>
        expect(await t.server.store.sessionHistory.list({ limit: 10 })).toHaveLength(1),
      );

      // Writes keep arriving while the backup runs: devices registering, media uploaded.
      let writing = true;
      const load = (async () => {
        let n = 0;
        while (writing) {
          n += 1;
          const res = await call(`${t.url}${ADMIN_API}/device/register/`, {
            token: admin,
            body: deviceBody(`SN-LOAD-${n}`),
          });
          expect(res.status).toBe(201);
          await uploadMedia(t, admin, `load-${n}.jpg`, jpegBytes(20_000, n), 'image/jpeg');
        }
        return n;
      })();
      const backedUp = await marquee(['backup', archive, '--data-dir', source]);
      writing = false;
      const loadWrites = await load;
      expect(backedUp.code, backedUp.stderr).toBe(0);
      expect(backedUp.stdout).toContain(`Backed up ${source} to ${archive}`);
      expect(loadWrites).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
    expect(existsSync(archive)).toBe(true);
    expect(existsSync(`${join(scratch, 'backups')}/.nightly.tar.gz.partial`)).toBe(false);

    const restored = join(scratch, 'restored');
    const restore = await marquee(['restore', archive, '--data-dir', restored]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/Restored the backup of \S+ into .*sizes and MD5 checked/);

    const r = await startTestServer({}, { dataDir: restored });
    try {
      const admin = await r.login();
      // The seed 002 device flow with the restored device account: sign in, register again.
      const device = await login(r.url, 'lobby-tv', 'device-password-1');
      const again = await call(`${r.url}${ADMIN_API}/device/register/`, {
        token: device,
        body: deviceBody('SN-LOBBY'),
      });
      expect(again.status, JSON.stringify(again.body)).toBe(200);

      const media = protocol.signage.MediaList.parse(
        (await call(`${r.url}${ADMIN_API}/media/`, { token: admin })).body,
      );
      const byName = new Map(media.results.map((m) => [m.media_name, m]));
      const logo = byName.get('logo.jpg');
      const ad = byName.get('ad.mp4');
      expect(logo?.checksum).toBe(md5(image));
      expect(ad?.checksum).toBe(md5(video));
      expect(md5(await download(`${r.url}${logo?.media_url}`, admin))).toBe(md5(image));
      expect(md5(await download(`${r.url}${ad?.media_url}`, admin))).toBe(md5(video));
      // Every media row the snapshot holds has its file, including those uploaded under load.
      for (const m of media.results) {
        expect(md5(await download(`${r.url}${m.media_url}`, admin))).toBe(m.checksum);
      }

      const playlist = await call(`${r.url}${ADMIN_API}/playlists/${playlistId}/`, {
        token: admin,
      });
      expect(playlist.status).toBe(200);
      expect(playlist.body).toMatchObject({ name: 'lobby loop' });
      const history = await call(`${r.url}/api/dashboard/history`, { token: admin });
      expect(history.status).toBe(200);
      expect(
        protocol.history.HistoryResponse.parse(history.body).sessions.map((x) => x.title),
      ).toEqual(['Blade Runner']);
      const devices = await call(`${r.url}${ADMIN_API}/devices/SN-LOBBY/`, { token: admin });
      expect(devices.status).toBe(200);

      // Refused while a server uses the directory, even with --force.
      const busy = await marquee(['restore', archive, '--data-dir', restored, '--force']);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain(`is using the data directory ${restored}`);
    } finally {
      await r.close();
    }

    // Existing data is kept without --force, replaced with it.
    const exists = await marquee(['restore', archive, '--data-dir', restored]);
    expect(exists.code).toBe(1);
    expect(exists.stderr).toContain('already holds Marquee data');
    expect(exists.stderr).toContain('--force');
    const forced = await marquee(['restore', archive, '--data-dir', restored, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
  }, 120_000);

  it('refuses an archive that is not a backup or was damaged, leaving the directory untouched', async () => {
    const source = join(scratch, 'small');
    const t = await startTestServer({}, { dataDir: source });
    try {
      const admin = await t.login();
      await uploadMedia(t, admin, 'one.jpg', jpegBytes(4000, 1), 'image/jpeg');
    } finally {
      await t.close();
    }
    // A stopped server's directory backs up too.
    const archive = join(scratch, 'small.tar.gz');
    const done = await marquee(['backup', archive, '--data-dir', source]);
    expect(done.code, done.stderr).toBe(0);

    const garbage = join(scratch, 'garbage.tar.gz');
    writeFileSync(garbage, 'not an archive at all');
    const target = join(scratch, 'untouched');
    const notArchive = await marquee(['restore', garbage, '--data-dir', target]);
    expect(notArchive.code).toBe(1);
    expect(notArchive.stderr).toContain('marquee restore:');
    expect(existsSync(join(target, 'marquee.db'))).toBe(false);

    // One byte of the media file changed inside the (uncompressed) tar: its MD5 no longer matches.
    const tarBytes = gunzipSync(readFileSync(archive));
    const at = tarBytes.indexOf(jpegBytes(4000, 1).subarray(0, 64));
    expect(at).toBeGreaterThan(0);
    tarBytes[at + 100] = (tarBytes[at + 100] ?? 0) ^ 0xff;
    const damaged = join(scratch, 'damaged.tar.gz');
    writeFileSync(damaged, gzipSync(tarBytes));
    const refused = await marquee(['restore', damaged, '--data-dir', target]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/damaged: signage\/media\/images\/\d+_one\.jpg/);
    expect(existsSync(join(target, 'marquee.db'))).toBe(false);

    const usage = await marquee(['restore']);
    expect(usage.code).toBe(2);
    const empty = await marquee(['backup', join(scratch, 'x.tar.gz'), '--data-dir', target]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('No Marquee database');
  }, 60_000);
});
