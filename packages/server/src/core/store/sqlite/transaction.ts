/**
 * Transactions on one `node:sqlite` connection that stay correct when the transaction statements
 * themselves fail (a full disk fails `RELEASE`/`COMMIT`, a locked file fails `BEGIN`):
 *
 * - the nesting depth is restored exactly once, whatever failed, so the next transaction opens
 *   a savepoint with a valid name (a depth that went negative used to open `SAVEPOINT x_-1`, a
 *   syntax error on every later write until a restart);
 * - the error the caller sees is the first one: a failing clean-up (`ROLLBACK TO` on a savepoint
 *   SQLite already discarded when it rolled the whole transaction back itself, as it does on
 *   `SQLITE_FULL`) never replaces it;
 * - when the clean-up of the outermost level fails, the connection is rolled back entirely, so
 *   it is never left inside a transaction that no code will finish.
 */
import { type DatabaseSync } from 'node:sqlite';

export type Transaction = <T>(work: () => T) => T;

/** The part of a connection a transaction uses (a test can wrap it to inject failures). */
export type TransactionDb = Pick<DatabaseSync, 'exec' | 'isTransaction'>;

/**
 * Runs `statements` in order, stopping at the first that throws, and never throws itself:
 * clean-up after an error that is already on its way to the caller.
 */
function quietly(db: TransactionDb, ...statements: string[]): boolean {
  try {
    for (const statement of statements) db.exec(statement);
    return true;
  } catch {
    return false;
  }
}

/** Rolls back every open level; used when the outermost clean-up did not get there itself. */
export function rollbackAll(db: TransactionDb): void {
  if (db.isTransaction) quietly(db, 'ROLLBACK');
}

/**
 * A nesting transaction on `db` built on savepoints named `<prefix>_<depth>` (`prefix` must be a
 * plain identifier). The outermost level is a real transaction: its `RELEASE` is the commit.
 */
export function savepointTransaction(db: TransactionDb, prefix: string): Transaction {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix)) {
    throw new Error(`Savepoint prefix "${prefix}" is not a plain identifier`);
  }
  let depth = 0;
  return (work) => {
    const level = depth;
    const name = `${prefix}_${level}`;
    // A failed SAVEPOINT opened nothing: the depth has not moved yet.
    db.exec(`SAVEPOINT ${name}`);
    depth = level + 1;
    try {
      let result;
      try {
        result = work();
      } catch (error) {
        // Undo this level's writes. SQLite may have rolled the whole transaction back already
        // (SQLITE_FULL, SQLITE_IOERR ...): then there is no savepoint left to roll back to.
        if (db.isTransaction && !quietly(db, `ROLLBACK TO ${name}`, `RELEASE ${name}`)) {
          if (level === 0) rollbackAll(db);
        }
        throw error;
      }
      try {
        db.exec(`RELEASE ${name}`);
      } catch (error) {
        // RELEASE of the outermost level is the commit; a full disk fails it. Nothing of this
        // level may stay half-applied: roll it back, all of it when this was the outermost.
        if (db.isTransaction) {
          if (level === 0) rollbackAll(db);
          else quietly(db, `ROLLBACK TO ${name}`, `RELEASE ${name}`);
        }
        throw error;
      }
      return result;
    } finally {
      depth = level;
    }
  };
}
