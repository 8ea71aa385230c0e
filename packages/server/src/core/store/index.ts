/** The store: one interface, the embedded SQLite backend, and the opener the server uses. */
import { join } from 'node:path';
import { type Config } from '../config';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite';
import { type Store } from './types';

/** The database file's name inside `config.dataDir`. */
export const DATABASE_FILE = 'marquee.db';

/**
 * Opens the server's store: `<dataDir>/marquee.db`, created with its directory when missing;
 * `options.migrations` carries the mounted surfaces' tables.
 */
export function openStore(
  config: Pick<Config, 'dataDir'>,
  options: SqliteStoreOptions = {},
): Promise<Store> {
  return openSqliteStore(join(config.dataDir, DATABASE_FILE), options);
}

export { openSqliteStore, type SqliteStoreOptions } from './sqlite';
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
