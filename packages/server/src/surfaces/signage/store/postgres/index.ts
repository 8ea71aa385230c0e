/** The PostgreSQL implementation of the signage repositories (records as the SQLite side's). */
import type { PostgresEngine } from '../../../../core/store';
import type { SignageRepositories } from '../types';
import { postgresSignageCommands } from './commands';
import { postgresSignageDevices } from './devices';
import { postgresSignageMedia } from './media';
import { postgresSignageDeviceAccounts, postgresSignagePairings } from './pairings';
import { postgresSignagePlaylists } from './playlists';
import { postgresSignagePlays } from './plays';
import { postgresSignageReports } from './reports';
import { postgresSignageScreens } from './screens';
import { postgresSignageScreenshots } from './screenshots';

export function postgresSignage(engine: PostgresEngine): SignageRepositories {
  return {
    pairings: postgresSignagePairings(engine.pool),
    deviceAccounts: postgresSignageDeviceAccounts(engine),
    devices: postgresSignageDevices(engine),
    media: postgresSignageMedia(engine),
    playlists: postgresSignagePlaylists(engine),
    screens: postgresSignageScreens(engine),
    reports: postgresSignageReports(engine.pool),
    commands: postgresSignageCommands(engine),
    screenshots: postgresSignageScreenshots(engine.pool),
    plays: postgresSignagePlays(engine),
  };
}
