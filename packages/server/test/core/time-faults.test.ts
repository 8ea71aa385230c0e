/**
 * Time faults (issue 18 §2): a real server whose wall clock steps an hour forward or back, to
 * 1970 (a Raspberry Pi without a real-time clock, before NTP) and ten years ahead, while its
 * monotonic clock runs on. Each timer the server measures itself must neither fire at the step
 * nor freeze for its length. Both clocks are injected (`now`, `monotonic`); the monotonic one is
 * the real `performance.now()` plus what a test skips, so timers that really wait (a long poll)
 * keep working. docs/reliability.md lists each mechanism and the clock it reads; a real process
 * under libfaketime is in time-faults-faketime.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../src/core/store/migrations';
import { statementCache } from '../../src/core/store/sqlite/statements';
import { createPoller } from '../../src/integrations/upstream/poller';
import { TieredHistory } from '../../src/surfaces/monitoring/history';
import { monitoringMigrations } from '../../src/surfaces/monitoring/store/migrations';
import { sqliteMonitoring } from '../../src/surfaces/monitoring/store/sqlite';
import { ADMIN, call, startTestServer, type TestServer } from '../helpers/server';

const HOUR = 3_600_000;
const YEAR = 365 * 24 * HOUR;

/** A wall clock that steps on demand and a monotonic clock that only moves forward. */
function clocks() {
  let wallOffset = 0;
  let skipped = 0;
  return {
    now: () => Date.now() + wallOffset,
    monotonic: () => performance.now() + skipped,
    /** Steps the wall clock by `ms` (negative: back); the monotonic clock does not notice. */
    step(ms: number) {
      wallOffset += ms;
    },
    /** Sets the wall clock to `at` (Unix ms). */
    set(at: number) {
      wallOffset = at - Date.now();
    },
    /** Lets `ms` pass on both clocks at once, as real time does. */
    pass(ms: number) {
      skipped += ms;
      wallOffset += ms;
    },
  };
}

