/**
 * Headroom: uploads and screenshots are refused with 507 while they would leave less free than
 * MARQUEE_STORAGE_RESERVE_BYTES, so the database can still write; before refusing, the thumbnail
 * cache gives space back, then old screenshots (never a device's newest). On a real tmpfs with
 * the free space set by a filler file where one can be mounted; everywhere, with a reserve no
 * disk has, that everything that can go goes and the upload is still refused.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { smallDisk, type SmallDisk } from '../helpers/faults';
import { call, startTestServer, type TestServer } from '../helpers/server';
import { ADMIN_API, jpegBytes, mp4Bytes, postMultipart, register, userToken } from './helpers';

const MB = 1024 * 1024;
let t: TestServer | undefined;
let disk: SmallDisk | undefined;
afterEach(async () => {
  try {
    await t?.close();
  } finally {
    t = undefined;
    disk?.cleanup();
    disk = undefined;
  }
});

/** `count` thumbnails of `size` bytes in the cache folder, as the cache names them. */
function thumbnails(dataDir: string, count: number, size: number): string {
  const dir = join(dataDir, 'cache', 'thumbs');
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    writeFileSync(join(dir, `${i.toString(16).padStart(64, '0')}.jpg`), Buffer.alloc(size, i));
  }
  return dir;
}

const uploadMedia = (server: TestServer, token: string, size: number) =>
  postMultipart(
    `${server.url}${ADMIN_API}/media/`,
    token,
    {},
    { field: 'file', name: 'clip.mp4', type: 'video/mp4', bytes: mp4Bytes(size) },
  );

const screenshot = (server: TestServer, token: string, mediaId: number, size: number) =>
  postMultipart(
    `${server.url}/api/v1/screenshot`,
    token,
    { device_id: 'SN-1', media_id: String(mediaId) },
    { field: 'image_file', name: 's.jpg', type: 'image/jpeg', bytes: jpegBytes(size, mediaId) },
  );

async function screenshotIds(server: TestServer, admin: string): Promise<number[]> {
  const res = await call(`${server.url}${ADMIN_API}/devices/SN-1/screenshots/`, { token: admin });
  return (res.body as { results: { media_id: number }[] }).results.map((s) => s.media_id);
}

describe('a reserve no disk has', () => {
  it('gives back every thumbnail and every screenshot but the newest, then refuses with 507', async () => {
    const server = (t = await startTestServer({ storageReserveBytes: Number.MAX_SAFE_INTEGER }));
    const admin = await server.login();
    const device = await userToken(server, 'tv-1');
    await register(server, device, 'SN-1');
    const thumbs = thumbnails(server.dataDir, 3, 1000);
    // Stored directly: the reserve refuses every upload through the API.
    const { store, files } = server.server.signage;
    for (let media = 1; media <= 3; media++) {
      const path = files.screenshotPath('SN-1', `shot-${media}`);
      mkdirSync(join(files.screenshotsDir, 'SN-1'), { recursive: true });
      writeFileSync(files.screenshotFile(path), jpegBytes(1000, media));
      await store.screenshots.create({
        snNumber: 'SN-1',
        mediaId: media,
        path,
        fileSize: 1000,
        createdAt: new Date().toISOString(),
      });
    }

    const res = await uploadMedia(server, admin, 4096);
    expect(res.status).toBe(507);
    expect(res.body).toMatchObject({ status_code: 507, code: 'STORAGE_FULL' });
    expect((await screenshot(server, device, 9, 1000)).status).toBe(507);
    expect(readdirSync(thumbs)).toEqual([]);
    expect(await screenshotIds(server, admin)).toEqual([3]);
    expect(readdirSync(join(files.screenshotsDir, 'SN-1'))).toEqual(['shot-3.jpg']);
    // Refused before a byte was written: no temporary file, not even the folder.
    expect(existsSync(files.tmpDir) ? readdirSync(files.tmpDir) : []).toEqual([]);
    expect((await call(`${server.url}/healthz`)).body).toMatchObject({
      status: 'ok',
      storage: { state: 'low' },
    });
  });
});

const probe = smallDisk(MB);
const mountable = probe.mounted;
probe.cleanup();

describe.skipIf(!mountable)('a real tmpfs with the reserve nearly reached', () => {
  it('takes from the thumbnail cache first, then old screenshots, then refuses', async () => {
    const reserve = 8 * MB;
    disk = smallDisk(48 * MB, 'marquee-headroom-');
    const thumbs = thumbnails(disk.dir, 3, MB);
    const server = (t = await startTestServer(
      { storageReserveBytes: reserve },
      { dataDir: disk.dir },
    ));
    const admin = await server.login();
    const device = await userToken(server, 'tv-1');
    await register(server, device, 'SN-1');
    for (let media = 1; media <= 4; media++) {
      expect((await screenshot(server, device, media, MB)).status).toBe(200);
    }

    // Room for 1 MB above the reserve: a 2 MB upload needs the thumbnails, not the screenshots.
    disk.leaveFree(reserve + MB);
    expect((await uploadMedia(server, admin, 2 * MB)).status).toBe(201);
    expect(readdirSync(thumbs).length).toBeLessThan(3);
    expect(await screenshotIds(server, admin)).toEqual([4, 3, 2, 1]);

    // No thumbnails left that suffice: the oldest screenshots go, the newest stays.
    disk.leaveFree(reserve + MB / 2);
    expect((await uploadMedia(server, admin, 3 * MB)).status).toBe(201);
    expect(readdirSync(thumbs)).toEqual([]);
    const kept = await screenshotIds(server, admin);
    expect(kept[0]).toBe(4);
    expect(kept.length).toBeLessThan(4);

    // Below the reserve with nothing left to give: refused, and /healthz says low.
    disk.leaveFree(reserve - MB);
    const refused = await uploadMedia(server, admin, MB);
    expect(refused.status).toBe(507);
    expect((await screenshot(server, device, 5, MB)).status).toBe(507);
    expect(await screenshotIds(server, admin)).toEqual([4]);
    expect((await call(`${server.url}/healthz`)).body).toMatchObject({
      storage: { state: 'low', reserve_bytes: reserve },
    });
  });
});
