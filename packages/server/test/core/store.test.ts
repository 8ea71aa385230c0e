import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { MarqueeError } from '@marquee/sdk';
import pgClient from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Migration,
  type SessionHistoryRecord,
  type Store,
  openPostgresStore,
  openSqliteStore,
  coreMigrations,
  openStore,
} from '../../src/core/store/index';
import { describeEachEngine } from '../helpers/engines';
import { type TestDatabase, postgresForTests } from '../helpers/postgres';

const pg = await postgresForTests();

let dir: string;
let dbPath: string;
const open: Store[] = [];
const fixedNow = () => new Date('2025-01-02T03:04:05.000Z');

async function openAt(path = dbPath, migrations?: readonly Migration[]): Promise<Store> {
  const store = await openSqliteStore(path, { now: fixedNow, migrations });
  open.push(store);
  return store;
}

function rawQuery(sql: string): unknown[] {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'marquee-store-'));
  dbPath = join(dir, 'nested', 'dir', 'marquee.db');
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('openSqliteStore', () => {
  it('creates the parent directory, turns WAL on and records the core migrations', async () => {
    const store = await openAt();
    expect(store.kind).toBe('sqlite');
    expect(rawQuery('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(rawQuery('SELECT version, name, applied_at FROM schema_migrations')).toEqual(
      coreMigrations.map((m) => ({
        version: m.version,
        name: m.name,
        applied_at: fixedNow().toISOString(),
      })),
    );
  });

  it('keeps data across close and reopen, applying each migration once', async () => {
    const first = await openAt();
    await first.settings.set('k', 'v');
    await first.users.create({ username: 'ann', passwordHash: 'h', role: 'admin' });
    await first.close();
    await first.close(); // idempotent

    const second = await openAt();
    expect(await second.settings.get('k')).toBe('v');
    expect((await second.users.list()).map((u) => u.username)).toEqual(['ann']);
    expect(rawQuery('SELECT count(*) AS n FROM schema_migrations')).toEqual([
      { n: coreMigrations.length },
    ]);
  });

  it('close() folds the WAL back into the main file', async () => {
    const store = await openAt();
    await store.settings.set('k', 'v');
    expect(statSync(`${dbPath}-wal`).size).toBeGreaterThan(0);
    await store.close();
    // Empty or gone: the .db alone now holds everything (safe to copy as a backup).
    expect(existsSync(`${dbPath}-wal`) ? statSync(`${dbPath}-wal`).size : 0).toBe(0);
    expect(rawQuery('SELECT value FROM settings')).toEqual([{ value: 'v' }]);
  });

  it('applies extra migrations appended later, in version order, and only once', async () => {
    await (await openAt()).close();
    const extra: Migration[] = [
      { version: 901, name: 'extra_b', up: 'ALTER TABLE widgets ADD COLUMN size INTEGER' },
      { version: 900, name: 'extra_a', up: 'CREATE TABLE widgets (id INTEGER PRIMARY KEY)' },
    ];
    await (await openAt(dbPath, extra)).close();
    await (await openAt(dbPath, extra)).close();
    expect(rawQuery('SELECT version FROM schema_migrations WHERE version >= 900')).toEqual([
      { version: 900 },
      { version: 901 },
    ]);
    expect(rawQuery("SELECT name FROM pragma_table_info('widgets')")).toEqual([
      { name: 'id' },
      { name: 'size' },
    ]);
  });

  it('rolls back a failing migration and rejects duplicate or renamed versions', async () => {
    const broken: Migration = {
      version: 900,
      name: 'broken',
      up: 'CREATE TABLE half (id INTEGER); SELECT * FROM missing_table',
    };
    await expect(openAt(dbPath, [broken])).rejects.toThrow(/missing_table/);
    expect(rawQuery("SELECT name FROM sqlite_master WHERE name = 'half'")).toEqual([]);

    const dup: Migration = { version: 1, name: 'clash', up: 'SELECT 1' };
    await expect(openAt(dbPath, [dup])).rejects.toThrow(/share version 1/);

    await (await openAt(dbPath, [{ version: 900, name: 'x', up: 'SELECT 1' }])).close();
    await expect(openAt(dbPath, [{ version: 900, name: 'y', up: 'SELECT 1' }])).rejects.toThrow(
      /recorded as "x"/,
    );
  });

  it('openStore(config) opens <dataDir>/marquee.db', async () => {
    const store = await openStore({ dataDir: join(dir, 'data') });
    open.push(store);
    await store.settings.set('a', 'b');
    await store.close();
    const db = new DatabaseSync(join(dir, 'data', 'marquee.db'));
    expect(db.prepare('SELECT value FROM settings').all()).toEqual([{ value: 'b' }]);
    db.close();
  });
});

describe('SQLite schema', () => {
  it('has the (user_id, ended_at) index', async () => {
    await (await openAt()).close();
    expect(rawQuery("SELECT name FROM pragma_index_info('session_history_user_ended')")).toEqual([
      { name: 'user_id' },
      { name: 'ended_at' },
    ]);
  });
});

describeEachEngine(pg, 'store', (engine) => {
  describe('settings', () => {
    it('gets, overwrites and sets only when absent', async () => {
      const { settings } = await engine.open({ now: fixedNow });
      expect(await settings.get('missing')).toBeUndefined();
      await settings.set('k', '1');
      await settings.set('k', '2');
      expect(await settings.get('k')).toBe('2');
      expect(await settings.setIfAbsent('k', '3')).toBe('2');
      expect(await settings.setIfAbsent('new', 'x')).toBe('x');
      expect(await settings.get('new')).toBe('x');
    });
  });

  describe('users', () => {
    it('creates, finds (user names ignore case), lists, counts and changes passwords', async () => {
      const { users } = await engine.open({ now: fixedNow });
      expect(await users.count()).toBe(0);
      const ann = await users.create({ username: 'Ann', passwordHash: 'h1', role: 'admin' });
      expect(ann).toEqual({
        id: ann.id,
        username: 'Ann',
        passwordHash: 'h1',
        role: 'admin',
        createdAt: fixedNow().toISOString(),
        disabledAt: null,
        tokenVersion: 0,
      });
      await users.create({ username: 'bob', passwordHash: 'h2', role: 'operator' });
      expect(await users.count()).toBe(2);
      expect(await users.findByUsername('ANN')).toEqual(ann);
      expect(await users.findById(ann.id)).toEqual(ann);
      expect(await users.findById(999)).toBeUndefined();
      expect(await users.findByUsername('nobody')).toBeUndefined();
      expect((await users.list()).map((u) => u.username)).toEqual(['Ann', 'bob']);
      await users.setPassword(ann.id, 'h3');
      expect((await users.findById(ann.id))?.passwordHash).toBe('h3');
      await expect(users.setPassword(999, 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('surfaces a taken user name as CONFLICT (409), whatever the case', async () => {
      const { users } = await engine.open({ now: fixedNow });
      await users.create({ username: 'ann', passwordHash: 'h', role: 'operator' });
      const error: unknown = await users
        .create({ username: 'ANN', passwordHash: 'h', role: 'operator' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MarqueeError);
      expect(error).toMatchObject({
        code: 'CONFLICT',
        status: 409,
        message: 'User name "ANN" is already taken',
      });
    });
  });

  describe('display tokens', () => {
    it('creates with JSON scopes, finds by id and hash, lists, touches and revokes', async () => {
      const store = await engine.open({ now: fixedNow });
      const admin = await store.users.create({ username: 'a', passwordHash: 'h', role: 'admin' });
      const base = { createdBy: admin.id, createdAt: '2025-01-01T00:00:00.000Z' };
      const t1 = await store.displayTokens.create({
        ...base,
        id: 't1',
        name: 'Kitchen',
        tokenHash: 'hash1',
        scopes: ['now-playing', 'monitoring'],
      });
      expect(t1).toEqual({
        ...base,
        id: 't1',
        name: 'Kitchen',
        tokenHash: 'hash1',
        scopes: ['now-playing', 'monitoring'],
        revokedAt: null,
        lastUsedAt: null,
      });
      await store.displayTokens.create({
        ...base,
        id: 't2',
        name: 'Hall',
        tokenHash: 'h2',
        scopes: [],
      });
      expect(await store.displayTokens.findByHash('hash1')).toEqual(t1);
      expect(await store.displayTokens.findById('t1')).toEqual(t1);
      expect(await store.displayTokens.findById('nope')).toBeUndefined();
      expect((await store.displayTokens.list()).map((t) => t.id)).toEqual(['t1', 't2']);

      await store.displayTokens.touch('t1', '2025-01-03T00:00:00.000Z');
      expect((await store.displayTokens.findById('t1'))?.lastUsedAt).toBe(
        '2025-01-03T00:00:00.000Z',
      );

      expect(await store.displayTokens.revoke('t1', '2025-01-04T00:00:00.000Z')).toBe(true);
      expect(await store.displayTokens.revoke('t1', '2025-01-05T00:00:00.000Z')).toBe(true);
      expect((await store.displayTokens.findById('t1'))?.revokedAt).toBe(
        '2025-01-04T00:00:00.000Z',
      );
      expect(await store.displayTokens.revoke('unknown', '2025-01-04T00:00:00.000Z')).toBe(false);
    });

    it('rejects a duplicate hash (CONFLICT) and an unknown creator (NOT_FOUND)', async () => {
      const store = await engine.open({ now: fixedNow });
      const admin = await store.users.create({ username: 'a', passwordHash: 'h', role: 'admin' });
      const token = { id: 't1', name: 'n', tokenHash: 'x', scopes: ['*'], createdAt: 'c' };
      await store.displayTokens.create({ ...token, createdBy: admin.id });
      await expect(
        store.displayTokens.create({ ...token, id: 't2', createdBy: admin.id }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(
        store.displayTokens.create({ ...token, id: 't3', tokenHash: 'y', createdBy: 42 }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('session history', () => {
    function record(n: number, userId: number, endedAt: string): Omit<SessionHistoryRecord, 'id'> {
      return {
        sessionId: `s${n}`,
        userId,
        username: `u${userId}`,
        title: `Title ${n}`,
        mediaType: 'movie',
        path: n % 2 === 0 ? null : `/media/${n}.mkv`,
        startedAt: '2025-01-01T00:00:00.000Z',
        endedAt,
        watchedSeconds: 61.5,
        endReason: 'finished',
      };
    }

    it('adds and lists newest first, filtered by user and cursor, with a limit', async () => {
      const { sessionHistory } = await engine.open({ now: fixedNow });
      const added = await sessionHistory.add(record(1, 7, '2025-01-01T01:00:00.000Z'));
      expect(added).toEqual({ id: added.id, ...record(1, 7, '2025-01-01T01:00:00.000Z') });
      await sessionHistory.add(record(2, 8, '2025-01-01T02:00:00.000Z'));
      await sessionHistory.add(record(3, 7, '2025-01-01T03:00:00.000Z'));
      await sessionHistory.add(record(4, 7, '2025-01-01T04:00:00.000Z'));

      const ids = (rows: SessionHistoryRecord[]) => rows.map((r) => r.sessionId);
      expect(ids(await sessionHistory.list({ limit: 10 }))).toEqual(['s4', 's3', 's2', 's1']);
      expect(ids(await sessionHistory.list({ limit: 2 }))).toEqual(['s4', 's3']);
      expect(ids(await sessionHistory.list({ userId: 7, limit: 10 }))).toEqual(['s4', 's3', 's1']);
      expect(
        ids(
          await sessionHistory.list({ userId: 7, limit: 10, before: '2025-01-01T04:00:00.000Z' }),
        ),
      ).toEqual(['s3', 's1']);
      expect(
        ids(await sessionHistory.list({ limit: 10, before: '2025-01-01T03:00:00.000Z' })),
      ).toEqual(['s2', 's1']);
    });
  });

  describe('auth sessions', () => {
    it('creates, finds by hash, deletes one and sweeps expired ones', async () => {
      const store = await engine.open({ now: fixedNow });
      const user = await store.users.create({ username: 'a', passwordHash: 'h', role: 'operator' });
      const s1 = await store.authSessions.create({
        userId: user.id,
        tokenHash: 'h1',
        createdAt: '2025-01-01T00:00:00.000Z',
        expiresAt: '2025-01-02T00:00:00.000Z',
      });
      expect(await store.authSessions.findByHash('h1')).toEqual(s1);
      await store.authSessions.create({
        userId: user.id,
        tokenHash: 'h2',
        createdAt: '2025-01-01T00:00:00.000Z',
        expiresAt: '2025-01-03T00:00:00.000Z',
      });
      expect(await store.authSessions.deleteExpired('2025-01-02T00:00:00.000Z')).toBe(1);
      expect(await store.authSessions.findByHash('h1')).toBeUndefined();
      expect(await store.authSessions.deleteByHash('h2')).toBe(true);
      expect(await store.authSessions.deleteByHash('h2')).toBe(false);
      await expect(
        store.authSessions.create({ userId: 99, tokenHash: 'h3', createdAt: 'a', expiresAt: 'b' }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('concurrent writers', () => {
    it('setIfAbsent: every concurrent caller gets the one stored value', async () => {
      const store = await engine.open({ now: fixedNow });
      const other = await engine.open({ now: fixedNow });
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, n) =>
          (n % 2 === 0 ? store : other).settings.setIfAbsent('secret', `v${n}`),
        ),
      );
      const stored = await store.settings.get('secret');
      expect(new Set(answers)).toEqual(new Set([stored]));
    });

    it('never lets two concurrent demotions remove the last active admin', async () => {
      const store = await engine.open({ now: fixedNow });
      const other = await engine.open({ now: fixedNow });
      const a = await store.users.create({ username: 'a', passwordHash: 'h', role: 'admin' });
      const b = await store.users.create({ username: 'b', passwordHash: 'h', role: 'admin' });
      const results = await Promise.allSettled([
        store.users.update(a.id, { role: 'viewer' }),
        other.users.update(b.id, { role: 'viewer' }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({
        reason: { code: 'CONFLICT' },
      });
      expect(await store.users.list({ role: 'admin' })).toHaveLength(1);
      const [admin] = await store.users.list({ role: 'admin' });
      await expect(store.users.remove(admin?.id ?? 0)).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(
        store.users.update(admin?.id ?? 0, { disabledAt: fixedNow().toISOString() }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('keeps data across close and reopen; a removed user takes its sessions and tokens', async () => {
      const first = await engine.open({ now: fixedNow });
      const ann = await first.users.create({ username: 'ann', passwordHash: 'h', role: 'admin' });
      const bob = await first.users.create({ username: 'bob', passwordHash: 'h', role: 'viewer' });
      await first.authSessions.create({
        userId: bob.id,
        tokenHash: 's1',
        createdAt: 'a',
        expiresAt: 'b',
      });
      await first.displayTokens.create({
        id: 't',
        name: 'n',
        tokenHash: 'th',
        scopes: ['monitoring'],
        createdBy: bob.id,
        createdAt: 'c',
      });
      await first.close();
      const second = await engine.open({ now: fixedNow });
      expect((await second.users.list()).map((u) => u.username)).toEqual(['ann', 'bob']);
      expect(await second.users.update(bob.id, { disabledAt: 'x' })).toMatchObject({
        disabledAt: 'x',
        tokenVersion: 1,
      });
      expect(await second.users.update(bob.id, { disabledAt: null })).toMatchObject({
        disabledAt: null,
        tokenVersion: 2,
      });
      expect(await second.authSessions.deleteForUser(bob.id, 'other')).toBe(1);
      expect(await second.users.remove(bob.id)).toBe(true);
      expect(await second.users.remove(bob.id)).toBe(false);
      expect(await second.displayTokens.findById('t')).toBeUndefined();
      expect(await second.users.findById(ann.id)).toMatchObject({ role: 'admin' });
    });
  });
});

describe.skipIf(!pg.available)('openPostgresStore', () => {
  const databases: TestDatabase[] = [];
  const stores: Store[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await Promise.all(databases.splice(0).map((db) => db.drop()));
  });
  async function database(): Promise<TestDatabase> {
    const db = await pg.createDatabase();
    databases.push(db);
    return db;
  }
  async function openPg(url: string, migrations?: readonly Migration[]): Promise<Store> {
    const store = await openPostgresStore(url, { now: fixedNow, migrations, maxConnections: 2 });
    stores.push(store);
    return store;
  }
  async function query(url: string, sql: string): Promise<unknown[]> {
    const client = new pgClient.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<Record<string, unknown>>(sql)).rows;
    } finally {
      await client.end();
    }
  }

  it('four instances starting together apply each migration once (advisory lock)', async () => {
    const { url } = await database();
    const opened = await Promise.all(Array.from({ length: 4 }, () => openPg(url)));
    expect(opened.every((store) => store.kind === 'postgres')).toBe(true);
    expect(
      await query(url, 'SELECT version, name, applied_at FROM schema_migrations ORDER BY 1'),
    ).toEqual(
      coreMigrations.map((m) => ({
        version: m.version,
        name: m.name,
        applied_at: fixedNow().toISOString(),
      })),
    );
  });

  it('rolls a failing run back whole, and refuses renamed or engine-less migrations', async () => {
    const { url } = await database();
    const broken: Migration = {
      version: 900,
      name: 'broken',
      up: 'SELECT 1',
      postgres: 'CREATE TABLE half (id INTEGER); SELECT * FROM missing_table',
    };
    await expect(openPg(url, [broken])).rejects.toThrow(/missing_table/);
    // Nothing of the run stayed, core's tables included: the next start begins again cleanly.
    expect(await query(url, "SELECT to_regclass('half') AS t, to_regclass('users') AS u")).toEqual([
      { t: null, u: null },
    ]);
    const x: Migration = { version: 900, name: 'x', up: 'SELECT 1', postgres: 'SELECT 1' };
    await (await openPg(url, [x])).close();
    await expect(openPg(url, [{ ...x, name: 'y' }])).rejects.toThrow(/recorded as "x"/);
    await expect(
      openPg(url, [{ version: 901, name: 'sqlite_only', up: 'SELECT 1' }]),
    ).rejects.toThrow(/901 "sqlite_only" have no PostgreSQL version/);
  });

  it('openStore(config) uses config.databaseUrl when set, keeping nothing in dataDir', async () => {
    const { url } = await database();
    const dataDir = mkdtempSync(join(tmpdir(), 'marquee-pg-'));
    try {
      const store = await openStore({ dataDir, databaseUrl: url });
      stores.push(store);
      expect(store.kind).toBe('postgres');
      await store.settings.set('a', 'b');
      expect(await query(url, 'SELECT value FROM settings')).toEqual([{ value: 'b' }]);
      expect(existsSync(join(dataDir, 'marquee.db'))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
