import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config';
import { call, startTestServer, type TestServer } from '../helpers/server';

const SOF0 = 0xc0;
const SOF2 = 0xc2;
const SOS = 0xda;

/** The markers of a JPEG's header segments, up to the first scan (SOFn comes before it). */
function jpegMarkers(jpeg: Buffer): number[] {
  expect([jpeg[0], jpeg[1]], 'SOI').toEqual([0xff, 0xd8]);
  const markers: number[] = [];
  let i = 2;
  while (i + 4 <= jpeg.length) {
    if (jpeg[i] !== 0xff) throw new Error(`expected a marker at byte ${i}`);
    const marker = jpeg[i + 1] ?? 0;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    markers.push(marker);
    if (marker === SOS) break;
    i += 2 + jpeg.readUInt16BE(i + 2);
  }
  return markers;
}

function expectBaseline(jpeg: Buffer): void {
  const markers = jpegMarkers(jpeg);
  expect(markers).toContain(SOF0);
  expect(markers).not.toContain(SOF2);
}

async function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(`${t.url}${path}`, { headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** A request whose path is sent exactly as written (fetch would normalise `..`). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

let t: TestServer;
let work: string;
let root: string;
const SECRET = 'TOP-SECRET-CONTENT';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'marquee-media-'));
  root = join(work, 'media');
  const outside = join(work, 'outside');
  mkdirSync(join(root, 'posters', 'Sci Fi'), { recursive: true });
  mkdirSync(outside);

  const poster = await sharp({
    create: { width: 1000, height: 1500, channels: 3, background: '#336699' },
  })
    .jpeg({ progressive: true })
    .toBuffer();
  expect(jpegMarkers(poster)).toContain(SOF2);
  writeFileSync(join(root, 'posters', 'Sci Fi', 'The Matrix (1999).jpg'), poster);
  writeFileSync(
    join(root, 'posters', 'banner.png'),
    await sharp({
      create: {
        width: 800,
        height: 200,
        channels: 4,
        background: { r: 200, g: 0, b: 0, alpha: 0.5 },
      },
    })
      .png()
      .toBuffer(),
  );
  writeFileSync(
    join(root, 'posters', 'tiny.png'),
    await sharp({ create: { width: 40, height: 60, channels: 3, background: '#00ff00' } })
      .png()
      .toBuffer(),
  );
  writeFileSync(join(root, 'posters', 'notes.txt'), 'just some text, not an image\n');
  writeFileSync(
    join(root, 'posters', 'logo.svg'),
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
  );
  const deep = Array.from({ length: 5 }, (_, i) => `${i}`.padEnd(60, 'x'));
  mkdirSync(join(root, ...deep), { recursive: true });
  writeFileSync(
    join(root, ...deep, 'deep.png'),
    await sharp({ create: { width: 30, height: 30, channels: 3, background: '#000' } })
      .png()
      .toBuffer(),
  );
  writeFileSync(join(root, 'posters', 'broken.jpg'), poster.subarray(0, 600));
  writeFileSync(join(outside, 'secret.jpg'), poster);
  writeFileSync(join(outside, 'secret.txt'), SECRET);
  symlinkSync(join(outside, 'secret.jpg'), join(root, 'posters', 'escape.jpg'));
  symlinkSync(outside, join(root, 'elsewhere'));

  t = await startTestServer({ mediaRoots: [root] });
});

afterAll(async () => {
  await t.close();
  rmSync(work, { recursive: true, force: true });
});

const MATRIX = '/api/media/thumb/posters/Sci%20Fi/The%20Matrix%20(1999).jpg';

