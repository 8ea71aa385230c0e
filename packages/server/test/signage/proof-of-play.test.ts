/**
 * Proof of play against a real server and SQLite file: a device's batch is stored once per
 * (device, id) however often it is sent, another account's device and non-operators are refused,
 * malformed batches are 400s in the signage error shape, retention and the row cap bound the
 * table, and operators read plays by device, period and media, paginated and as CSV.
 */
import { createSignageAdminClient, protocol } from '@marquee/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, call, login, startTestServer, type TestServer } from '../helpers/server';
import { ADMIN_API, register, userToken } from './helpers';

const { signage } = protocol;
const POP = '/api/v1/cloud/proof-of-play/';

/** The server's clock: fixed, moved by tests. */
let clock = Date.parse('2026-06-01T12:00:00Z');
let t: TestServer;
let admin: string;
let device: string;
let idSeq = 0;

beforeEach(async () => {
  clock = Date.parse('2026-06-01T12:00:00Z');
  t = await startTestServer({ maxProofOfPlayRows: 50 }, { now: () => clock });
  admin = await login(t.url, ADMIN.username, ADMIN.password);
  device = await userToken(t, 'tv-lobby');
  await register(t, device, 'POP-1');
});
afterEach(async () => {
  await t.close();
});

function play(startIso: string, extra: Partial<protocol.signage.PlayRecord> = {}) {
  const start = Date.parse(startIso);
  const duration = extra.duration_ms ?? 5000;
  return {
    id: `play-${String(++idSeq).padStart(6, '0')}`,
    media_id: 7,
    playlist_id: 3,
    zone: 'main',
    started_at: new Date(start).toISOString(),
    ended_at: new Date(start + duration).toISOString(),
    duration_ms: duration,
    completed: true,
    ...extra,
  };
}

async function send(token: string, sn: string, plays: unknown[]) {
  return call(`${t.url}${POP}`, { token, body: { sn_number: sn, plays } });
}

async function listPlays(query: string): Promise<protocol.signage.PlayList> {
  const res = await call(`${t.url}${ADMIN_API}/plays/${query}`, { token: admin });
  if (res.status !== 200) throw new Error(`list failed: ${res.status} ${JSON.stringify(res.body)}`);
  return signage.PlayList.parse(res.body);
}

