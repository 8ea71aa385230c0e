/**
 * What a killed `marquee backup` or `marquee restore` leaves in the data directory: its staging
 * folder (`.backup-<pid>-…`: a database copy and hard links to media files; `.restore-<pid>-…`:
 * an extracted archive). A server starting on the directory removes those whose process is gone.
 * A folder whose process is alive belongs to a backup running now (the CLI beside a running
 * server, or another server's schedule) and is left alone; one named with this process's own id is
 * from an earlier life of a process that got the same id again (pid 1 in a container), since
 * this process has not staged anything yet. Folders named before the process id was part of the
 * name are removed once a day old.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from './server-lock';

const WITH_PID = /^\.(backup|restore)-(\d+)-[^/]+$/;
/** mkdtemp's six random characters, as the folders were named before. */
const WITHOUT_PID = /^\.(backup|restore)-[A-Za-z0-9]{6}$/;
const OLD_ENOUGH_MS = 24 * 3600 * 1000;

/** The staging folder prefix for `kind` in this process (mkdtemp appends the random part). */
export function stagePrefix(kind: 'backup' | 'restore'): string {
  return `.${kind}-${process.pid}-`;
}

interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Removes the staging folders no live process owns; answers the names removed. */
export async function sweepBackupLeftovers(dataDir: string, logger: Logger): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dataDir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const withPid = WITH_PID.exec(name);
    if (withPid !== null) {
      const pid = Number(withPid[2]);
      if (pid !== process.pid && isAlive(pid)) continue;
    } else if (WITHOUT_PID.test(name)) {
      const info = await stat(join(dataDir, name)).catch(() => undefined);
      if (info === undefined || Date.now() - info.mtimeMs < OLD_ENOUGH_MS) continue;
    } else {
      continue;
    }
    try {
      await rm(join(dataDir, name), { recursive: true, force: true });
      removed.push(name);
    } catch (error) {
      logger.warn({ err: error, folder: name }, 'could not remove an interrupted backup folder');
    }
  }
  if (removed.length > 0) {
    logger.info({ folders: removed, data_dir: dataDir }, 'removed folders of interrupted backups');
  }
  return removed;
}