const STEPS: readonly [string, (c: ReturnType<typeof clocks>) => void][] = [
  ['an hour forward', (c) => c.step(HOUR)],
  ['an hour back', (c) => c.step(-HOUR)],
  ['to 1970', (c) => c.set(600_000)],
  ['ten years forward', (c) => c.step(10 * YEAR)],
];

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('a real server whose wall clock steps', () => {
  it.each(STEPS)(
    'sign-in limits: a step %s neither ends a window nor stretches it',
    async (_name, step) => {
      const c = clocks();
      t = await startTestServer(
        { loginMaxFailuresPerUsername: 3, loginFailureWindowSeconds: 900 },
        { now: c.now, monotonic: c.monotonic },
      );
      const signIn = (password: string) =>
        call(`${t!.url}/api/v1/auth/token/`, { body: { username: ADMIN.username, password } });
      for (let i = 0; i < 3; i++) expect((await signIn('wrong')).status).toBe(400);
      expect((await signIn(ADMIN.password)).status).toBe(429);
      step(c);
      const refused = await signIn(ADMIN.password);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(890);
      c.pass(900_000);
      expect((await signIn(ADMIN.password)).status).toBe(200);
    },
  );

  it.each(STEPS)(
    'Now Playing: a step %s does not end a live session; its TTL still ends it; history stays ordered',
    async (_name, step) => {
      const c = clocks();
      t = await startTestServer({ sessionTtlSeconds: 30 }, { now: c.now, monotonic: c.monotonic });
      const admin = await t.login();
      const update = await call(`${t.url}/api/dashboard/session/update`, {
        token: admin,
        body: {
          session_id: 's1',
          title: 'Alien',
          current_time: 10,
          duration: 7000,
          state: 'playing',
        },
      });
      expect(update.status).toBe(200);
      step(c);
      t.server.nowPlaying.sweep();
      expect(t.server.nowPlaying.tracker.list().map((s) => s.session.session_id)).toEqual(['s1']);
      c.pass(31_000);
      t.server.nowPlaying.sweep();
      expect(t.server.nowPlaying.tracker.list()).toEqual([]);
      const rows = await waitForHistory(t);
      expect(rows[0]?.endReason).toBe('expired');
      expect(Date.parse(rows[0]!.endedAt)).toBeGreaterThanOrEqual(Date.parse(rows[0]!.startedAt));
    },
  );

  it('tokens: `exp` is wall time; an hour forward needs a refresh, nobody is signed out', async () => {
    const c = clocks();
    t = await startTestServer({}, { now: c.now, monotonic: c.monotonic });
    const signIn = await call(`${t.url}/api/v1/auth/token/`, {
      body: { username: ADMIN.username, password: ADMIN.password },
    });
    const { access, refresh } = signIn.body as { access: string; refresh: string };
    const me = (token: string) => call(`${t!.url}/api/v1/auth/me/`, { token });
    expect((await me(access)).status).toBe(200);
    c.step(HOUR);
    // The access token lived an hour (MARQUEE_ACCESS_TOKEN_TTL_SECONDS): expired by the step, as
    // any JWT consumer reading the same clock would find; the refresh token still holds.
    expect((await me(access)).status).toBe(401);
    const refreshed = await call(`${t.url}/api/v1/auth/token/refresh/`, { body: { refresh } });
    expect(refreshed.status).toBe(200);
    expect((await me((refreshed.body as { access: string }).access)).status).toBe(200);
    // Back to 1970: signing in still works and its tokens are good on that clock.
    c.set(600_000);
    const again = await call(`${t.url}/api/v1/auth/token/`, {
      body: { username: ADMIN.username, password: ADMIN.password },
    });
    expect(again.status).toBe(200);
    expect((await me((again.body as { access: string }).access)).status).toBe(200);
  });

  it('a pairing long poll waits its `wait`, not the length of a step back during it', async () => {
    const c = clocks();
    t = await startTestServer({}, { now: c.now, monotonic: c.monotonic });
    const started = await call(`${t.url}/api/v1/cloud/pairing/`, { body: {} });
    expect(started.status).toBe(201);
    const { id, secret } = started.body as { id: string; secret: string };
    const began = performance.now();
    const waiting = call(`${t.url}/api/v1/cloud/pairing/${id}/?wait=2`, { token: secret });
    await new Promise((resolve) => setTimeout(resolve, 300));
    c.step(-HOUR);
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'pending' });
    // Before: the deadline was on the wall clock, and the poll held on for the hour.
    expect(performance.now() - began).toBeLessThan(6000);
  });

  it.each(STEPS)('/healthz uptime: a step %s leaves it the time since start', async (_n, step) => {
    const c = clocks();
    t = await startTestServer({}, { now: c.now, monotonic: c.monotonic });
    c.pass(5000);
    step(c);
    const res = await call(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    const uptime = (res.body as { uptime_seconds: number }).uptime_seconds;
    expect(uptime).toBeGreaterThanOrEqual(5);
    expect(uptime).toBeLessThan(120);
  });

  it.each(STEPS)(
    'media-stack answer cache: after a step %s an answer is a HIT within its TTL and a MISS after',
    async (_name, step) => {
      const c = clocks();
      t = await startTestServer({}, { now: c.now, monotonic: c.monotonic });
      let admin = await t.login();
      const status = () => call(`${t!.url}/api/v1/dashboard/status`, { token: admin });
      expect((await status()).headers.get('x-cache-status')).toBe('MISS');
      step(c);
      // An access token's `exp` is a wall time (see the token test): sign in again.
      admin = await t.login();
      const hit = await status();
      expect(hit.headers.get('x-cache-status')).toBe('HIT');
      const metadata = (hit.body as { metadata: { cacheAge: number; nextUpdate: string } })
        .metadata;
      expect(metadata.cacheAge).toBeLessThan(30);
      // The next update is said in the wall time a reader has now, within the TTL.
      const ahead = Date.parse(metadata.nextUpdate) - c.now();
      expect(ahead).toBeGreaterThan(0);
      expect(ahead).toBeLessThanOrEqual(60_000);
      c.pass(61_000);
      // Before: after a step back, the answer stayed a HIT for the length of the step.
      expect((await status()).headers.get('x-cache-status')).toBe('MISS');
    },
  );
});

