/**
 * PostgreSQL transactions when their own statements fail, as transactions.test.ts does for
 * SQLite: `BEGIN`, `COMMIT` and `ROLLBACK` made to fail by a pool whose connections inject errors
 * (helpers/pg-faults.ts), and real faults: a backend terminated with `pg_terminate_backend` before
 * `BEGIN`, between two statements and before `COMMIT`, a `statement_timeout`, a serialization
 * failure between two SERIALIZABLE transactions, and a `COMMIT` refused by a deferred unique
 * constraint. In every case the caller gets the first error, nothing of the failed transaction is
 * stored, no session is left inside a transaction, and the next transaction works on the same
 * pool. (The PostgreSQL store has no savepoints: its transactions do not nest.)
 *
 * Each test has a database of its own.
 */
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPool,
  postgresEngine,
  sqlState,
  type PostgresEngine,
  type Queryable,
} from '../../src/core/store/postgres/engine';
import { storageFaultKind } from '../../src/core/storage';
import { postgresForTests, type TestDatabase } from '../helpers/postgres';
import {
  adminQuery,
  faultyPool,
  pgError,
  sessionsInTransaction,
  terminateBackend,
  type FaultyPool,
} from '../helpers/pg-faults';

const postgres = await postgresForTests();

describe.skipIf(!postgres.available)('PostgreSQL transactions with failing statements', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let faults: FaultyPool;
  let engine: PostgresEngine;

  beforeEach(async () => {
    database = await postgres.createDatabase();
    await adminQuery(database.url, 'CREATE TABLE t (x integer PRIMARY KEY)');
    pool = createPool(database.url, { max: 2 });
    faults = faultyPool(pool);
    engine = postgresEngine(faults.pool);
  });
  afterEach(async () => {
    await pool.end();
    await database.drop();
  });

  const insert = (q: Queryable, x: number) => q.query('INSERT INTO t (x) VALUES ($1)', [x]);
  const stored = async () =>
    (await adminQuery<{ x: number }>(database.url, 'SELECT x FROM t ORDER BY x')).map((r) => r.x);
  /** The rejection of `promise` (fails the test when it resolves). */
  const failure = async (promise: Promise<unknown>): Promise<unknown> => {
    try {
      await promise;
    } catch (error) {
      return error;
    }
    throw new Error('the transaction did not fail');
  };
  const backendAlive = async (pid: number) =>
    (await adminQuery(database.url, 'SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]))
      .length > 0;

  /** Outside any transaction; the next transaction on the pool runs BEGIN, its work, COMMIT. */
  async function expectHealthy(): Promise<void> {
    expect(await sessionsInTransaction(database.url)).toBe(0);
    const before = faults.executed.length;
    await engine.transaction((client) => insert(client, 1000));
    expect(faults.executed.slice(before)).toEqual([
      'BEGIN',
      'INSERT INTO t (x) VALUES ($1)',
      'COMMIT',
    ]);
    expect(await stored()).toContain(1000);
    expect(await sessionsInTransaction(database.url)).toBe(0);
  }

  it('BEGIN fails: its error, nothing written, the connection discarded', async () => {
    const injected = pgError('08006', 'connection failure');
    faults.failNext(/^BEGIN$/, injected);
    expect(await failure(engine.transaction((client) => insert(client, 1)))).toBe(injected);
    expect(faults.executed).toEqual(['BEGIN']);
    expect(pool.totalCount).toBe(0);
    expect(await stored()).toEqual([]);
    await expectHealthy();
  });

  it('BEGIN ran but its answer was lost: the connection is discarded, not pooled inside a transaction', async () => {
    const injected = pgError('08006', 'connection failure');
    faults.failNext(/^BEGIN$/, injected, { afterRunning: true });
    expect(await failure(engine.transaction((client) => insert(client, 1)))).toBe(injected);
    const [pid] = faults.backends;
    // Released with an error: the pool closes it, which ends its open transaction.
    await expect.poll(() => backendAlive(pid ?? 0), { timeout: 5000 }).toBe(false);
    expect(pool.totalCount).toBe(0);
    await expectHealthy();
    expect(faults.backends.at(-1)).not.toBe(pid);
  });

  it('COMMIT fails (disk full, 53100): its error, classified full; the writes rolled back', async () => {
    const injected = pgError('53100', 'could not extend file: No space left on device');
    faults.failNext(/^COMMIT$/, injected);
    const error = await failure(
      engine.transaction(async (client) => {
        await insert(client, 1);
        await insert(client, 2);
      }),
    );
    expect(error).toBe(injected);
    expect(storageFaultKind(error)).toBe('full');
    expect(faults.executed.slice(-2)).toEqual(['COMMIT', 'ROLLBACK']);
    expect(await stored()).toEqual([]);
    await expectHealthy();
  });

  it('COMMIT fails (read-only, 25006) and so does ROLLBACK: the COMMIT error; the connection discarded, nothing kept', async () => {
    const injected = pgError('25006', 'cannot execute COMMIT in a read-only transaction');
    const rollback = pgError('08006', 'connection failure');
    faults.failNext(/^COMMIT$/, injected);
    faults.failNext(/^ROLLBACK$/, rollback);
    const error = await failure(engine.transaction((client) => insert(client, 1)));
    expect(error).toBe(injected);
    expect(storageFaultKind(error)).toBe('read_only');
    const [pid] = faults.backends;
    await expect.poll(() => backendAlive(pid ?? 0), { timeout: 5000 }).toBe(false);
    expect(await stored()).toEqual([]);
    await expectHealthy();
  });

  it('the work fails and ROLLBACK fails too: the work error reaches the caller', async () => {
    const rollback = pgError('08006', 'connection failure');
    faults.failNext(/^ROLLBACK$/, rollback);
    const error = await failure(
      engine.transaction(async (client) => {
        await insert(client, 1);
        await insert(client, 1);
      }),
    );
    expect(sqlState(error)).toBe('23505');
    expect(await stored()).toEqual([]);
    await expectHealthy();
  });

  it('real: the backend terminated before BEGIN: a connection error, the dead connection not reused', async () => {
    faults.beforeNext(/^BEGIN$/, async (pid) => terminateBackend(database.url, pid));
    const error = await failure(engine.transaction((client) => insert(client, 1)));
    expect(String(error)).toMatch(/terminat/i);
    expect(await stored()).toEqual([]);
    await expectHealthy();
    expect(new Set(faults.backends).size).toBe(2);
  });

  it('real: the backend terminated between two statements: 57P01 reaches the caller, not the failed ROLLBACK', async () => {
    const error = await failure(
      engine.transaction(async (client) => {
        await insert(client, 1);
        const pid = faults.backends.at(-1) ?? 0;
        await terminateBackend(database.url, pid);
        await insert(client, 2);
      }),
    );
    // The server's FATAL (57P01), or the driver's "Connection terminated unexpectedly" when the
    // socket closed first; never "Client has encountered a connection error and is not queryable",
    // which is what the ROLLBACK that follows fails with.
    expect(String(error)).toMatch(/terminat/i);
    expect(String(error)).not.toMatch(/not queryable/);
    expect(faults.executed.at(-1)).toBe('ROLLBACK');
    expect(await stored()).toEqual([]);
    await expectHealthy();
  });

  it('real: the backend terminated before COMMIT: the COMMIT error, nothing committed', async () => {
    faults.beforeNext(/^COMMIT$/, async (pid) => terminateBackend(database.url, pid));
    const error = await failure(engine.transaction((client) => insert(client, 1)));
    expect(String(error)).toMatch(/terminat/i);
    expect(String(error)).not.toMatch(/not queryable/);
    expect(faults.executed.slice(-2)).toEqual(['COMMIT', 'ROLLBACK']);
    expect(await stored()).toEqual([]);
    await expectHealthy();
  });

  it('real: statement_timeout cancels a statement: 57014, rolled back, the connection kept', async () => {
    const error = await failure(
      engine.transaction(async (client) => {
        await insert(client, 1);
        await client.query("SET LOCAL statement_timeout = '50ms'");
        await client.query('SELECT pg_sleep(5)');
      }),
    );
    expect(sqlState(error)).toBe('57014');
    expect(faults.executed.at(-1)).toBe('ROLLBACK');
    expect(await stored()).toEqual([]);
    // The timeout was local to the transaction: the same connection serves the next one.
    await expectHealthy();
    expect(new Set(faults.backends).size).toBe(1);
    const [row] = await adminQuery<{ n: number }>(database.url, 'SELECT count(*)::int AS n FROM t');
    expect(row?.n).toBe(1);
  });

  it('real: a serialization failure between two SERIALIZABLE transactions: 40001 to the loser, the winner kept', async () => {
    let readA!: () => void;
    let readB!: () => void;
    const aRead = new Promise<void>((resolve) => (readA = resolve));
    const bRead = new Promise<void>((resolve) => (readB = resolve));
    /** Reads the count, waits for the other to have read, inserts count + base. */
    const writeSkew = (base: number, read: () => void, other: Promise<void>) =>
      engine.transaction(async (client) => {
        await client.query('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE');
        const { rows } = await client.query('SELECT count(*)::int AS n FROM t');
        read();
        await other;
        await insert(client, base + Number(rows[0]?.n));
      });
    const [a, b] = await Promise.allSettled([
      writeSkew(10, readA, bRead),
      writeSkew(20, readB, aRead),
    ]);
    const outcomes = [a, b].map((r) => r.status);
    expect(outcomes.sort()).toEqual(['fulfilled', 'rejected']);
    const lost = [a, b].find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(sqlState(lost?.reason)).toBe('40001');
    expect(await stored()).toHaveLength(1);
    await expectHealthy();
  });

  it('real: COMMIT refused by a deferred unique constraint: 23505 from COMMIT, nothing kept', async () => {
    await adminQuery(
      database.url,
      'CREATE TABLE d (k integer UNIQUE DEFERRABLE INITIALLY DEFERRED, x integer)',
    );
    const error = await failure(
      engine.transaction(async (client) => {
        await client.query('INSERT INTO d (k, x) VALUES (1, 1), (1, 2)');
        await insert(client, 1);
      }),
    );
    expect(sqlState(error)).toBe('23505');
    // COMMIT failed on the server (which ended the transaction); the ROLLBACK after it is a no-op.
    expect(faults.executed.slice(-2)).toEqual(['COMMIT', 'ROLLBACK']);
    expect(await stored()).toEqual([]);
    expect(await adminQuery(database.url, 'SELECT * FROM d')).toEqual([]);
    await expectHealthy();
  });

  it('a fault after every kind of failure in a row still leaves the pool working', async () => {
    faults.failNext(/^BEGIN$/, pgError('08006', 'a'));
    faults.failNext(/^COMMIT$/, pgError('53100', 'b'));
    faults.failNext(/^ROLLBACK$/, pgError('08006', 'c'));
    for (let i = 0; i < 2; i++) {
      await failure(engine.transaction((client) => insert(client, i)));
    }
    const error = await failure(
      engine.transaction(async (client) => {
        await client.query("SET LOCAL statement_timeout = '20ms'");
        await client.query('SELECT pg_sleep(1)');
      }),
    );
    expect(sqlState(error)).toBe('57014');
    expect(await stored()).toEqual([]);
    await expectHealthy();
  });
});
