/**
 * Files and rows agree: a media upload whose commit fails leaves neither row nor file; a
 * screenshot whose row cannot be stored leaves no file; and what a crash leaves behind (an
 * unfinished upload in `tmp/`, files without rows, rows whose file is gone or cut short) is
 * repaired by the sweep when the next server starts on the directory.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sqliteEngineOf } from '../../src/core/store';
import { SQLITE_FULL, sqliteError } from '../helpers/faults';
import { call, startTestServer, type TestServer } from '../helpers/server';
import {
  ADMIN_API,
  createPlaylist,
  jpegBytes,
  mp4Bytes,
  postMultipart,
  register,
  uploadMedia,
  userToken,
} from './helpers';

let t: TestServer | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

const screenshot = (server: TestServer, token: string, mediaId: number) =>
  postMultipart(
    `${server.url}/api/v1/screenshot`,
    token,
    { device_id: 'SN-1', media_id: String(mediaId) },
    { field: 'image_file', name: 's.jpg', type: 'image/jpeg', bytes: jpegBytes(1500, mediaId) },
  );

describe('a write that fails halfway', () => {
  it('a media upload whose commit fails (SQLITE_FULL) leaves no row and no file', async () => {
    const server = (t = await startTestServer());
    const admin = await server.login();
    const { db } = sqliteEngineOf(server.server.store);
    const exec = db.exec.bind(db);
    Object.defineProperty(db, 'exec', {
      configurable: true,
      value: (sql: string) => {
        if (sql === 'RELEASE signage_0') {
          exec('ROLLBACK');
          throw sqliteError(SQLITE_FULL);
        }
        exec(sql);
      },
    });
    let res;
    try {
      res = await postMultipart(
        `${server.url}${ADMIN_API}/media/`,
        admin,
        {},
        { field: 'file', name: 'clip.mp4', type: 'video/mp4', bytes: mp4Bytes(8192) },
      );
    } finally {
      Reflect.deleteProperty(db, 'exec');
    }
    expect(res.status).toBe(507);
    const { files, store } = server.server.signage;
    expect(await store.media.list()).toEqual([]);
    expect(filesUnder(files.mediaDir)).toEqual([]);
    expect(filesUnder(files.tmpDir)).toEqual([]);
    // And the next upload works.
    await uploadMedia(server, admin, 'clip.mp4', mp4Bytes(8192), 'video/mp4');
    expect(filesUnder(files.mediaDir)).toHaveLength(1);
  });

  it('a media file is in place, flushed, before its row commits (a crash between leaves no row without file)', async () => {
    const server = (t = await startTestServer());
    const admin = await server.login();
    const { files } = server.server.signage;
    const other = new DatabaseSync(join(server.dataDir, 'marquee.db'), { readOnly: true });
    const seen: { fileThere: boolean; rowsCommitted: unknown }[] = [];
    const place = files.placeSync.bind(files);
    const spy = vi.spyOn(files, 'placeSync').mockImplementation((tmpPath, target) => {
      place(tmpPath, target);
      seen.push({
        fileThere: existsSync(target),
        // Another connection sees only committed rows.
        rowsCommitted: other.prepare('SELECT COUNT(*) AS n FROM signage_media').get(),
      });
    });
    try {
      await uploadMedia(server, admin, 'clip.mp4', mp4Bytes(8192), 'video/mp4');
    } finally {
      spy.mockRestore();
    }
    expect(seen).toEqual([{ fileThere: true, rowsCommitted: { n: 0 } }]);
    expect(other.prepare('SELECT COUNT(*) AS n FROM signage_media').get()).toEqual({ n: 1 });
    other.close();
  });

  it('a screenshot whose row cannot be stored leaves no file', async () => {
    const server = (t = await startTestServer());
    const device = await userToken(server, 'tv-1');
    await register(server, device, 'SN-1');
    const { files, store } = server.server.signage;
    const create = vi
      .spyOn(store.screenshots, 'create')
      .mockRejectedValueOnce(sqliteError(SQLITE_FULL));
    const res = await screenshot(server, device, 1);
    expect(res.status).toBe(507);
    expect(res.body).toMatchObject({ code: 'STORAGE_FULL' });
    expect(filesUnder(files.screenshotsDir)).toEqual([]);
    expect(filesUnder(files.tmpDir)).toEqual([]);
    create.mockRestore();
    expect((await screenshot(server, device, 2)).status).toBe(200);
    expect(filesUnder(files.screenshotsDir)).toHaveLength(1);
  });
});

describe('the sweep at start', () => {
  it('removes unfinished uploads and orphan files, and rows whose file is gone or cut short', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'marquee-sweep-'));
    let server = (t = await startTestServer({}, { dataDir }));
    let admin = await server.login();
    const device = await userToken(server, 'tv-1');
    await register(server, device, 'SN-1');
    const used = await uploadMedia(server, admin, 'used.mp4', mp4Bytes(4096, 1), 'video/mp4');
    const kept = await uploadMedia(server, admin, 'kept.mp4', mp4Bytes(4096, 2), 'video/mp4');
    const gone = await uploadMedia(server, admin, 'gone.mp4', mp4Bytes(4096, 3), 'video/mp4');
    const cut = await uploadMedia(server, admin, 'cut.mp4', mp4Bytes(4096, 4), 'video/mp4');
    const usedGone = await uploadMedia(server, admin, 'ug.mp4', mp4Bytes(4096, 5), 'video/mp4');
    await createPlaylist(server, admin, {
      name: 'lobby',
      width: 1920,
      height: 1080,
      media_items: [{ media_id: used.media_id }, { media_id: usedGone.media_id }],
    });
    for (let media = 1; media <= 3; media++) {
      expect((await screenshot(server, device, media)).status).toBe(200);
    }
    const { files } = server.server.signage;
    const fileOf = (record: { media_url: string }) =>
      files.mediaFile(record.media_url.replace(/^\/media\//, ''));
    const shots = filesUnder(files.screenshotsDir);
    await server.close();
    t = undefined;

    // What a crash leaves: a half-received upload, a media file renamed into place whose row
    // never committed, a screenshot file without its row; and files lost or cut short.
    mkdirSync(files.tmpDir, { recursive: true });
    writeFileSync(join(files.tmpDir, 'half-upload'), Buffer.alloc(1000));
    writeFileSync(join(files.mediaDir, 'videos', '999_orphan.mp4'), mp4Bytes(4096));
    mkdirSync(join(files.screenshotsDir, 'SN-9'), { recursive: true });
    writeFileSync(join(files.screenshotsDir, 'SN-9', 'orphan.jpg'), jpegBytes(100));
    rmSync(fileOf(gone));
    truncateSync(fileOf(cut), 100);
    rmSync(fileOf(usedGone));
    rmSync(join(files.screenshotsDir, shots[0] ?? ''));

    const log: string[] = [];
    server = t = await startTestServer(
      { logLevel: 'warn' },
      {
        dataDir,
        logStream: new (await import('node:stream')).Writable({
          write(chunk: Buffer, _encoding, done) {
            log.push(chunk.toString());
            done();
          },
        }),
      },
    );
    admin = await server.login();
    expect(filesUnder(files.tmpDir)).toEqual([]);
    const library = (await call(`${server.url}${ADMIN_API}/media/`, { token: admin })).body as {
      results: { media_id: number }[];
    };
    // `gone` and `cut` are gone; `usedGone` stays (a playlist uses it) and is logged.
    expect(library.results.map((m) => m.media_id).sort()).toEqual(
      [used.media_id, kept.media_id, usedGone.media_id].sort(),
    );
    expect(filesUnder(files.mediaDir)).toHaveLength(2);
    expect(filesUnder(files.mediaDir).some((p) => p.includes('orphan'))).toBe(false);
    expect(filesUnder(files.screenshotsDir)).toEqual(shots.slice(1));
    const listed = (
      await call(`${server.url}${ADMIN_API}/devices/SN-1/screenshots/`, { token: admin })
    ).body as { results: unknown[] };
    expect(listed.results).toHaveLength(2);
    expect(log.join('')).toContain(`media ${usedGone.media_id} used by playlists have no file`);
  });
});
