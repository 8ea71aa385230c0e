/**
 * Media files and screenshots with real files: admin upload (server-computed MD5), download with
 * Range / If-Range / ETag so a half-downloaded file resumes, 416 and 304, deletion refused while
 * a playlist uses the file; screenshot upload, listing and admin view, and the 400/413 refusals.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { protocol } from '@marquee/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, call, login, startTestServer, type TestServer } from '../helpers/server';
import {
  ADMIN_API,
  createPlaylist,
  jpegBytes,
  postMultipart,
  putScreen,
  register,
  uploadMedia,
  userToken,
} from './helpers';

const { signage } = protocol;

let t: TestServer;
let admin: string;

beforeEach(async () => {
  t = await startTestServer({ maxScreenshotBytes: 64 * 1024, maxMediaUploadBytes: 256 * 1024 });
  admin = await login(t.url, ADMIN.username, ADMIN.password);
});
afterEach(async () => {
  await t.close();
});

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

function videoBytes(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + (i >> 8)) % 251;
  return bytes;
}

describe('media library', () => {
  it('stores an upload with its size and MD5 and serves it at media_url', async () => {
    const bytes = videoBytes(100_000);
    const media = await uploadMedia(t, admin, 'ad video.mp4', bytes, 'video/mp4');
    expect(media).toMatchObject({
      media_name: 'ad video.mp4',
      media_type: 'video',
      mimetype: 'video/mp4',
      file_size: 100_000,
      checksum: md5(bytes),
      playlist_ids: [],
    });
    expect(media.media_url).toBe(`/media/videos/${media.media_id}_ad_video.mp4`);

    // A device account gets only the media its own devices' playlists use.
    const device = await userToken(t, 'tv-1');
    const download = () =>
      fetch(`${t.url}${media.media_url}`, { headers: { authorization: `Bearer ${device}` } });
    const unused = await download();
    expect(unused.status).toBe(403);
    expect(await unused.json()).toMatchObject({ status_code: 403, code: 'FORBIDDEN' });
    await register(t, device, 'SN-1');
    const playlist = await createPlaylist(t, admin, {
      name: 'Ads',
      width: 1920,
      height: 1080,
      media_items: [{ media_id: media.media_id }],
    });
    const otherTv = await userToken(t, 'tv-2');
    await register(t, otherTv, 'SN-2');
    await putScreen(t, admin, 'SN-2', 'front', {
      screen_name: 'Front',
      resolution: '1920x1080',
      playlist_ids: [playlist.id],
    });
    expect((await download()).status).toBe(403); // on another account's device only
    await putScreen(t, admin, 'SN-1', 'front', {
      screen_name: 'Front',
      resolution: '1920x1080',
      playlist_ids: [playlist.id],
    });
    const res = await download();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('content-length')).toBe('100000');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('etag')).toBe(`"${media.checksum}"`);
    expect(md5(Buffer.from(await res.arrayBuffer()))).toBe(media.checksum);

    const anonymous = await fetch(`${t.url}${media.media_url}`);
    expect(anonymous.status).toBe(401);
    const missing = await fetch(`${t.url}/media/videos/999_nope.mp4`, {
      headers: { authorization: `Bearer ${device}` },
    });
    expect(missing.status).toBe(404);
  });

  it('resumes a half-downloaded file with Range and If-Range', async () => {
    const bytes = videoBytes(50_000);
    const media = await uploadMedia(t, admin, 'clip.mp4', bytes, 'video/mp4');
    const auth = { authorization: `Bearer ${admin}` };
    const half = bytes.subarray(0, 20_000);

    const rest = await fetch(`${t.url}${media.media_url}`, {
      headers: { ...auth, range: 'bytes=20000-', 'if-range': `"${media.checksum}"` },
    });
    expect(rest.status).toBe(206);
    expect(rest.headers.get('content-range')).toBe('bytes 20000-49999/50000');
    expect(rest.headers.get('content-length')).toBe('30000');
    const resumed = Buffer.concat([half, Buffer.from(await rest.arrayBuffer())]);
    expect(md5(resumed)).toBe(media.checksum);

    const middle = await fetch(`${t.url}${media.media_url}`, {
      headers: { ...auth, range: 'bytes=10-19' },
    });
    expect(middle.status).toBe(206);
    expect(Buffer.from(await middle.arrayBuffer())).toEqual(bytes.subarray(10, 20));
    const suffix = await fetch(`${t.url}${media.media_url}`, {
      headers: { ...auth, range: 'bytes=-5' },
    });
    expect(suffix.headers.get('content-range')).toBe('bytes 49995-49999/50000');
    expect(Buffer.from(await suffix.arrayBuffer())).toEqual(bytes.subarray(49_995));

    // The client's copy is of another version: the whole file, 200.
    const changed = await fetch(`${t.url}${media.media_url}`, {
      headers: { ...auth, range: 'bytes=20000-', 'if-range': '"0123456789abcdef0123456789abcdef"' },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('content-length')).toBe('50000');
    expect(md5(Buffer.from(await changed.arrayBuffer()))).toBe(media.checksum);
  });

  it('answers 416 outside the file and 304 for a matching ETag', async () => {
    const media = await uploadMedia(t, admin, 'logo.jpg', jpegBytes(1000), 'image/jpeg');
    const auth = { authorization: `Bearer ${admin}` };
    const outside = await fetch(`${t.url}${media.media_url}`, {
      headers: { ...auth, range: 'bytes=1000-' },
    });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe('bytes */1000');
    expect(signage.SignageError.parse(await outside.json())).toMatchObject({ status_code: 416 });

    const cached = await fetch(`${t.url}${media.media_url}`, {
      headers: { ...auth, 'if-none-match': `"${media.checksum}"` },
    });
    expect(cached.status).toBe(304);
    expect(cached.headers.get('etag')).toBe(`"${media.checksum}"`);
    const stale = await fetch(`${t.url}${media.media_url}`, {
      headers: { ...auth, 'if-none-match': '"other"' },
    });
    expect(stale.status).toBe(200);
    expect((await stale.arrayBuffer()).byteLength).toBe(1000);
  });

  it('refuses to delete a file a playlist uses (409), then deletes it (204)', async () => {
    const media = await uploadMedia(t, admin, 'logo.jpg', jpegBytes(1000), 'image/jpeg');
    const playlist = await createPlaylist(t, admin, {
      name: 'P',
      width: 1920,
      height: 1080,
      media_items: [{ media_id: media.media_id }],
    });
    const url = `${t.url}${ADMIN_API}/media/${media.media_id}/`;
    const refused = await call(url, { token: admin, method: 'DELETE' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ status_code: 409, code: 'CONFLICT' });
    expect((await call(url, { token: admin })).body).toMatchObject({
      playlist_ids: [playlist.id],
    });

    await call(`${t.url}${ADMIN_API}/playlists/${playlist.id}/`, {
      token: admin,
      method: 'DELETE',
    });
    expect((await call(url, { token: admin, method: 'DELETE' })).status).toBe(204);
    expect((await call(url, { token: admin })).status).toBe(404);
    const gone = await fetch(`${t.url}${media.media_url}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(gone.status).toBe(404);
  });

  it('refuses a missing file part (400), a non-media type (415) and an oversized file (413)', async () => {
    const url = `${t.url}${ADMIN_API}/media/`;
    expect((await postMultipart(url, admin, { media_name: 'x' })).status).toBe(400);
    const text = await postMultipart(
      url,
      admin,
      {},
      {
        field: 'file',
        name: 'notes.txt',
        type: 'text/plain',
        bytes: Buffer.from('hello'),
      },
    );
    expect(text.status).toBe(415);
    const big = await postMultipart(
      url,
      admin,
      {},
      {
        field: 'file',
        name: 'big.mp4',
        type: 'video/mp4',
        bytes: Buffer.alloc(300 * 1024, 1),
      },
    );
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ status_code: 413 });
    const user = await userToken(t, 'tv-1');
    const notAdmin = await postMultipart(
      url,
      user,
      {},
      {
        field: 'file',
        name: 'a.jpg',
        type: 'image/jpeg',
        bytes: jpegBytes(100),
      },
    );
    expect(notAdmin.status).toBe(403);
    // Nothing half-written is left behind.
    expect(readdirSync(join(t.dataDir, 'signage', 'tmp'))).toEqual([]);
  });
});

describe('POST /screenshot', () => {
  const url = () => `${t.url}/api/v1/screenshot`;
  const shot = (bytes: Buffer, type = 'image/jpeg') => ({
    field: 'image_file',
    name: 'screen.jpg',
    type,
    bytes,
  });

  it('stores a JPEG under the data dir, lists it per device and lets an admin view it', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const bytes = jpegBytes(5000, 3);
    const res = await postMultipart(
      url(),
      token,
      { device_id: 'SN-1', media_id: '1001' },
      shot(bytes),
    );
    expect(res.status).toBe(200);
    expect(signage.ScreenshotResponse.parse(res.body)).toEqual({
      message: 'Screenshot uploaded successfully',
    });

    const list = await call(`${t.url}${ADMIN_API}/devices/SN-1/screenshots/`, { token: admin });
    const [record] = signage.ScreenshotList.parse(list.body).results;
    expect(record).toMatchObject({ sn_number: 'SN-1', media_id: 1001, file_size: 5000 });
    const view = await fetch(`${t.url}${record?.url ?? ''}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(view.status).toBe(200);
    expect(view.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await view.arrayBuffer())).toEqual(bytes);
    expect(readdirSync(join(t.dataDir, 'signage', 'screenshots', 'SN-1'))).toHaveLength(1);

    const detail = signage.DeviceDetail.parse(
      (await call(`${t.url}${ADMIN_API}/devices/SN-1/`, { token: admin })).body,
    );
    expect(detail.last_screenshot?.id).toBe(record?.id);
    // Not for the device's own account: viewing is an admin's.
    expect((await call(`${t.url}${record?.url ?? ''}`, { token })).status).toBe(403);
  });

  it('refuses missing parts and non-JPEG files with 400, oversized ones with 413', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const noFile = await postMultipart(url(), token, { device_id: 'SN-1', media_id: '1' });
    expect(noFile.status).toBe(400);
    expect((noFile.body as { message: string }).message).toContain('image_file');
    const noDevice = await postMultipart(url(), token, { media_id: '1' }, shot(jpegBytes(100)));
    expect(noDevice.status).toBe(400);
    expect((noDevice.body as { message: string }).message).toContain('device_id');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const notJpeg = await postMultipart(
      url(),
      token,
      { device_id: 'SN-1', media_id: '1' },
      shot(png, 'image/jpeg'),
    );
    expect(notJpeg.status).toBe(400);
    expect((notJpeg.body as { message: string }).message).toContain('not a JPEG');
    const big = await postMultipart(
      url(),
      token,
      { device_id: 'SN-1', media_id: '1' },
      shot(jpegBytes(100 * 1024)),
    );
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ status_code: 413 });
    const unknown = await postMultipart(
      url(),
      token,
      { device_id: 'SN-404', media_id: '1' },
      shot(jpegBytes(100)),
    );
    expect(unknown.status).toBe(404);
    const other = await userToken(t, 'tv-2');
    const foreign = await postMultipart(
      url(),
      other,
      { device_id: 'SN-1', media_id: '1' },
      shot(jpegBytes(100)),
    );
    expect(foreign.status).toBe(403);
    const list = await call(`${t.url}${ADMIN_API}/devices/SN-1/screenshots/`, { token: admin });
    expect(list.body).toMatchObject({ count: 0 });
  });
});
