/**
 * PostgreSQL for tests: each test gets a database of its own (`CREATE DATABASE
 * marquee_test_<random>`), dropped after. The server is `MARQUEE_TEST_DATABASE_URL` when set, else
 * 127.0.0.1:5432 with trust auth (the machines' service). When it cannot be reached, suites that
 * need it are skipped with a message saying how to start it, and under `CI=true` they fail.
 *
 * Use: `const pg = await postgresForTests();` at the top of a file, `describe.skipIf(!pg.available)`
 * (or `engines(pg)` for a suite run on both stores), and `await pg.createDatabase()` per test.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';

export const POSTGRES_HELP =
  'PostgreSQL is not reachable at %URL%. These tests need a PostgreSQL server (trust auth for ' +
  'local connections): on Debian `apt-get install postgresql && service postgresql start` ' +
  '(or `pg_ctlcluster 15 main start`), or set MARQUEE_TEST_DATABASE_URL to a server where the ' +
  'user may CREATE DATABASE.';

export interface TestDatabase {
  /** Connection URL of the fresh database. */
  readonly url: string;
  readonly name: string;
  /** Drops it (terminating any connection still open). */
  drop(): Promise<void>;
}

export interface PostgresForTests {
  readonly available: boolean;
  /** Why not, with how to start it; empty when available. */
  readonly reason: string;
  /** A fresh, empty database; `drop()` it after (or use `withDatabase`). */
  createDatabase(): Promise<TestDatabase>;
}

function adminUrl(): string {
  return process.env.MARQUEE_TEST_DATABASE_URL ?? DEFAULT_URL;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Probes the server once; fails (throws) under CI=true when it is unreachable. */
export async function postgresForTests(): Promise<PostgresForTests> {
  let reason = '';
  try {
    await adminQuery('SELECT 1');
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const redacted = adminUrl().replace(/\/\/[^@/]*@/, '//…@');
    reason = `${POSTGRES_HELP.replace('%URL%', redacted)} (${why})`;
    if (process.env.CI === 'true') throw new Error(reason, { cause: error });
    console.warn(`[skipped] ${reason}`);
  }
  return {
    available: reason === '',
    reason,
    async createDatabase() {
      const name = `marquee_test_${randomBytes(6).toString('hex')}`;
      await adminQuery(`CREATE DATABASE ${name}`);
      const url = new URL(adminUrl());
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        name,
        drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      };
    },
  };
}
