/**
 * A full disk under a running server (the data directory on a real tmpfs, filled to the last
 * byte, as the report did with 6 MB): writes answer 507 STORAGE_FULL in the seed's error
 * shape, an upload that does not fit leaves no partial file, `/healthz` and `/metrics` say so,
 * the log names the file and the free space, and once space is freed the next write works
 * without a restart. A read-only store (SQLITE_READONLY, injected: a tmpfs holding an open
 * database cannot be remounted read-only) answers 503 STORAGE_READ_ONLY.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteEngineOf } from '../../src/core/store';
import { SQLITE_FULL, SQLITE_READONLY, smallDisk, sqliteError } from '../helpers/faults';
import { call, startTestServer, type TestServer } from '../helpers/server';
import { ADMIN_API, deviceBody, jpegBytes, userToken } from './helpers';

const METRICS_TOKEN = 'metrics-token-0123456789';
const disk = smallDisk(8 * 1024 * 1024, 'marquee-full-');
const log: string[] = [];
const logStream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    log.push(chunk.toString());
    done();
  },
});

let t: TestServer;
let device: string;
let admin: string;

beforeAll(async () => {
  t = await startTestServer(
    { storageReserveBytes: 0, metricsToken: METRICS_TOKEN, logLevel: 'info' },
    { dataDir: disk.dir, logStream },
  );
  device = await userToken(t, 'tv-1');
  admin = await t.login();
});
afterAll(async () => {
  // Unmounted even when closing fails (a store closed on a still-full disk cannot checkpoint).
  try {
    await t.close();
  } finally {
    disk.cleanup();
  }
});

const register = (sn: string) =>
  call(`${t.url}${ADMIN_API}/device/register/`, { token: device, body: deviceBody(sn) });
/** A multipart media upload sent with chunked transfer encoding (no Content-Length). */
async function postChunked(url: string, token: string, bytes: Buffer) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), 'big.jpg');
  const encoded = new Request(url, { method: 'POST', body: form });
  const body = new Uint8Array(await encoded.arrayBuffer());
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': encoded.headers.get('content-type') ?? '',
    },
    body: new ReadableStream({
      start(controller) {
        controller.enqueue(body);
        controller.close();
      },
    }),
    duplex: 'half',
  } as RequestInit);
  return { status: res.status, body: (await res.json()) as unknown };
}

const health = async () =>
  (await call(`${t.url}/healthz`)).body as {
    status: string;
    storage: { state: string; free_bytes: number | null; reserve_bytes: number };
  };
const metrics = async () =>
  (await call(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }))
    .body as string;

/**
 * Makes the signage transaction's commit fail with `error` after a rollback, as SQLite does on
 * a full or read-only disk, while `failing()` holds; returns the undo.
 */
function failCommits(error: () => Error, failing: () => boolean): () => void {
  const { db } = sqliteEngineOf(t.server.store);
  const exec = db.exec.bind(db);
  Object.defineProperty(db, 'exec', {
    configurable: true,
    value: (sql: string) => {
      if (failing() && sql === 'RELEASE signage_0') {
        exec('ROLLBACK');
        throw error();
      }
      exec(sql);
    },
  });
  return () => Reflect.deleteProperty(db, 'exec');
}

const how = disk.mounted ? 'real tmpfs' : `injected SQLITE_FULL, no mount: ${disk.reason ?? ''}`;
describe(`a full disk (${how})`, () => {
  it('answers 507 STORAGE_FULL, reports it, and works again once space is freed', async () => {
    expect((await register('SN-0')).status).toBe(201);
    expect((await health()).storage.state).toBe('ok');

    if (disk.mounted) {
      // 128 KB free, a 512 KB file sent chunked (no declared length, so the reserve check cannot
      // refuse it up front): the disk runs out while the file is written.
      disk.leaveFree(128 * 1024);
      const upload = await postChunked(`${t.url}${ADMIN_API}/media/`, admin, jpegBytes(512 * 1024));
      expect(upload.status).toBe(507);
      expect(upload.body).toMatchObject({ status_code: 507, code: 'STORAGE_FULL' });
      // The write had started (its folder is there); the partial file is gone.
      expect(readdirSync(join(disk.dir, 'signage', 'tmp'))).toEqual([]);
      expect(log.join('')).toMatch(/storage full: could not write \S+signage\/tmp\/\S+ \(/);
    }

    let stillFull = true;
    const undo = disk.mounted
      ? () => undefined
      : failCommits(
          () => sqliteError(SQLITE_FULL),
          () => stillFull,
        );
    if (disk.mounted) disk.fill();
    let full: Awaited<ReturnType<typeof register>> | undefined;
    for (let i = 1; i <= 200 && full === undefined; i++) {
      const res = await register(`SN-FULL-${i}`);
      if (res.status !== 201) full = res;
    }
    expect(full?.status).toBe(507);
    expect(full?.body).toMatchObject({ status_code: 507, code: 'STORAGE_FULL' });
    // The second symptom: every later write failed with a syntax error. Still 507 here.
    expect((await register('SN-STILL-FULL')).status).toBe(507);

    if (disk.mounted) {
      // Injected, the disk has room, so health reports what statfs sees: only a real one is full.
      expect(await health()).toMatchObject({ status: 'degraded', storage: { state: 'full' } });
      expect(await metrics()).toMatch(/marquee_storage_state\{state="full"\} 1/);
    }
    const scraped = await metrics();
    expect(scraped).toMatch(/marquee_storage_faults_total\{kind="full"\} [1-9]/);
    const logged = log.join('');
    expect(logged).toMatch(
      /storage full: could not write \S+ \(\d+ bytes free of \d+ on its filesystem\)/,
    );

    if (disk.mounted) disk.free();
    stillFull = false;
    undo();
    expect((await register('SN-AFTER')).status).toBe(201);
    expect(await health()).toMatchObject({ status: 'ok', storage: { state: 'ok' } });
    const list = await call(`${t.url}${ADMIN_API}/devices/`, { token: admin });
    expect(JSON.stringify(list.body)).toContain('SN-AFTER');
  });
});

describe('a read-only store (SQLITE_READONLY injected)', () => {
  it('answers 503 STORAGE_READ_ONLY and works again when writes do', async () => {
    let failing = true;
    const undo = failCommits(
      () => sqliteError(SQLITE_READONLY),
      () => failing,
    );
    try {
      const res = await register('SN-RO');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status_code: 503, code: 'STORAGE_READ_ONLY' });
      expect(log.join('')).toMatch(/storage read-only: could not write/);
      failing = false;
      expect((await register('SN-RO')).status).toBe(201);
    } finally {
      undo();
    }
  });
});