describe('POST /api/v1/cloud/proof-of-play/', () => {
  it('stores a batch once: a retried batch counts as duplicates, not again', async () => {
    const batch = [play('2026-06-01T11:00:00Z'), play('2026-06-01T11:00:05Z')];
    const first = await send(device, 'POP-1', batch);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ accepted: 2, duplicates: 0, discarded: 0 });
    // The answer was "lost": the device sends the same batch, plus one new play.
    const again = await send(device, 'POP-1', [...batch, play('2026-06-01T11:00:10Z')]);
    expect(again.body).toEqual({ accepted: 1, duplicates: 2, discarded: 0 });
    const stored = await listPlays('?sn_number=POP-1');
    expect(stored.count).toBe(3);
    expect(stored.results.map((p) => p.id)).toEqual([
      batch[0]!.id,
      batch[1]!.id,
      expect.any(String),
    ]);
    expect(stored.results[0]).toMatchObject({
      sn_number: 'POP-1',
      media_id: 7,
      playlist_id: 3,
      zone: 'main',
      duration_ms: 5000,
      completed: true,
      received_at: new Date(clock).toISOString(),
    });
  });

  it('keys ids per device: the same id from two devices is two plays', async () => {
    const other = await userToken(t, 'tv-bar');
    await register(t, other, 'POP-2');
    const shared = play('2026-06-01T11:00:00Z');
    expect((await send(device, 'POP-1', [shared])).body).toMatchObject({ accepted: 1 });
    expect((await send(other, 'POP-2', [shared])).body).toMatchObject({ accepted: 1 });
    expect((await listPlays('')).count).toBe(2);
  });

  it('normalises offsets to UTC, so period filters compare instants', async () => {
    const res = await send(device, 'POP-1', [
      play('2026-06-01T11:00:00Z', {
        started_at: '2026-06-01T13:00:00+02:00',
        ended_at: '2026-06-01T13:00:05+02:00',
      }),
    ]);
    expect(res.status).toBe(200);
    const page = await listPlays('?from=2026-06-01T11:00:00Z&to=2026-06-01T11:00:01Z');
    expect(page.results.map((p) => p.started_at)).toEqual(['2026-06-01T11:00:00.000Z']);
  });

  it('refuses bad batches with 400 in the signage error shape, storing nothing', async () => {
    const good = play('2026-06-01T11:00:00Z');
    const cases: unknown[][] = [
      [],
      Array.from({ length: signage.MAX_PLAY_BATCH + 1 }, (_, i) =>
        play(`2026-06-01T10:${String(i % 60).padStart(2, '0')}:00Z`),
      ),
      [{ ...good, id: 'short' }],
      [{ ...good, id: 'has spaces in it' }],
      [{ ...good, ended_at: '2026-06-01T10:59:59Z' }],
      [{ ...good, duration_ms: -1 }],
      [{ ...good, duration_ms: signage.MAX_PLAY_DURATION_MS + 1 }],
      [{ ...good, zone: 'z'.repeat(65) }],
      [{ ...good, started_at: 'yesterday' }],
      [good, { ...good }],
    ];
    for (const plays of cases) {
      const res = await send(device, 'POP-1', plays);
      expect(res.status, JSON.stringify(plays).slice(0, 200)).toBe(400);
      expect(signage.SignageError.parse(res.body)).toMatchObject({
        status_code: 400,
        code: 'BAD_REQUEST',
      });
    }
    const malformed = await call(`${t.url}${POP}`, { token: device, rawBody: '{"sn_number":' });
    expect(malformed.status).toBe(400);
    expect((await listPlays('')).count).toBe(0);
  });

  it("refuses anonymous callers (401), another account's device (403) and unknown devices (404)", async () => {
    const plays = [play('2026-06-01T11:00:00Z')];
    expect((await call(`${t.url}${POP}`, { body: { sn_number: 'POP-1', plays } })).status).toBe(
      401,
    );
    const stranger = await userToken(t, 'tv-stranger');
    const foreign = await send(stranger, 'POP-1', plays);
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ status_code: 403 });
    expect((await send(device, 'NO-SUCH-TV', plays)).status).toBe(404);
    // Operators may act as any device (as for every device route).
    expect((await send(admin, 'POP-1', plays)).status).toBe(200);
  });

  it('discards plays older than the retention and prunes them as time passes', async () => {
    const res = await send(device, 'POP-1', [
      play('2026-02-01T00:00:00Z'), // > 90 days before the server's clock
      play('2026-05-31T12:00:00Z'),
    ]);
    expect(res.body).toEqual({ accepted: 1, duplicates: 0, discarded: 1 });
    // 90 days later the second one is past its retention; the next batch prunes it.
    clock += 91 * 86_400_000;
    // Tokens expired meanwhile: sign in again.
    admin = await login(t.url, ADMIN.username, ADMIN.password);
    device = await login(t.url, 'tv-lobby', 'device-password-1');
    const later = await send(device, 'POP-1', [play(new Date(clock - 1000).toISOString())]);
    expect(later.body).toEqual({ accepted: 1, duplicates: 0, discarded: 0 });
    const page = await listPlays('');
    expect(page.count).toBe(1);
    expect(Date.parse(page.results[0]!.started_at)).toBe(clock - 1000);
  });

  it('keeps at most MARQUEE_MAX_PROOF_OF_PLAY_ROWS rows, dropping the oldest received', async () => {
    for (let batch = 0; batch < 4; batch++) {
      const plays = Array.from({ length: 20 }, (_, i) =>
        play(new Date(clock - 3600_000 + (batch * 20 + i) * 1000).toISOString()),
      );
      expect((await send(device, 'POP-1', plays)).status).toBe(200);
    }
    const page = await listPlays('?limit=1000');
    expect(page.count).toBe(50);
    // The newest 50 of the 80 received remain.
    expect(Date.parse(page.results[0]!.started_at)).toBe(clock - 3600_000 + 30 * 1000);
  });
});