describe('GET /api/media/thumb/{path}', () => {
  it('answers a baseline JPEG of a progressive poster, fitted into the default 150×225 box', async () => {
    const res = await get(MATRIX);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expectBaseline(res.body);
    const meta = await sharp(res.body).metadata();
    expect([meta.width, meta.height, meta.isProgressive]).toEqual([150, 225, false]);
  });

  it('fits inside the documented size nearest the requested box, keeping the aspect ratio', async () => {
    const square = await get(`${MATRIX}?width=250&height=250`);
    expect(square.status).toBe(200);
    const p = await sharp(square.body).metadata();
    expect([p.width, p.height]).toEqual([171, 256]);
    const retina = await get(`${MATRIX}?width=280&height=430`);
    const r = await sharp(retina.body).metadata();
    expect([r.width, r.height]).toEqual([300, 450]);

    const wide = await get('/api/media/thumb/posters/banner.png');
    expect(wide.status).toBe(200);
    expectBaseline(wide.body);
    const w = await sharp(wide.body).metadata();
    expect(w.width).toBe(150);
    expect(w.height).toBeLessThanOrEqual(225);
    expect(Math.abs((w.width ?? 0) / (w.height ?? 1) - 4)).toBeLessThan(0.2);
    expect(w.hasAlpha).toBe(false);
  });

  it('never enlarges a small source', async () => {
    const res = await get('/api/media/thumb/posters/tiny.png?width=600&height=900');
    expect(res.status).toBe(200);
    const meta = await sharp(res.body).metadata();
    expect([meta.width, meta.height]).toEqual([40, 60]);
  });

  it('caches on disk under <dataDir>/cache/thumbs, serves hits from there, answers 304 on a matching ETag', async () => {
    const path = `${MATRIX}?width=590&height=880`;
    const first = await get(path);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(first.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const cacheFile = join(t.dataDir, 'cache', 'thumbs', `${etag.slice(1, -1)}.jpg`);
    expect(t.server.thumbnails.cache.pathOf(etag.slice(1, -1))).toBe(cacheFile);
    await expect.poll(() => existsSync(cacheFile)).toBe(true);
    const cachedAt = statSync(cacheFile).mtimeMs;

    const second = await get(path);
    expect(second.status).toBe(200);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.headers.get('etag')).toBe(etag);
    expect(second.body.equals(first.body)).toBe(true);
    expect(statSync(cacheFile).mtimeMs).toBe(cachedAt);

    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const notModified = await get(path, { 'if-none-match': ifNoneMatch });
      expect(notModified.status).toBe(304);
      expect(notModified.body.length).toBe(0);
      expect(notModified.headers.get('etag')).toBe(etag);
    }
    expect((await get(path, { 'if-none-match': '"stale"' })).status).toBe(200);
  });

  it('a changed source gets a new ETag and a fresh rendering', async () => {
    const file = join(root, 'posters', 'changing.png');
    const make = (color: string) =>
      sharp({ create: { width: 300, height: 450, channels: 3, background: color } })
        .png()
        .toBuffer();
    writeFileSync(file, await make('#ff0000'));
    utimesSync(file, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
    const before = await get('/api/media/thumb/posters/changing.png');
    writeFileSync(file, await make('#0000ff'));
    const after = await get('/api/media/thumb/posters/changing.png', {
      'if-none-match': before.headers.get('etag') ?? '',
    });
    expect(after.status).toBe(200);
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    const { dominant } = await sharp(after.body).stats();
    expect(dominant.b).toBeGreaterThan(200);
  });

  it('renders once for concurrent requests of one thumbnail', async () => {
    const path = `${MATRIX}?width=99&height=99`; // 128×128
    const answers = await Promise.all(Array.from({ length: 8 }, () => get(path)));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 8 }, () => 200));
    expect(new Set(answers.map((a) => a.headers.get('etag'))).size).toBe(1);
    const first = answers[0]?.body ?? Buffer.alloc(0);
    expect(answers.every((a) => a.body.equals(first))).toBe(true);
  });

  it.each([
    ['encoded parent segments', '/api/media/thumb/..%2F..%2Fetc%2Fpasswd', 400, /'\.\.'/],
    [
      'parent segments after a folder',
      '/api/media/thumb/posters/..%2F..%2Foutside%2Fsecret.txt',
      400,
      /'\.\.'/,
    ],
    ['an absolute path', '/api/media/thumb/%2Fetc%2Fpasswd', 400, /relative/],
    ['a NUL byte', '/api/media/thumb/posters%2Ftiny.png%00.txt', 400, /NUL byte/],
    ['a backslash', '/api/media/thumb/..%5C..%5Cetc%5Cpasswd', 400, /forward slashes/],
    ['a symlink out of the root', '/api/media/thumb/posters/escape.jpg', 404, /media roots/],
    [
      'a linked folder out of the root',
      '/api/media/thumb/elsewhere/secret.txt',
      404,
      /media roots/,
    ],
    ['a missing file', '/api/media/thumb/posters/nope.jpg', 404, /No file "posters\/nope.jpg"/],
    ['a folder', '/api/media/thumb/posters', 404, /media roots/],
    ['an empty path', '/api/media/thumb/', 400, /required/],
  ])('refuses %s', async (_what, path, status, detail) => {
    const res = await call(`${t.url}${path}`);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect((res.body as { detail: string }).detail).toMatch(detail);
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
  });

  it('refuses an absolute path even when it points into the root', async () => {
    const absolute = encodeURIComponent(join(root, 'posters', 'tiny.png'));
    const res = await call(`${t.url}/api/media/thumb/${absolute}`);
    expect(res.status).toBe(400);
  });

  it('refuses raw ../ segments that a browser would have normalised', async () => {
    for (const path of [
      '/api/media/thumb/../../../../etc/passwd',
      '/api/media/thumb/posters/../../outside/secret.txt',
      '/api/media/thumb/./../outside/secret.jpg',
    ]) {
      const res = await rawGet(path);
      expect([400, 404]).toContain(res.status);
      expect(res.body).not.toContain(SECRET);
      expect(res.body).not.toContain('root:');
    }
  });

  it("serves long nested paths (past the router's 100-character parameter limit)", async () => {
    const deep = Array.from({ length: 5 }, (_, i) => `${i}`.padEnd(60, 'x'));
    const res = await get(`/api/media/thumb/${deep.join('/')}/deep.png`);
    expect(res.status).toBe(200);
    expectBaseline(res.body);
  });

  it('answers 415 for a file that is not an image and 422 for a corrupt one', async () => {
    const text = await call(`${t.url}/api/media/thumb/posters/notes.txt`);
    expect(text.status).toBe(415);
    expect(text.body).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      detail: expect.stringMatching(/not an image/),
    });
    const svg = await call(`${t.url}/api/media/thumb/posters/logo.svg`);
    expect(svg.status).toBe(415);
    expect((svg.body as { detail: string }).detail).toContain('"svg"');
    const broken = await call(`${t.url}/api/media/thumb/posters/broken.jpg`);
    expect(broken.status).toBe(422);
    expect(broken.body).toMatchObject({
      code: 'UNPROCESSABLE_IMAGE',
      detail: expect.stringMatching(/cannot be decoded/),
    });
  });

  it.each([
    ['width=5000', 'query.width'],
    ['width=15', 'query.width'],
    ['height=0', 'query.height'],
    ['width=abc', 'query.width'],
    ['width=100.5', 'query.width'],
  ])('refuses %s with 400', async (query, field) => {
    const res = await call(`${t.url}${MATRIX}?${query}`);
    expect(res.status).toBe(400);
    expect((res.body as { detail: string }).detail).toContain(field);
  });

  it('needs no credentials (ESP32 panels fetch it)', async () => {
    expect((await get(MATRIX, { authorization: 'Bearer not-a-token' })).status).toBe(200);
  });
});

describe('without media roots', () => {
  it('answers 404 saying thumbnails are disabled', async () => {
    const bare = await startTestServer();
    try {
      const res = await call(`${bare.url}/api/media/thumb/posters/tiny.png`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({
        code: 'NOT_FOUND',
        detail: expect.stringContaining('MARQUEE_MEDIA_ROOTS'),
      });
    } finally {
      await bare.close();
    }
  });
});

describe('MARQUEE_MEDIA_ROOTS', () => {
  it('is a path-delimiter separated list, empty by default', () => {
    const load = (env: Record<string, string>) => loadConfig({ env, cwd: tmpdir() }).mediaRoots;
    expect(load({})).toEqual([]);
    expect(load({ MARQUEE_MEDIA_ROOTS: ['/srv/posters', '', '/mnt/art'].join(delimiter) })).toEqual(
      ['/srv/posters', '/mnt/art'],
    );
  });
});
