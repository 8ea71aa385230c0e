/** The SQLite implementation of the Store's signage repository group. */
import { type DatabaseSync } from 'node:sqlite';
import { type SignageRepositories } from '../../signage-types';
import { type Statements } from '../statements';
import { sqliteSignageCommands } from './commands';
import { sqliteSignageDevices } from './devices';
import { sqliteSignageMedia } from './media';
import { sqliteSignagePlaylists } from './playlists';
import { sqliteSignageReports } from './reports';
import { sqliteSignageScreens } from './screens';
import { sqliteSignageScreenshots } from './screenshots';
import { transaction } from './shared';

export { signageMigrations } from './migrations';

export function sqliteSignage(db: DatabaseSync, sql: Statements): SignageRepositories {
  const tx = transaction(db);
  return {
    devices: sqliteSignageDevices(sql, tx),
    media: sqliteSignageMedia(sql, tx),
    playlists: sqliteSignagePlaylists(sql, tx),
    screens: sqliteSignageScreens(sql, tx),
    reports: sqliteSignageReports(sql),
    commands: sqliteSignageCommands(sql, tx),
    screenshots: sqliteSignageScreenshots(sql),
  };
}
