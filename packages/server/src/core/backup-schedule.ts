/**
 * Scheduled backups (MARQUEE_BACKUP_DIR, MARQUEE_BACKUP_EVERY, MARQUEE_BACKUP_KEEP): every
 * `everySeconds` the running server writes `marquee-<UTC time>.tar.gz` into `dir` (the archive of
 * `marquee backup`, see backup.ts), then deletes the oldest archives of that name beyond `keep`.
 * Files in `dir` with other names are never touched. One backup at a time: the next one is
 * timed from the end of the last, so a slow backup never overlaps the next.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { createBackup, type BackupSummary } from './backup';

/** The names scheduled backups get, oldest first when sorted. */
const SCHEDULED = /^marquee-\d{8}T\d{6}\d{3}Z\.tar\.gz$/;

export interface BackupScheduleOptions {
  readonly dataDir: string;
  readonly dir: string;
  readonly everySeconds: number;
  readonly keep: number;
  readonly logger: Pick<FastifyBaseLogger, 'info' | 'error'>;
}

export interface BackupSchedule {
  /** Stops the timer and waits for a backup in progress. */
  stop(): Promise<void>;
}

/** `marquee-20261207T195300123Z.tar.gz` for that instant. */
export function scheduledName(at: Date): string {
  return `marquee-${at.toISOString().replace(/[-:.]/g, '')}.tar.gz`;
}

/** What a scheduled backup writes before renaming it (backup.ts), left behind by a kill. */
const PARTIAL = /^\.(marquee-\d{8}T\d{6}\d{3}Z\.tar\.gz)\.partial$/;

/**
 * Deletes the oldest scheduled archives in `dir` beyond `keep`, and the partial archives of
 * scheduled backups older than the newest archive (a kill cut them: backups run one at a time);
 * returns the names deleted.
 */
export async function pruneBackups(dir: string, keep: number): Promise<string[]> {
  const all = await readdir(dir);
  const names = all.filter((name) => SCHEDULED.test(name)).sort();
  const old = names.slice(0, Math.max(0, names.length - keep));
  const newest = names.at(-1);
  const cut = all.filter((name) => {
    const archive = PARTIAL.exec(name)?.[1];
    return archive !== undefined && newest !== undefined && archive < newest;
  });
  for (const name of [...old, ...cut]) await rm(join(dir, name), { force: true });
  return [...old, ...cut];
}

export function startBackupSchedule(options: BackupScheduleOptions): BackupSchedule {
  const { dir, keep, logger } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const once = async (): Promise<void> => {
    let done: BackupSummary;
    try {
      done = await createBackup(options.dataDir, join(dir, scheduledName(new Date())));
    } catch (error) {
      logger.error({ err: error, backup_dir: dir }, 'scheduled backup failed');
      return;
    }
    const pruned = await pruneBackups(dir, keep).catch((error: unknown) => {
      logger.error({ err: error, backup_dir: dir }, 'deleting old backups failed');
      return [];
    });
    logger.info(
      { file: done.file, bytes: done.bytes, media: done.media, deleted: pruned },
      'scheduled backup written',
    );
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = once().finally(() => {
        running = undefined;
        schedule();
      });
    }, options.everySeconds * 1000);
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
