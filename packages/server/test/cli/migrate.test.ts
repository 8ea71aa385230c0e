/**
 * `marquee migrate --from sqlite --to postgres` as an operator runs it: the built bin in a real
 * child process copies a data directory a real server filled (accounts, a device, media, a
 * playlist on its screen, commands, monitoring history) into a fresh PostgreSQL database; a
 * server started on that database with the same data directory serves all of it, and new rows
 * continue after the copied ids. A second copy into the now non-empty database is refused, and so
 * are `marquee backup` with MARQUEE_DATABASE_URL set and a command line it does not support.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { protocol } from '@marquee/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { postgresForTests, type TestDatabase } from '../helpers/postgres';
import { call, login, startTestServer } from '../helpers/server';
import {
  ADMIN_API,
  createPlaylist,
  jpegBytes,
  putScreen,
  register,
  sendCommand,
  uploadMedia,
  userToken,
} from '../signage/helpers';

const postgres = await postgresForTests();
const scratch = mkdtempSync(join(tmpdir(), 'marquee-migrate-cli-'));
const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
  rmSync(scratch, { recursive: true, force: true });
});
const marquee = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { cwd: scratch, env });

// Child processes of the built bin take seconds each on a loaded machine.
describe.skipIf(!postgres.available)(
  'marquee migrate --from sqlite --to postgres',
  { timeout: 90_000 },
  () => {
    it('copies a filled data directory; a server on PostgreSQL then serves the same data', async () => {
      const dataDir = join(scratch, 'data');
      const image = jpegBytes(20_000, 4);
      const source = await startTestServer({}, { dataDir });
      let playlistId: number;
      let mediaId: number;
      try {
        const admin = await source.login();
        const device = await userToken(source, 'lobby-tv');
        expect(await register(source, device, 'SN-MIGRATE')).toBe(201);
        const media = await uploadMedia(source, admin, 'logo.jpg', image, 'image/jpeg');
        mediaId = media.media_id;
        playlistId = (
          await createPlaylist(source, admin, {
            name: 'lobby loop',
            width: 1920,
            height: 1080,
            media_items: [{ media_id: mediaId }],
          })
        ).id;
        await putScreen(source, admin, 'SN-MIGRATE', 'front', {
          screen_name: 'Front',
          resolution: '1920x1080',
          playlist_ids: [playlistId],
        });
        await sendCommand(source, admin, 'SN-MIGRATE', { action: 'pause' });
      } finally {
        await source.close();
      }

      const database = await postgres.createDatabase();
      databases.push(database);
      const copied = await marquee([
        'migrate',
        '--from',
        'sqlite',
        '--to',
        'postgres',
        '--data-dir',
        dataDir,
        '--database-url',
        database.url,
      ]);
      expect(copied.stderr).toBe('');
      expect(copied.code).toBe(0);
      expect(copied.stdout).toMatch(/counts verified/);
      expect(copied.stdout).toMatch(/signage_devices\s+1\n/);
      expect(copied.stdout).toMatch(/signage_commands\s+2\n/);
      expect(copied.stdout).toMatch(/\n {2}users\s+2\n/);

      const target = await startTestServer({ databaseUrl: database.url }, { dataDir });
      try {
        expect(target.server.store.kind).toBe('postgres');
        const admin = await target.login();
        // The device account's password came along with it.
        const device = await login(target.url, 'lobby-tv', 'device-password-1');
        const detail = protocol.signage.DeviceDetail.parse(
          (await call(`${target.url}${ADMIN_API}/devices/SN-MIGRATE/`, { token: admin })).body,
        );
        expect(detail.pending_commands.map((c) => c.command.action)).toEqual([
          'reload_playlist',
          'pause',
        ]);
        const playlists = await call(
          `${target.url}/api/v1/admin/cloud/playlists?sn_number=SN-MIGRATE`,
          {
            token: device,
          },
        );
        expect(JSON.stringify(playlists.body)).toContain('lobby loop');
        // The media row came along, and its file (still in the data directory) is served.
        const media = await call(`${target.url}${ADMIN_API}/media/`, { token: admin });
        const url = JSON.stringify(media.body).match(/"media_url":"([^"]+)"/)?.[1];
        expect(url).toBeDefined();
        const file = await fetch(`${target.url}${url ?? ''}`, {
          headers: { authorization: `Bearer ${admin}` },
        });
        expect(file.status).toBe(200);
        expect(Buffer.from(await file.arrayBuffer()).equals(image)).toBe(true);
        // Identity sequences continue after the copied ids.
        const next = await createPlaylist(target, admin, {
          name: 'after',
          width: 1,
          height: 1,
          media_items: [],
        });
        expect(next.id).toBe(playlistId + 1);
      } finally {
        await target.close();
      }

      const again = await marquee(
        ['migrate', '--from', 'sqlite', '--to', 'postgres', '--data-dir', dataDir],
        { MARQUEE_DATABASE_URL: database.url },
      );
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/already holds Marquee data/);
    });

    it('refuses what it does not do: other engines, no target, backups of a PostgreSQL store', async () => {
      const usage = await marquee(['migrate', '--from', 'postgres', '--to', 'sqlite']);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(/Only --from sqlite --to postgres/);
      const noTarget = await marquee(['migrate', '--from', 'sqlite', '--to', 'postgres']);
      expect(noTarget.code).toBe(2);
      expect(noTarget.stderr).toMatch(/--database-url or MARQUEE_DATABASE_URL/);
      const backup = await marquee(['backup', join(scratch, 'x.tar.gz')], {
        MARQUEE_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      });
      expect(backup.code).toBe(1);
      expect(backup.stderr).toMatch(/pg_dump/);
    });
  },
);
