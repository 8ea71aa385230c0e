/** The SQLite implementation of the signage repositories. */
import type { SqliteEngine } from '../../../../core/store';
import type { SignageRepositories } from '../types';
import { sqliteSignageCommands } from './commands';
import { deviceStateWrites, sqliteSignageDevices } from './devices';
import { sqliteSignageMedia } from './media';
import { sqliteSignageDeviceAccounts, sqliteSignagePairings } from './pairings';
import { sqliteSignagePlaylists } from './playlists';
import { sqliteSignageReports } from './reports';
import { sqliteSignageScreens } from './screens';
import { sqliteSignagePlays } from './plays';
import { sqliteSignageScreenshots } from './screenshots';
import { transaction } from './shared';

export { signageMigrations } from './migrations';

export function sqliteSignage({ db, sql }: SqliteEngine): SignageRepositories {
  const tx = transaction(db);
  return {
    pairings: sqliteSignagePairings(sql),
    deviceAccounts: sqliteSignageDeviceAccounts(sql),
    devices: sqliteSignageDevices(sql, tx),
    media: sqliteSignageMedia(sql, tx),
    playlists: sqliteSignagePlaylists(sql, tx),
    screens: sqliteSignageScreens(sql, tx),
    reports: sqliteSignageReports(sql),
    commands: sqliteSignageCommands(sql, tx, deviceStateWrites(sql)),
    screenshots: sqliteSignageScreenshots(sql),
    plays: sqliteSignagePlays(sql, tx),
  };
}
