/**
 * The embedded default store: one SQLite file through Node's built-in `node:sqlite` (no native
 * addon to compile). WAL lets readers run while a write is in progress, `synchronous=NORMAL` is
 * the documented safe pairing with WAL (a power cut may lose the last commits, never corrupt the
 * file), and `busy_timeout` makes a second process wait for the write lock instead of failing.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type Migration, applyMigrations, coreMigrations } from './migrations';
import { sqliteAuthSessions } from './sqlite/auth-sessions';
import { sqliteDisplayTokens } from './sqlite/display-tokens';
import { sqliteSessionHistory } from './sqlite/session-history';
import { sqliteSettings } from './sqlite/settings';
import { statementCache } from './sqlite/statements';
import { sqliteUsers } from './sqlite/users';
import { type Store } from './types';

export interface SqliteStoreOptions {
  /** Clock for `created_at` columns the store fills in itself. @default () => new Date() */
  now?: () => Date;
  /**
   * Migrations merged by version with `coreMigrations`: the mounted surfaces' own tables (each
   * surface module's `store.migrations`). @default []
   */
  migrations?: readonly Migration[];
  /** How long a write waits for another connection's lock, in milliseconds. @default 5000 */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating it and its directory when missing) the SQLite file at `path`, applies pending
 * migrations and returns the store. `:memory:` works too, though WAL then does not apply.
 */
export function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): Promise<Store> {
  try {
    return Promise.resolve(openSync(path, opts));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function openSync(path: string, opts: SqliteStoreOptions): Store {
  const now = opts.now ?? (() => new Date());
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  try {
    // busy_timeout first: the journal_mode switch itself needs the lock another process may hold.
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    applyMigrations(db, [...coreMigrations, ...(opts.migrations ?? [])], now);
  } catch (error) {
    db.close();
    throw error;
  }

  const sql = statementCache(db);
  let closed = false;
  return {
    kind: 'sqlite',
    engine: { kind: 'sqlite', db, sql },
    settings: sqliteSettings(sql),
    users: sqliteUsers(sql, now),
    displayTokens: sqliteDisplayTokens(sql),
    sessionHistory: sqliteSessionHistory(sql),
    authSessions: sqliteAuthSessions(sql),
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      try {
        // Folds the WAL back into the main file so a copied or backed-up .db is complete alone.
        db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
        db.close();
        return Promise.resolve();
      } catch (error) {
        if (db.isOpen) db.close();
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}
