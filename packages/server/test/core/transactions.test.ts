/**
 * Transactions when the transaction statements themselves fail: BEGIN, SAVEPOINT, RELEASE,
 * ROLLBACK and COMMIT injected to fail (tests/helpers/faults.ts), and a real full disk (a tmpfs
 * filled to the last byte) under the signage store. In every case the caller sees the first
 * error, the connection is left outside any transaction, and the next transaction works.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type Store } from '../../src/core/store';
import { applyMigrations, type Migration } from '../../src/core/store/migrations';
import { savepointTransaction, type Transaction } from '../../src/core/store/sqlite/transaction';
import { signageStore } from '../../src/surfaces/signage/store';
import { deviceBody } from '../signage/helpers';
import { SQLITE_FULL, faultyDb, smallDisk, sqliteError, type FaultyDb } from '../helpers/faults';

let dir: string;
let raw: DatabaseSync;
let faults: FaultyDb;
let tx: Transaction;

const rows = () =>
  raw
    .prepare('SELECT x FROM t ORDER BY x')
    .all()
    .map((row) => row.x);
const insert = (x: number) => raw.prepare('INSERT INTO t (x) VALUES (?)').run(x);

/** A transaction at depth 0 works, and opened savepoint `t_0` (the depth is back at zero). */
function expectHealthy(): void {
  expect(raw.isTransaction).toBe(false);
  const before = faults.executed.length;
  tx(() => insert(1000));
  expect(faults.executed.slice(before)).toEqual(['SAVEPOINT t_0', 'RELEASE t_0']);
  expect(rows()).toContain(1000);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'marquee-tx-'));
  raw = new DatabaseSync(join(dir, 'tx.db'));
  raw.exec('PRAGMA journal_mode = WAL');
  raw.exec('CREATE TABLE t (x INTEGER PRIMARY KEY)');
  faults = faultyDb(raw);
  tx = savepointTransaction(faults.db, 't');
});
afterEach(() => {
  raw.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('savepoint transactions with failing statements', () => {
  it('SAVEPOINT fails: its error, nothing opened', () => {
    const injected = sqliteError(SQLITE_FULL);
    faults.failNext(/^SAVEPOINT/, injected);
    expect(() => tx(() => insert(1))).toThrow(injected);
    expect(rows()).toEqual([]);
    expectHealthy();
  });

  it('the commit (outermost RELEASE) fails: its error, the writes rolled back', () => {
    const injected = new Error('database is locked');
    faults.failNext(/^RELEASE t_0$/, injected);
    expect(() => tx(() => insert(1))).toThrow(injected);
    expect(rows()).toEqual([]);
    expectHealthy();
  });

  it('the commit fails with SQLITE_FULL after SQLite rolled back itself: SQLITE_FULL, not a savepoint error', () => {
    const injected = sqliteError(SQLITE_FULL);
    faults.failNext(/^RELEASE t_0$/, injected, { rollBackFirst: true });
    expect(() => tx(() => insert(1))).toThrow(injected);
    expect(rows()).toEqual([]);
    expectHealthy();
  });

  it('a write fails after SQLite rolled the transaction back: the write error is not masked by ROLLBACK TO', () => {
    const injected = sqliteError(SQLITE_FULL);
    faults.failNext(/^INSERT/, injected, { rollBackFirst: true });
    expect(() =>
      tx(() => {
        insert(1);
        tx(() => faults.db.exec('INSERT INTO t (x) VALUES (2)'));
      }),
    ).toThrow(injected);
    expect(rows()).toEqual([]);
    expectHealthy();
  });

  it('ROLLBACK TO fails: the work error still reaches the caller and everything is rolled back', () => {
    const cause = new Error('work failed');
    faults.failNext(/^ROLLBACK TO t_0$/, sqliteError(10));
    expect(() =>
      tx(() => {
        insert(1);
        throw cause;
      }),
    ).toThrow(cause);
    expect(rows()).toEqual([]);
    expectHealthy();
  });

  it('a nested RELEASE fails: the caller may go on, the inner writes are gone, depth stays right', () => {
    const injected = sqliteError(SQLITE_FULL);
    faults.failNext(/^RELEASE t_1$/, injected);
    let seen: unknown;
    tx(() => {
      insert(1);
      try {
        tx(() => insert(2));
      } catch (error) {
        seen = error;
      }
      tx(() => insert(3));
    });
    expect(seen).toBe(injected);
    expect(rows()).toEqual([1, 3]);
    // The third call reused depth 1, not 2 or 0.
    expect(faults.executed.filter((s) => s.startsWith('SAVEPOINT'))).toEqual([
      'SAVEPOINT t_0',
      'SAVEPOINT t_1',
      'SAVEPOINT t_1',
    ]);
    expectHealthy();
  });

  it('a nested RELEASE and its clean-up fail: the outer level rolls back all and the first error wins', () => {
    const injected = sqliteError(SQLITE_FULL);
    faults.failNext(/^RELEASE t_1$/, injected);
    faults.failNext(/^ROLLBACK TO t_1$/, sqliteError(10));
    expect(() =>
      tx(() => {
        insert(1);
        tx(() => insert(2));
      }),
    ).toThrow(injected);
    expect(rows()).toEqual([]);
    expectHealthy();
  });

  it('every failure in a row of them leaves a valid depth (no negative savepoint names)', () => {
    for (const pattern of [/^SAVEPOINT/, /^RELEASE t_0$/, /^RELEASE t_1$/, /^ROLLBACK TO/]) {
      faults.failNext(pattern, sqliteError(SQLITE_FULL), { rollBackFirst: true });
      try {
        tx(() => {
          insert(1);
          tx(() => {
            insert(2);
            throw new Error('inner');
          });
        });
      } catch {
        // Each attempt fails one way or another; what matters is what follows.
      }
    }
    for (const statement of faults.executed) expect(statement).not.toMatch(/_-/);
    expectHealthy();
  });
});

describe('migrations with failing statements', () => {
  const migration = (version: number): Migration => ({
    version,
    name: `m${version}`,
    up: `CREATE TABLE m${version} (id INTEGER)`,
  });
  const now = () => new Date('2025-01-15T10:00:00Z');

  it('COMMIT fails: its error, nothing recorded, the next open applies it', () => {
    const injected = sqliteError(SQLITE_FULL);
    faults.failNext(/^COMMIT$/, injected, { rollBackFirst: true });
    expect(() => applyMigrations(faults.db, [migration(1)], now)).toThrow(injected);
    expect(raw.isTransaction).toBe(false);
    expect(applyMigrations(faults.db, [migration(1)], now)).toEqual([1]);
  });

  it('BEGIN fails: its error, foreign keys back on for a table rebuild', () => {
    const injected = new Error('database is locked');
    faults.failNext(/^BEGIN/, injected);
    raw.exec('PRAGMA foreign_keys = ON');
    const rebuild = { ...migration(1), rebuildsTables: true };
    expect(() => applyMigrations(faults.db, [rebuild], now)).toThrow(injected);
    expect(raw.prepare('PRAGMA foreign_keys').get()).toEqual({ foreign_keys: 1 });
    expect(applyMigrations(faults.db, [rebuild], now)).toEqual([1]);
  });

  it('ROLLBACK fails after a migration error: the migration error reaches the caller', () => {
    const broken: Migration = { version: 1, name: 'broken', up: 'CREATE TABLE oops (' };
    faults.failNext(/^ROLLBACK$/, sqliteError(10));
    expect(() => applyMigrations(faults.db, [broken], now)).toThrow(/incomplete input/);
  });
});

describe('the signage store on a full disk', () => {
  // 6 MB, as the issue's report: room for the schema, then filled to the last byte.
  const disk = smallDisk(6 * 1024 * 1024);
  let store: Store | undefined;
  afterAll(async () => {
    await store?.close().catch(() => undefined);
    disk.cleanup();
  });

  it(`fails writes with SQLITE_FULL and works again once space is freed (${disk.mounted ? 'real tmpfs' : `injected: ${disk.reason ?? ''}`})`, async () => {
    const opened = await openSqliteStore(join(disk.dir, 'marquee.db'), {
      migrations: signageStore.migrations,
    });
    store = opened;
    const engine = opened.engine;
    if (engine.kind !== 'sqlite') throw new Error('expected the SQLite store');
    // Without a mount, the same errors come from the fault layer, as SQLite raises them.
    const layer = faultyDb(engine.db);
    const signage = signageStore.open({ ...engine, db: layer.db });
    const info = (sn: string) => ({ ...deviceBody(sn), brightness: 50, volume: 50 });
    const at = '2025-01-15T10:00:00.000Z';
    await signage.devices.upsert(info('SN-0'), null, at);

    if (disk.mounted) disk.fill();
    else layer.failNext(/^RELEASE signage_0$/, sqliteError(SQLITE_FULL), { rollBackFirst: true });
    let failure: unknown;
    for (let i = 1; i <= 200 && failure === undefined; i++) {
      await signage.devices.upsert(info(`SN-FULL-${i}`), null, at).catch((error: unknown) => {
        failure = error;
      });
    }
    expect(failure).toMatchObject({ errcode: SQLITE_FULL, message: 'database or disk is full' });
    // Still full: each write fails with the same clear error, never a syntax error.
    if (disk.mounted) {
      await expect(signage.devices.upsert(info('SN-STILL-FULL'), null, at)).rejects.toMatchObject({
        errcode: SQLITE_FULL,
      });
    }

    disk.free();
    const after = await signage.devices.upsert(info('SN-AFTER'), null, at);
    expect(after.created).toBe(true);
    const names = (await signage.devices.list()).map((device) => device.snNumber);
    expect(names).toContain('SN-0');
    expect(names).toContain('SN-AFTER');
    expect(engine.db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    expect(engine.db.isTransaction).toBe(false);
  });
});
