/** The store: one interface, the embedded SQLite backend, and the opener the server uses. */
import { join } from 'node:path';
import { type Config } from '../config';
import { openPostgresStore } from './postgres';
import { finishInterruptedRestore } from './restore-journal';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite';
import { type SqliteEngine, type Store } from './types';

/** The database file's name inside `config.dataDir`. */
export const DATABASE_FILE = 'marquee.db';

/**
 * Opens the server's store: the PostgreSQL database at `config.databaseUrl` when set, else
 * `<dataDir>/marquee.db`, created with its directory when missing (after finishing a restore a
 * kill interrupted, store/restore-journal.ts); `options.migrations` carries the mounted surfaces'
 * tables.
 */
export async function openStore(
  config: Pick<Config, 'dataDir'> & Partial<Pick<Config, 'databaseUrl' | 'databasePoolMax'>>,
  options: SqliteStoreOptions = {},
): Promise<Store> {
  if (config.databaseUrl !== undefined) {
    return openPostgresStore(config.databaseUrl, {
      now: options.now,
      migrations: options.migrations,
      maxConnections: config.databasePoolMax,
    });
  }
  // A restore killed half-way through its swap is finished before the database is opened.
  await finishInterruptedRestore(config.dataDir);
  return openSqliteStore(join(config.dataDir, DATABASE_FILE), options);
}

/**
 * The SQLite engine of a store, for the features that work on the database file itself (backup,
 * the storage guard's SQLite errors); throws naming the feature on a PostgreSQL store.
 */
export function sqliteEngineOf(store: Pick<Store, 'engine'>, feature = 'This'): SqliteEngine {
  if (store.engine.kind !== 'sqlite') {
    throw new Error(`${feature} needs the embedded SQLite store, not PostgreSQL`);
  }
  return store.engine;
}

export { openPostgresStore, type PostgresStoreOptions } from './postgres';
export { openSqliteStore, type SqliteStoreOptions } from './sqlite';
export type { PostgresEngine, Queryable } from './postgres/engine';
export { applyMigrations, coreMigrations, type Migration } from './migrations';
export type {
  AuthSessionRecord,
  AuthSessionsRepository,
  DisplayTokenRecord,
  DisplayTokensRepository,
  Role,
  SessionHistoryRecord,
  SessionHistoryRepository,
  SettingsRepository,
  SqliteEngine,
  Store,
  StoreEngine,
  SurfaceStore,
  UserRecord,
  UsersRepository,
} from './types';