describe('a flooding device', () => {
  let flood: TestServer;
  let tick = 0;
  beforeEach(async () => {
    tick = 0;
    flood = await startTestServer(
      { maxProofOfPlayRowsPerDevice: 30, maxProofOfPlayRows: 1000, proofOfPlayBatchesPerMinute: 3 },
      { now: () => clock, monotonic: () => tick },
    );
  });
  afterEach(async () => {
    await flood.close();
  });

  const sendTo = (token: string, sn: string, plays: unknown[]) =>
    call(`${flood.url}${POP}`, { token, body: { sn_number: sn, plays } });
  const batchOf = (n: number, offsetS: number) =>
    Array.from({ length: n }, (_, i) =>
      play(new Date(clock - 3600_000 + (offsetS + i) * 1000).toISOString()),
    );

  it('gets 429 in the signage shape with Retry-After beyond its batches per minute; others do not', async () => {
    const a = await userToken(flood, 'tv-a');
    const b = await userToken(flood, 'tv-b');
    await register(flood, a, 'FLOOD-A');
    await register(flood, b, 'FLOOD-B');
    for (let i = 0; i < 3; i++) {
      expect((await sendTo(a, 'FLOOD-A', batchOf(1, i))).status).toBe(200);
    }
    tick = 20_000;
    const refused = await sendTo(a, 'FLOOD-A', batchOf(1, 10));
    expect(refused.status).toBe(429);
    expect(signage.SignageError.parse(refused.body)).toEqual({
      message: expect.stringContaining('MARQUEE_PROOF_OF_PLAY_BATCHES_PER_MINUTE'),
      status_code: 429,
      code: 'RATE_LIMITED',
    });
    expect(refused.headers.get('retry-after')).toBe('40');
    // Another device's allowance is its own; another account cannot spend A's (403 first).
    expect((await sendTo(b, 'FLOOD-B', batchOf(1, 20))).status).toBe(200);
    expect((await sendTo(b, 'FLOOD-A', batchOf(1, 21))).status).toBe(403);
    // The refused batch stored nothing; once the minute is over A may send again.
    const stored = await call(`${flood.url}${ADMIN_API}/plays/?sn_number=FLOOD-A`, {
      token: await login(flood.url, ADMIN.username, ADMIN.password),
    });
    expect((stored.body as { count: number }).count).toBe(3);
    tick = 60_000;
    expect((await sendTo(a, 'FLOOD-A', batchOf(1, 30))).status).toBe(200);
  });

  it("keeps a device's newest plays within its cap and never removes another device's", async () => {
    const a = await userToken(flood, 'tv-a');
    const b = await userToken(flood, 'tv-b');
    await register(flood, a, 'FLOOD-A');
    await register(flood, b, 'FLOOD-B');
    const quiet = batchOf(10, 0);
    expect((await sendTo(b, 'FLOOD-B', quiet)).status).toBe(200);
    // A floods 3 × 25 plays, all newer than B's: past its cap only its own oldest go.
    for (let i = 0; i < 3; i++) {
      tick += 60_000;
      expect((await sendTo(a, 'FLOOD-A', batchOf(25, 100 + i * 25))).status).toBe(200);
    }
    const adminToken = await login(flood.url, ADMIN.username, ADMIN.password);
    const list = async (sn: string) =>
      signage.PlayList.parse(
        (
          await call(`${flood.url}${ADMIN_API}/plays/?sn_number=${sn}&limit=1000`, {
            token: adminToken,
          })
        ).body,
      );
    const kept = await list('FLOOD-A');
    expect(kept.count).toBe(30);
    expect(Date.parse(kept.results[0]!.started_at)).toBe(clock - 3600_000 + (100 + 45) * 1000);
    expect((await list('FLOOD-B')).results.map((p) => p.id)).toEqual(quiet.map((p) => p.id));
  });
});

