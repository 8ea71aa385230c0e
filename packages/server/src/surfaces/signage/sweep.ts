/**
 * The start-up sweep: makes files and rows agree after a crash, a kill or a power cut.
 *
 * Uploads are written to `tmp/`, flushed, renamed into place, then their row is committed (a
 * media file is renamed inside its row's transaction). So what a crash can leave is a file in
 * `tmp/`, or a library or screenshot file without its row; the sweep removes those. A row whose
 * file is missing or of another size (deleted by hand, a disk restored from an old backup) is
 * deleted too, except a media row a playlist still uses, which is logged for the operator (the
 * devices would report that download as failed).
 *
 * It runs only while no other server uses the data directory (core/server-lock.ts): another
 * server's uploads in progress live in the same `tmp/`.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SignageFiles } from './files';
import type { SignageRepositories } from './store';

export interface SweepReport {
  /** Unfinished uploads removed from `tmp/`. */
  readonly tmpFiles: number;
  /** Library and screenshot files without a row, removed. */
  readonly orphanFiles: number;
  /** Rows whose file was missing or of another size, deleted. */
  readonly rowsWithoutFile: number;
  /** Media rows without their file that playlists use: kept, and logged. */
  readonly mediaInUseWithoutFile: readonly number[];
}

export interface SweepLogger {
  warn(obj: object, msg?: string): void;
}

/** Relative paths (`a/b`) of the files two levels below `root` (`<folder>/<file>`). */
async function filesTwoDeep(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const folder of await readdir(root, { withFileTypes: true }).catch(() => [])) {
    if (!folder.isDirectory()) continue;
    for (const file of await readdir(join(root, folder.name), { withFileTypes: true })) {
      if (file.isFile()) found.push(`${folder.name}/${file.name}`);
    }
  }
  return found;
}

/** Removes the files under `root` that no row names; answers how many. */
async function removeOrphans(
  root: string,
  rows: readonly { readonly path: string }[],
  fileOf: (path: string) => string,
  files: Pick<SignageFiles, 'remove'>,
): Promise<number> {
  const known = new Set(rows.map((row) => row.path));
  let removed = 0;
  for (const path of await filesTwoDeep(root)) {
    if (known.has(path)) continue;
    await files.remove(fileOf(path));
    removed += 1;
  }
  return removed;
}

async function sizeOf(path: string): Promise<number | undefined> {
  const stats = await stat(path).catch(() => undefined);
  return stats?.isFile() === true ? stats.size : undefined;
}

export async function sweepSignageFiles(
  store: Pick<SignageRepositories, 'media' | 'screenshots'>,
  files: SignageFiles,
  logger: SweepLogger,
): Promise<SweepReport> {
  let tmpFiles = 0;
  for (const name of await readdir(files.tmpDir).catch(() => [])) {
    await rm(join(files.tmpDir, name), { force: true, recursive: true });
    tmpFiles += 1;
  }

  let orphanFiles = 0;
  let rowsWithoutFile = 0;
  const mediaInUseWithoutFile: number[] = [];

  const media = await store.media.list();
  orphanFiles += await removeOrphans(files.mediaDir, media, (path) => files.mediaFile(path), files);
  for (const record of media) {
    if ((await sizeOf(files.mediaFile(record.path))) === record.fileSize) continue;
    if ((await store.media.usedBy(record.id)).length > 0) {
      mediaInUseWithoutFile.push(record.id);
      continue;
    }
    await store.media.delete(record.id);
    await files.remove(files.mediaFile(record.path));
    rowsWithoutFile += 1;
  }

  const shots = await store.screenshots.listPaths();
  orphanFiles += await removeOrphans(
    files.screenshotsDir,
    shots,
    (path) => files.screenshotFile(path),
    files,
  );
  const missing: { readonly id: number; readonly path: string }[] = [];
  for (const shot of shots) {
    if ((await sizeOf(files.screenshotFile(shot.path))) !== shot.fileSize) missing.push(shot);
  }
  rowsWithoutFile += await store.screenshots.deleteIds(missing.map((shot) => shot.id));
  await files.removeScreenshots(missing.map((shot) => shot.path));

  const report = { tmpFiles, orphanFiles, rowsWithoutFile, mediaInUseWithoutFile };
  if (tmpFiles + orphanFiles + rowsWithoutFile + mediaInUseWithoutFile.length > 0) {
    logger.warn(
      report,
      mediaInUseWithoutFile.length > 0
        ? `signage sweep: media ${mediaInUseWithoutFile.join(', ')} used by playlists have no file; upload them again`
        : 'signage sweep: files and rows made to agree after an unclean stop',
    );
  }
  return report;
}
