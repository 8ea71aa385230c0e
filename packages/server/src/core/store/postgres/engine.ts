/**
 * The PostgreSQL engine under the store: a bounded `pg` pool, one statement at a time on any of
 * its connections, and transactions on one connection checked out for the call (`BEGIN` ...
 * `COMMIT`, rolled back on any error, the connection discarded when `BEGIN` or the `ROLLBACK`
 * fails). The caller always gets the first error: a failed `ROLLBACK` never replaces it.
 *
 * Values come back as the SQLite engine hands them, so the row mappers are shared: `bigint`
 * columns (ids, counts, sizes) as JS numbers, and `json` / `jsonb` as their text (the mappers
 * parse them through the protocol's schemas).
 */
import { MarqueeError } from '@marquee/sdk';
import pg from 'pg';
import { type Row } from '../sqlite/statements';

/** What a repository runs a statement on: the pool, or a transaction's connection. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
}

export interface PostgresEngine {
  readonly kind: 'postgres';
  readonly pool: pg.Pool;
  /**
   * Runs `work` in one transaction on one connection; `work` must run its statements on the
   * `client` it is given. Rolled back when `work` throws (the error is rethrown unchanged).
   */
  transaction<T>(work: (client: Queryable) => Promise<T>): Promise<T>;
}

const INT8 = 20;
const NUMERIC = 1700;
const JSON_OID = 114;
const JSONB = 3802;

/**
 * Type parsers for the pool: int8 and numeric → number (ids, counts and the monitoring history's
 * sums of integers stay far below 2^53; no column is numeric), json → text.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    if (oid === JSON_OID || oid === JSONB) return (value: string) => value;
    // The pool asks for text results only (pg's default); binary never reaches here.
    return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PostgresPoolOptions {
  /** Connections opened at most; callers beyond wait for one. @default 10 */
  max?: number;
  /** How long a caller waits for a free connection before failing, ms. @default 10000 */
  connectionTimeoutMs?: number;
}

export function createPool(url: string, opts: PostgresPoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    types,
  });
  // An idle connection the server dropped (a restart, a terminated backend) emits here; without a
  // listener that would end the process. The pool discards it and opens another when needed.
  pool.on('error', () => {});
  return pool;
}

export function postgresEngine(pool: pg.Pool): PostgresEngine {
  return {
    kind: 'postgres',
    pool,
    async transaction(work) {
      const client = await pool.connect();
      // The pool listens for errors on idle connections only. Without this listener, a backend
      // terminated (or a socket lost) while the transaction waits between two statements would
      // be an uncaught 'error' event, which ends the process. It also keeps that error: it is the
      // first one, and what the next statement fails with ("not queryable") is its consequence.
      let lost: Error | undefined;
      const onError = (error: Error) => {
        lost ??= error;
      };
      client.on('error', onError);
      let broken: Error | undefined;
      try {
        try {
          await client.query('BEGIN');
        } catch (error) {
          // Whether the server opened the transaction is unknown (the answer may be what was
          // lost): the connection must not go back to the pool possibly inside one.
          broken = error instanceof Error ? error : new Error('BEGIN failed');
          throw lost ?? error;
        }
        try {
          const result = await work(client);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          const first = lost ?? error;
          try {
            await client.query('ROLLBACK');
          } catch (rollbackError) {
            // The connection is in an unknown state: it must not go back to the pool.
            broken = rollbackError instanceof Error ? rollbackError : new Error('ROLLBACK failed');
          }
          throw first;
        }
      } finally {
        client.off('error', onError);
        client.release(broken ?? lost);
      }
    },
  };
}

/** All rows of a statement. */
export async function rows(q: Queryable, text: string, values: unknown[] = []): Promise<Row[]> {
  return (await q.query(text, values)).rows;
}

/** The first row, or undefined. */
export async function first(
  q: Queryable,
  text: string,
  values: unknown[] = [],
): Promise<Row | undefined> {
  return (await q.query(text, values)).rows[0];
}

/** The first row of a statement that must answer one (`INSERT ... RETURNING`). */
export async function returned(q: Queryable, text: string, values: unknown[] = []): Promise<Row> {
  const row = await first(q, text, values);
  if (row === undefined) throw new Error('INSERT ... RETURNING returned no row');
  return row;
}

/** Rows a write changed. */
export async function changed(q: Queryable, text: string, values: unknown[] = []): Promise<number> {
  return (await q.query(text, values)).rowCount ?? 0;
}

// SQLSTATE codes, https://www.postgresql.org/docs/current/errcodes-appendix.html
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

/** The SQLSTATE of a `pg` error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Runs a write and turns a duplicate key into CONFLICT and a dangling reference into NOT_FOUND,
 * as the SQLite engine's `mapConstraints` does; every other error passes through unchanged.
 */
export async function mapPgConstraints<T>(
  write: () => Promise<T>,
  messages: { conflict: string; missingReference?: string },
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const code = sqlState(error);
    if (code === UNIQUE_VIOLATION) {
      throw new MarqueeError('CONFLICT', messages.conflict, { cause: error });
    }
    if (code === FOREIGN_KEY_VIOLATION && messages.missingReference !== undefined) {
      throw new MarqueeError('NOT_FOUND', messages.missingReference, { cause: error });
    }
    throw error;
  }
}

export { FOREIGN_KEY_VIOLATION };

/**
 * SQLSTATEs of a fault that passes, where trying the request again is the answer: the connection
 * lost or refused (class 08; 57P01-57P03, a backend terminated or the server shutting down or
 * starting), too many connections, a statement cancelled (57014: `statement_timeout` or
 * `pg_cancel_backend`), a serialization failure or deadlock (40001, 40P01).
 */
const TRANSIENT_STATES = /^(08[0-9A-Z]{3}|57P0[123]|57014|53300|40001|40P01)$/;
/** What the `pg` driver itself says when its connection is gone or none could be had. */
const DRIVER_CONNECTION_ERRORS = new Set([
  'Connection terminated',
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'Client has encountered a connection error and is not queryable',
  'timeout exceeded when trying to connect',
]);

/** Whether `error` is a PostgreSQL fault that passes (answered 503: try again). */
export function transientDatabaseFault(error: unknown): boolean {
  const code = sqlState(error);
  if (code !== undefined) return TRANSIENT_STATES.test(code);
  return error instanceof Error && DRIVER_CONNECTION_ERRORS.has(error.message);
}