describe('GET /api/v1/admin/cloud/plays/ and export/', () => {
  beforeEach(async () => {
    const other = await userToken(t, 'tv-bar');
    await register(t, other, 'POP-2');
    await send(device, 'POP-1', [
      play('2026-06-01T08:00:00Z', { media_id: 1 }),
      play('2026-06-01T09:00:00Z', { media_id: 2, completed: false, duration_ms: 1200 }),
      play('2026-06-01T10:00:00Z', { media_id: 1 }),
    ]);
    await send(other, 'POP-2', [play('2026-06-01T09:30:00Z', { media_id: 1, zone: '=cmd,"x"' })]);
  });

  it('filters by device, period, media and playlist, and pages with a total count', async () => {
    expect((await listPlays('')).count).toBe(4);
    const byDevice = await listPlays('?sn_number=POP-1');
    expect(byDevice.results.map((p) => p.media_id)).toEqual([1, 2, 1]);
    const period = await listPlays('?from=2026-06-01T09:00:00Z&to=2026-06-01T10:00:00Z');
    expect(period.results.map((p) => [p.sn_number, p.media_id])).toEqual([
      ['POP-1', 2],
      ['POP-2', 1],
    ]);
    expect((await listPlays('?media_id=1&sn_number=POP-1')).count).toBe(2);
    expect((await listPlays('?playlist_id=4')).count).toBe(0);
    const page = await listPlays('?limit=2&offset=1');
    expect(page.count).toBe(4);
    expect(page.results.map((p) => p.started_at)).toEqual([
      '2026-06-01T09:00:00.000Z',
      '2026-06-01T09:30:00.000Z',
    ]);
  });

  it('answers 400 for bad filters and 401/403 for callers who are not operators', async () => {
    for (const query of [
      '?from=yesterday',
      '?limit=0',
      `?limit=${signage.MAX_PLAY_PAGE + 1}`,
      '?offset=-1',
      '?media_id=abc',
    ]) {
      const res = await call(`${t.url}${ADMIN_API}/plays/${query}`, { token: admin });
      expect(res.status, query).toBe(400);
      expect(res.body).toMatchObject({ status_code: 400 });
    }
    expect((await call(`${t.url}${ADMIN_API}/plays/`)).status).toBe(401);
    expect((await call(`${t.url}${ADMIN_API}/plays/`, { token: device })).status).toBe(403);
    expect((await call(`${t.url}${ADMIN_API}/plays/export/`, { token: device })).status).toBe(403);
  });

  it('exports CSV with a header, the same filters, and spreadsheet-safe fields', async () => {
    const res = await fetch(`${t.url}${ADMIN_API}/plays/export/?from=2026-06-01T09:00:00Z`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment/);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe(signage.PLAY_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(
      /^play-\d+,POP-1,3,2,main,2026-06-01T09:00:00.000Z,2026-06-01T09:00:01.200Z,1200,false,/,
    );
    // A zone starting with "=" is quoted and prefixed so a spreadsheet shows it as text.
    expect(lines[2]).toContain(`,"'=cmd,""x""",`);
  });

  it("is what the SDK admin client's listPlays and exportPlays read", async () => {
    const client = createSignageAdminClient({ baseUrl: t.url, credentials: ADMIN });
    const page = await client.listPlays({ sn_number: 'POP-1', media_id: 1, limit: 1 });
    expect(page.count).toBe(2);
    expect(page.results.map((p) => p.started_at)).toEqual(['2026-06-01T08:00:00.000Z']);
    const csv = await client.exportPlays({ from: '2026-06-01T09:15:00Z' });
    const rows = csv.trimEnd().split('\r\n').slice(1);
    expect(rows.map((line) => line.split(',')[1])).toEqual(['POP-2', 'POP-1']);
  });
});

describe('export in chunks', () => {
  it('streams every matching play once across chunk boundaries, even with equal start times', async () => {
    const big = await startTestServer({}, { now: () => clock });
    try {
      const token = await userToken(big, 'tv-big');
      await register(big, token, 'BIG-1');
      const sent: string[] = [];
      for (let batch = 0; batch < 3; batch++) {
        // 1,500 plays that all started in the same millisecond: only `seq` orders them.
        const plays = Array.from({ length: 500 }, () => play('2026-06-01T10:00:00Z'));
        sent.push(...plays.map((p) => p.id));
        const res = await call(`${big.url}${POP}`, { token, body: { sn_number: 'BIG-1', plays } });
        expect(res.body).toMatchObject({ accepted: 500 });
      }
      const res = await fetch(`${big.url}${ADMIN_API}/plays/export/?sn_number=BIG-1`, {
        headers: { authorization: `Bearer ${await big.login()}` },
      });
      const rows = (await res.text()).trimEnd().split('\r\n').slice(1);
      expect(rows.map((line) => line.split(',')[0])).toEqual(sent);
    } finally {
      await big.close();
    }
  }, 60_000);
});
