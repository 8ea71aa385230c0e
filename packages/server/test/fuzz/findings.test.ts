/**
 * Regressions for what the fuzzer found (docs/fuzzing.md, "Findings"): each one is reproduced
 * here as a plain request on a real server, answered in the surface's documented error shape.
 */
import { connect } from 'node:net';
import { protocol } from '@marquee/sdk';
import type { ErrorShape } from '@marquee/sdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/server';
import { ADMIN_API, jpegBytes, register, uploadMedia, userToken } from '../signage/helpers';
import { errorShapeProblem, rawRequest, type RawResponse } from './harness';

let t: TestServer;
let port: number;
let admin: string;
beforeAll(async () => {
  t = await startTestServer();
  port = Number(new URL(t.url).port);
  admin = await t.login();
});
afterAll(() => t.close());

const signageShape = protocol.signage.signageSurface.errorShape;
const nowPlayingShape = protocol.nowPlaying.nowPlayingSurface.errorShape;
const coreShape = protocol.core.coreSurface.errorShape;

function expectShape(res: RawResponse, status: number, shape: ErrorShape, message: RegExp): void {
  expect(res.status).toBe(status);
  expect(errorShapeProblem(shape, res)).toBeUndefined();
  expect(shape.read(JSON.parse(res.body.toString('utf8')))?.message).toMatch(message);
}

const get = (path: string, headers: Record<string, string> = {}) =>
  rawRequest(port, { method: 'GET', path, headers });

describe('malformed percent-encoding in a path', () => {
  it.each([
    ['/api/v1/admin/cloud/devices/%zz/', signageShape],
    ['/media/%c3%28%', signageShape],
    ['/api/media/avatar/%2', nowPlayingShape],
    ['/api/v1/admin/users/%/', coreShape],
  ] as const)('%s is a 400 in its surface shape, not Fastify own', async (path, shape) => {
    const res = await get(path, { authorization: `Bearer ${admin}` });
    expectShape(res, 400, shape, /malformed percent-encoding/);
  });
});

describe('a request line over 16 KB', () => {
  it('is a 431 in the shape of the surface its path falls under', async () => {
    const res = await get(`/api/v1/admin/cloud/devices/${'x'.repeat(17_000)}/`);
    expectShape(res, 431, signageShape, /larger than 16 KB/);
    const core = await get(`/api/v1/admin/users/${'1'.repeat(17_000)}/`);
    expectShape(core, 431, coreShape, /larger than 16 KB/);
  });
});

describe('malformed multipart uploads', () => {
  const boundary = 'regressionBoundary';
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n` +
        'Content-Type: image/jpeg\r\n\r\n',
    ),
    jpegBytes(512),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const upload = (contentType: string, bytes: Buffer, token: string, path: string) =>
    rawRequest(port, {
      method: 'POST',
      path,
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body: bytes,
    });

  it.each([
    ['no boundary', 'multipart/form-data', body],
    ['a truncated body', `multipart/form-data; boundary=${boundary}`, body.subarray(0, 200)],
    ['an unterminated body', `multipart/form-data; boundary=${boundary}`, body.subarray(0, -10)],
  ])('with %s is a 400 (was a 500) and stores nothing', async (_name, contentType, bytes) => {
    const res = await upload(contentType, bytes, admin, `${ADMIN_API}/media/`);
    expectShape(res, 400, signageShape, /multipart/i);
    const list = await get(`${ADMIN_API}/media/`, { authorization: `Bearer ${admin}` });
    expect(JSON.parse(list.body.toString('utf8'))).toMatchObject({ count: 0 });
  });

  it('a device screenshot without a boundary is a 400 too', async () => {
    const device = await userToken(t, 'regression-tv');
    await register(t, device, 'SN-REGRESSION');
    const res = await upload('multipart/form-data', body, device, '/api/v1/screenshot');
    expectShape(res, 400, signageShape, /multipart/i);
  });
});

describe('the route tables document the 400 of an invalid path parameter', () => {
  it.each([
    ['DELETE', `${ADMIN_API}/devices/${'x'.repeat(300)}/`, 'signage.adminDeviceDelete'],
    ['GET', `${ADMIN_API}/media/0/`, 'signage.adminMediaGet'],
    ['DELETE', `${ADMIN_API}/devices/SN-1/screens/middle/`, 'signage.adminScreenDelete'],
    ['DELETE', `/api/v1/admin/display-tokens/${'x'.repeat(101)}/`, 'core.displayTokenRevoke'],
  ])('%s %s', async (method, path, id) => {
    const res = await rawRequest(port, {
      method,
      path,
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.status).toBe(400);
    const route = protocol.surfaces.flatMap((s) => s.routes).find((r) => r.id === id);
    expect(route?.responses[400]).toBeDefined();
  });
});

describe('a playlist whose total duration overflows', () => {
  it('is refused with 400 (was accepted, its duration not a safe integer)', async () => {
    const media = await uploadMedia(t, admin, 'clip.jpg', jpegBytes(1024), 'image/jpeg');
    const item = (duration: number, times: number) => ({
      media_id: media.media_id,
      timing: { start_time: 0, duration, loop: false },
      n_time_play: times,
    });
    const body = (items: unknown[]) => ({
      name: 'overflow',
      width: 1920,
      height: 1080,
      media_items: items,
    });
    const huge = Number.MAX_SAFE_INTEGER;
    for (const items of [[item(huge, 2)], [item(huge, 1), item(huge, 1)]]) {
      const res = await call(`${t.url}${ADMIN_API}/playlists/`, {
        token: admin,
        body: body(items),
      });
      expect(res.status).toBe(400);
      expect(signageShape.read(res.body)?.message).toMatch(/total duration/);
    }
    const list = await call(`${t.url}${ADMIN_API}/playlists/`, { token: admin });
    expect(list.body).toMatchObject({ count: 0 });
    // The largest total that still fits is taken.
    const fits = await call(`${t.url}${ADMIN_API}/playlists/`, {
      token: admin,
      body: body([item(huge, 1)]),
    });
    expect(fits.status).toBe(201);
    expect((fits.body as { duration: number }).duration).toBe(huge);
  });
});

describe('a request the HTTP parser refuses', () => {
  it('is a 400 in the shape of the surface its path falls under, and the connection is closed', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write('GET /api/v1/admin/cloud/devices/ HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
      });
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/content-type: application\/json/i);
    expect(signageShape.read(JSON.parse(body))?.message).toBe('Malformed HTTP request');
  });
});

describe('a malformed body sent to a path no route serves', () => {
  it.each([
    ['/api/v1/admin/cloud/nothing/', 'application/json', '{bad', 400, signageShape],
    ['/api/dashboard/nothing', 'application/json', '{bad', 400, nowPlayingShape],
    ['/nothing', ';;;', '{}', 415, coreShape],
  ] as const)(
    'POST %s (%s) is refused in the surface shape, not Fastify own',
    async (path, contentType, body, status, shape) => {
      const res = await rawRequest(port, {
        method: 'POST',
        path,
        headers: { 'content-type': contentType },
        body: Buffer.from(body),
      });
      expect(res.status).toBe(status);
      expect(errorShapeProblem(shape, res)).toBeUndefined();
    },
  );

  it('a body over the limit too (413)', async () => {
    const res = await rawRequest(port, {
      method: 'PUT',
      path: '/api/gpu/nothing',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(`"${'x'.repeat(t.server.config.maxBodyBytes + 1)}"`),
    });
    expect(res.status).toBe(413);
    expect(errorShapeProblem(protocol.gpu.gpuSurface.errorShape, res)).toBeUndefined();
  });
});