async function waitForHistory(server: TestServer) {
  for (let i = 0; i < 50; i++) {
    const rows = await server.server.store.sessionHistory.list({ limit: 10 });
    if (rows.length > 0) return rows;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no history row was written');
}

describe('timers measured outside a server', () => {
  it('an upstream poll that spans a step back reports its real latency, never a negative one', async () => {
    const c = clocks();
    const poller = createPoller<number>({
      name: 'u',
      intervalMs: 60_000,
      now: c.now,
      monotonic: c.monotonic,
      poll: () => {
        c.step(-HOUR);
        return Promise.resolve({ value: 1 });
      },
    });
    const snapshot = await poller.refresh();
    poller.stop();
    expect(snapshot.latencyMs).toBeGreaterThanOrEqual(0);
    expect(snapshot.latencyMs).toBeLessThan(1000);
    expect(snapshot.status).toBe('up');
  });

  describe('metrics history', () => {
    let dir: string;
    let db: DatabaseSync;
    afterEach(() => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    });

    function history() {
      dir = mkdtempSync(join(tmpdir(), 'marquee-time-history-'));
      db = new DatabaseSync(join(dir, 'm.db'));
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
      applyMigrations(db, monitoringMigrations, () => new Date());
      return sqliteMonitoring({ kind: 'sqlite', db, sql: statementCache(db) }).history;
    }

    const sample = (ts: number) => ({
      ts,
      cpu: 100,
      temp: null,
      mem: 1,
      memTotal: 2,
      disk: 1,
      diskTotal: 2,
      rx: 0,
      tx: 0,
    });
    const T0 = 1_767_225_600;

    it('a step ten years forward and back deletes nothing and stores nothing in the past', async () => {
      const repo = history();
      const tiers = new TieredHistory(repo);
      for (let s = 0; s < 7200; s += 10) await tiers.ingest(sample(T0 + s), T0 + s);
      const seconds = (await repo.buckets('second', T0, T0 + 7200, 1)).length;
      const minutes = (await repo.buckets('minute', T0, T0 + 7200, 60)).length;
      expect(seconds).toBe(720);
      expect(minutes).toBe(119);
      // Ten years ahead for a while, on a clock that did not step.
      const ahead = T0 + 10 * 365 * 86_400;
      for (let s = 0; s < 180; s += 10) await tiers.ingest(sample(ahead + 7200 + s), T0 + 7200 + s);
      // Before: the first minute closed ten years ahead deleted every row older than a day.
      expect(await repo.buckets('second', T0, T0 + 7200, 1)).toHaveLength(seconds);
      // Every real minute is there, the last one closed by the first sample after the step.
      expect(await repo.buckets('minute', T0, T0 + 7200, 60)).toHaveLength(minutes + 1);
      expect(await repo.buckets('hour', T0, T0 + 7200, 3600)).toHaveLength(2);
      // Back to the right time: earlier than the newest stored second, so ignored (a gap).
      await tiers.ingest(sample(T0 + 7400), T0 + 7400);
      expect(await repo.buckets('second', T0 + 7200, T0 + 7600, 1)).toHaveLength(0);
    });

    it('a Raspberry Pi booting in 1970 neither writes 1970 points nor removes real ones', async () => {
      const repo = history();
      const before = new TieredHistory(repo);
      for (let s = 0; s < 600; s += 10) await before.ingest(sample(T0 + s));
      const stored = (await repo.buckets('second', T0, T0 + 600, 1)).length;
      // A new process (restart) whose wall clock says 1970.
      const booted = new TieredHistory(repo);
      for (let s = 0; s < 300; s += 10) await booted.ingest(sample(600 + s), 600 + s);
      expect(await repo.buckets('second', 0, 100_000, 1)).toHaveLength(0);
      expect(await repo.buckets('second', T0, T0 + 600, 1)).toHaveLength(stored);
      // NTP steps the clock to now: recording resumes.
      await booted.ingest(sample(T0 + 700), 900);
      expect(await repo.buckets('second', T0 + 600, T0 + 800, 1)).toHaveLength(1);
      expect(await repo.buckets('second', T0, T0 + 600, 1)).toHaveLength(stored);
    });
  });
});
