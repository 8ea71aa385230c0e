/** The store: one interface, the embedded SQLite backend, and the opener the server uses. */
import { join } from 'node:path';
import { type Config } from '../config';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite';
import { type Store } from './types';

/** The database file's name inside `config.dataDir`. */
export const DATABASE_FILE = 'marquee.db';

/** Opens the server's store: `<dataDir>/marquee.db`, created with its directory when missing. */
export function openStore(
  config: Pick<Config, 'dataDir'>,
  options: SqliteStoreOptions = {},
): Promise<Store> {
  return openSqliteStore(join(config.dataDir, DATABASE_FILE), options);
}

export { openSqliteStore, sqliteMigrations, type SqliteStoreOptions } from './sqlite';
export { signageMigrations } from './sqlite/signage';
export { coreMigrations, type Migration } from './migrations';
export type {
  AuthSessionRecord,
  AuthSessionsRepository,
  DisplayTokenRecord,
  DisplayTokensRepository,
  Role,
  SessionHistoryRecord,
  SessionHistoryRepository,
  SettingsRepository,
  Store,
  UserRecord,
  UsersRepository,
} from './types';
export type {
  SignageCommandRecord,
  SignageCommandsRepository,
  SignageDeviceRecord,
  SignageDevicesRepository,
  SignageMediaRecord,
  SignageMediaRepository,
  SignagePlaylistItemRecord,
  SignagePlaylistRecord,
  SignagePlaylistsRepository,
  SignagePlaylistWrite,
  SignageReportRecord,
  SignageReportsRepository,
  SignageRepositories,
  SignageScreenRecord,
  SignageScreensRepository,
  SignageScreenshotRecord,
  SignageScreenshotsRepository,
} from './signage-types';
