/**
 * The small toolkit every SQLite repository shares: a prepared-statement cache (each SQL text is
 * compiled once per connection), typed column readers that check what SQLite hands back instead
 * of casting it, and the mapping from SQLite constraint failures to MarqueeError.
 */
import { type DatabaseSync, type StatementSync } from 'node:sqlite';
import { MarqueeError } from '@marquee/sdk';

/**
 * A result row of either engine. The readers below check each value instead of casting it, so the
 * record mappers built on them serve SQLite's rows and PostgreSQL's alike (same column names).
 */
export type Row = Readonly<Record<string, unknown>>;

export interface Statements {
  /** The prepared statement for `sql`, compiled on first use. */
  (sql: string): StatementSync;
}

export function statementCache(db: DatabaseSync): Statements {
  const cache = new Map<string, StatementSync>();
  return (sql) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
}

export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new Error(`Column "${column}" is not text`);
  return value;
}

export function textOrNull(row: Row, column: string): string | null {
  const value = row[column];
  if (value === null) return null;
  return text(row, column);
}

export function num(row: Row, column: string): number {
  const value = row[column];
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new Error(`Column "${column}" is not a number`);
}

/** Number of rows a write changed (`changes` is a bigint when `readBigInts` is on). */
export function changes(result: { changes: number | bigint }): number {
  return Number(result.changes);
}

// Extended result codes, https://sqlite.org/rescode.html
const SQLITE_CONSTRAINT_FOREIGNKEY = 787;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_UNIQUE = 2067;

function errcode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('errcode' in error)) return undefined;
  return typeof error.errcode === 'number' ? error.errcode : undefined;
}

/**
 * Runs a write and turns a duplicate key into CONFLICT and a dangling reference into NOT_FOUND,
 * with a message a caller can show as is; every other error passes through unchanged.
 */
export function mapConstraints<T>(
  write: () => T,
  messages: { conflict: string; missingReference?: string },
): T {
  try {
    return write();
  } catch (error) {
    const code = errcode(error);
    if (code === SQLITE_CONSTRAINT_UNIQUE || code === SQLITE_CONSTRAINT_PRIMARYKEY) {
      throw new MarqueeError('CONFLICT', messages.conflict, { cause: error });
    }
    if (code === SQLITE_CONSTRAINT_FOREIGNKEY && messages.missingReference !== undefined) {
      throw new MarqueeError('NOT_FOUND', messages.missingReference, { cause: error });
    }
    throw error;
  }
}

/**
 * Runs synchronous SQLite work behind the store's async interface: a throw becomes a rejected
 * promise, never a synchronous exception, so `.catch()` on a repository call always works.
 */
export function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
