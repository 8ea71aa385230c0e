/**
 * The signage surface's own part of the store: its tables (migrations 100–199) and repositories
 * for seed 002's devices, media, playlists, screens, reports, commands, screenshots and plays.
 */
import type { SurfaceStore } from '../../../core/store';
import { postgresSignage } from './postgres';
import { signageMigrations, sqliteSignage } from './sqlite';
import type { SignageRepositories } from './types';

export const signageStore: SurfaceStore<SignageRepositories> = {
  migrations: signageMigrations,
  open: (engine) => (engine.kind === 'sqlite' ? sqliteSignage(engine) : postgresSignage(engine)),
};

export type {
  SignageCommandRecord,
  SignageCommandsRepository,
  SignageDeviceAccountRecord,
  SignageDeviceAccountsRepository,
  SignageDeviceFilter,
  SignageDeviceRecord,
  SignageDevicesRepository,
  SignageMediaRecord,
  SignageMediaRepository,
  SignagePairingRecord,
  SignagePairingsRepository,
  SignagePlayCursor,
  SignagePlayFilter,
  SignagePlayRecord,
  SignagePlaysRepository,
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
  SignageStateChange,
  SignageStateChangeResult,
} from './types';
