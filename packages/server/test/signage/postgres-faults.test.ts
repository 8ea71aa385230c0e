/**
 * The real server on PostgreSQL when the database fails under a request: a COMMIT refused for a
 * full disk (53100) or a read-only server (25006), injected into the running server's pool; and
 * real faults: every backend of the server terminated while idle, and the backend of a device
 * registration terminated while it waits inside its transaction (held by a table lock the test
 * takes). Each answer is the seed 002 error shape (507, 503), never a 500, the failed write left
 * nothing, and the next request works on the same process. Each test has a database of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normaliseRequestError } from '../../src/core/http-errors';
import { type PostgresEngine } from '../../src/core/store/postgres/engine';
import { call, startTestServer, type TestServer } from '../helpers/server';
import { postgresForTests, type TestDatabase } from '../helpers/postgres';
import { adminQuery, faultyPool, pgError, terminateBackend } from '../helpers/pg-faults';
import { deviceBody, userToken } from './helpers';

const postgres = await postgresForTests();

describe.skipIf(!postgres.available)(
  'the server on PostgreSQL under database faults',
  { timeout: 30_000 },
  () => {
    let database: TestDatabase;
    let dataDir = '';
    let t: TestServer;
    let token = '';

    beforeEach(async () => {
      database = await postgres.createDatabase();
      dataDir = mkdtempSync(join(tmpdir(), 'marquee-pg-faults-'));
      t = await startTestServer({ databaseUrl: database.url }, { dataDir });
      token = await userToken(t, 'lobby-tv');
    });
    afterEach(async () => {
      await t?.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const register = (sn: string) =>
      call(`${t.url}/api/v1/admin/cloud/device/register/`, { token, body: deviceBody(sn) });
    const devices = async () =>
      (
        await adminQuery<{ sn_number: string }>(
          database.url,
          'SELECT sn_number FROM signage_devices ORDER BY sn_number',
        )
      ).map((row) => row.sn_number);
    const serverPool = () => (t.server.store.engine as PostgresEngine).pool;
    /** Backends of the server's pool (every connection to this database but the asker's). */
    const serverBackends = async () =>
      (
        await adminQuery<{ pid: number }>(
          database.url,
          `SELECT pid FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        )
      ).map((row) => row.pid);

    it('a COMMIT refused for a full disk answers 507, a read-only one 503; the next registration works', async () => {
      const faults = faultyPool(serverPool(), { inPlace: true });
      faults.failNext(
        /^COMMIT$/,
        pgError('53100', 'could not extend file: No space left on device'),
      );
      const full = await register('SN-FULL');
      expect(full.status).toBe(507);
      expect(full.body).toMatchObject({ status_code: 507, code: 'STORAGE_FULL' });

      faults.failNext(
        /^COMMIT$/,
        pgError('25006', 'cannot execute COMMIT in a read-only transaction'),
      );
      const readOnly = await register('SN-RO');
      expect(readOnly.status).toBe(503);
      expect(readOnly.body).toMatchObject({ status_code: 503, code: 'STORAGE_READ_ONLY' });
      expect(faults.executed.filter((s) => s === 'ROLLBACK')).toHaveLength(2);
      expect(await devices()).toEqual([]);

      expect((await register('SN-FULL')).status).toBe(201);
      expect(await devices()).toEqual(['SN-FULL']);
    });

    it('real: every backend of the server terminated while idle; the next requests work (at worst after one 503)', async () => {
      expect((await register('SN-1')).status).toBe(201);
      const before = await serverBackends();
      expect(before.length).toBeGreaterThan(0);
      for (const pid of before) await terminateBackend(database.url, pid);
      await expect
        .poll(async () => (await serverBackends()).filter((pid) => before.includes(pid)), {
          timeout: 10_000,
        })
        .toEqual([]);
      // The pool drops an idle connection when its close arrives. A request that checks one out
      // in the moment before (a loaded machine) is answered 503 SERVICE_UNAVAILABLE, "try
      // again": the try again works, and no request fails twice.
      let retried = 0;
      for (const sn of ['SN-2', 'SN-3']) {
        let res = await register(sn);
        if (res.status === 503) {
          expect(res.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
          retried += 1;
          res = await register(sn);
        }
        expect(res.status, JSON.stringify(res.body)).toBe(201);
      }
      expect(retried).toBeLessThanOrEqual(before.length);
      const health = await call(`${t.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await devices()).toEqual(['SN-1', 'SN-2', 'SN-3']);
      const after = await serverBackends();
      expect(after.some((pid) => before.includes(pid))).toBe(false);
    });

    it('real: the backend terminated inside a registration transaction: 503, nothing stored, the next one works', async () => {
      const locker = new pg.Client({ connectionString: database.url });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        // INSERT needs ROW EXCLUSIVE, which SHARE blocks: the registration waits after its BEGIN.
        await locker.query('LOCK TABLE signage_devices IN SHARE MODE');
        const pending = register('SN-CUT');
        let waiting: number | undefined;
        await expect
          .poll(
            async () => {
              const [row] = await adminQuery<{ pid: number }>(
                database.url,
                `SELECT pid FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock'`,
              );
              waiting = row?.pid;
              return waiting;
            },
            { timeout: 10_000, interval: 50 },
          )
          .toBeTypeOf('number');
        await terminateBackend(database.url, waiting ?? 0);
        const cut = await pending;
        expect(cut.status).toBe(503);
        expect(cut.body).toMatchObject({ status_code: 503, code: 'SERVICE_UNAVAILABLE' });
        await locker.query('ROLLBACK');
      } finally {
        await locker.end();
      }
      expect(await devices()).toEqual([]);
      expect((await register('SN-CUT')).status).toBe(201);
      expect((await register('SN-NEXT')).status).toBe(201);
      expect(await devices()).toEqual(['SN-CUT', 'SN-NEXT']);
    });
  },
);

describe('PostgreSQL faults that pass are answered 503, not 500', () => {
  it.each([
    ['57P01', 'terminating connection due to administrator command'],
    ['08006', 'connection failure'],
    ['57014', 'canceling statement due to statement timeout'],
    ['40001', 'could not serialize access due to concurrent update'],
    ['40P01', 'deadlock detected'],
    ['53300', 'sorry, too many clients already'],
  ])('SQLSTATE %s', (code, message) => {
    expect(normaliseRequestError(pgError(code, message))).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
    });
  });

  it.each([
    'Connection terminated unexpectedly',
    'Client has encountered a connection error and is not queryable',
    'timeout exceeded when trying to connect',
  ])('the driver: %s', (message) => {
    expect(normaliseRequestError(new Error(message))).toMatchObject({ status: 503 });
  });

  it('other errors stay what they were', () => {
    expect(normaliseRequestError(pgError('42P01', 'relation does not exist')).status).toBe(500);
    expect(normaliseRequestError(new Error('Connection terminated somewhere else')).status).toBe(
      500,
    );
  });
});
