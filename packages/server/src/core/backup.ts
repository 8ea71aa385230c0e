/**
 * Backup archives of a data directory: `marquee backup` writes one, `marquee restore` reads one.
 *
 * An archive is a gzip-compressed tar file (written and read by the `tar` package) holding:
 *
 * - `marquee-backup.json`: the manifest (`format`, `version`, the Marquee version that wrote it,
 *   `created_at`, and every other file's `path`, `size` and `md5`);
 * - `marquee.db`: the database, copied with SQLite's online backup API (`node:sqlite`'s
 *   `backup()`) in one step, so it is one consistent snapshot even while a server writes;
 * - `signage/media/…` and `signage/screenshots/…`: the files the snapshot's rows name.
 *
 * Consistency: media files are never changed once in place (a new upload gets a new name), so the
 * files the snapshot names are exactly the files to copy. A media file deleted between the
 * snapshot and its copy makes the backup start again from a new snapshot (a few times, then it
 * fails); a screenshot deleted meanwhile (pruned) has its row dropped from the copy instead.
 * The thumbnail cache (rendered again on demand) and the `run/` marks are not backed up.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  copyFile,
  link,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { backup as sqliteBackup, DatabaseSync } from 'node:sqlite';
import { MarqueeError } from '@marquee/sdk';
import * as tar from 'tar';
import { stagePrefix } from './backup-leftovers';
import { runningServers } from './server-lock';
import { DATABASE_FILE } from './store';
import { commitRestore, finishInterruptedRestore } from './store/restore-journal';
import { syncPath } from '../surfaces/signage/files';
import { VERSION } from '../version';

export const MANIFEST_FILE = 'marquee-backup.json';
const FORMAT = 'marquee-backup';
const FORMAT_VERSION = 1;
/** Times a backup starts again when a media file vanished after its snapshot. */
const ATTEMPTS = 5;
/** What a data directory holds that a restore replaces (and a backup carries). */
const OWNED = [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, 'signage', 'cache'];

export interface ManifestFile {
  readonly path: string;
  readonly size: number;
  readonly md5: string;
}

export interface Manifest {
  readonly format: typeof FORMAT;
  readonly version: number;
  readonly marquee: string;
  readonly created_at: string;
  readonly files: readonly ManifestFile[];
}

export interface BackupSummary {
  readonly file: string;
  readonly bytes: number;
  readonly media: number;
  readonly screenshots: number;
  readonly attempts: number;
}

export interface RestoreSummary {
  readonly dataDir: string;
  readonly files: number;
  readonly media: number;
  readonly createdAt: string;
}

const fail = (message: string) => new MarqueeError('BAD_REQUEST', message);

async function md5Of(file: string): Promise<{ md5: string; size: number }> {
  const hash = createHash('md5');
  let size = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { md5: hash.digest('hex'), size };
}

/** The rows of `table` in `db`, or none when the table does not exist (surface never mounted). */
function rowsOf<T>(db: DatabaseSync, table: string, sql: string): T[] {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
    .get(table);
  return exists === undefined ? [] : (db.prepare(sql).all() as T[]);
}

/** Hard-links `from` to `to` (same filesystem, no copy), else copies it. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  try {
    await link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw error;
    await copyFile(from, to);
  }
}

/** Snapshot of the database and the files it names, staged in `stage`; false when a media file vanished. */
async function stageOnce(
  dataDir: string,
  stage: string,
): Promise<{ media: number; screenshots: number } | false> {
  const source = join(dataDir, DATABASE_FILE);
  const db = new DatabaseSync(source, { readOnly: true });
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    // One step for the whole file: a write by the server cannot restart it half-way.
    await sqliteBackup(db, join(stage, DATABASE_FILE), { rate: 2 ** 30 });
  } finally {
    db.close();
  }
  const copy = new DatabaseSync(join(stage, DATABASE_FILE));
  try {
    const media = rowsOf<{ path: string }>(copy, 'signage_media', 'SELECT path FROM signage_media');
    for (const { path } of media) {
      const rel = join('signage', 'media', ...path.split('/'));
      try {
        await linkOrCopy(join(dataDir, rel), join(stage, rel));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
    }
    const shots = rowsOf<{ id: number; path: string }>(
      copy,
      'signage_screenshots',
      'SELECT id, path FROM signage_screenshots',
    );
    let screenshots = 0;
    for (const { id, path } of shots) {
      const rel = join('signage', 'screenshots', ...path.split('/'));
      try {
        await linkOrCopy(join(dataDir, rel), join(stage, rel));
        screenshots += 1;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        copy.prepare('DELETE FROM signage_screenshots WHERE id = ?').run(id);
      }
    }
    // A self-contained file: no WAL beside it in the archive.
    copy.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    copy.exec('PRAGMA journal_mode = DELETE');
    return { media: media.length, screenshots };
  } finally {
    copy.close();
  }
}

/** Every regular file under `root`, as `/`-separated paths relative to it. */
async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) =>
      join(entry.parentPath, entry.name)
        .slice(root.length + 1)
        .split('\\')
        .join('/'),
    )
    .sort();
}

async function manifestOf(root: string, createdAt: string): Promise<Manifest> {
  const files: ManifestFile[] = [];
  for (const path of await listFiles(root)) {
    if (path === MANIFEST_FILE) continue;
    files.push({ path, ...(await md5Of(join(root, ...path.split('/')))) });
  }
  return {
    format: FORMAT,
    version: FORMAT_VERSION,
    marquee: VERSION,
    created_at: createdAt,
    files,
  };
}

/**
 * Writes a backup of `dataDir` to `file` (replaced only once the new archive is complete and on
 * disk). Works whether or not a server is running on the directory.
 */
export async function createBackup(dataDir: string, file: string): Promise<BackupSummary> {
  dataDir = resolve(dataDir);
  file = resolve(file);
  try {
    await stat(join(dataDir, DATABASE_FILE));
  } catch {
    throw fail(`No Marquee database at ${join(dataDir, DATABASE_FILE)}: nothing to back up`);
  }
  await mkdir(dirname(file), { recursive: true });
  // Staged inside the data directory: media files are hard-linked there, not copied.
  const stage = await mkdtemp(join(dataDir, stagePrefix('backup')));
  const partial = join(dirname(file), `.${basename(file)}.partial`);
  try {
    let attempts = 0;
    let staged: { media: number; screenshots: number } | false = false;
    while (staged === false) {
      attempts += 1;
      if (attempts > ATTEMPTS) {
        throw new MarqueeError(
          'CONFLICT',
          `Media files kept disappearing while backing up ${dataDir}; nothing was written. Try again.`,
        );
      }
      await rm(stage, { recursive: true, force: true });
      await mkdir(stage, { recursive: true });
      staged = await stageOnce(dataDir, stage);
    }
    const manifest = await manifestOf(stage, new Date().toISOString());
    await writeFile(join(stage, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await tar.create({ gzip: true, file: partial, cwd: stage, portable: true }, [
      MANIFEST_FILE,
      ...manifest.files.map((entry) => entry.path),
    ]);
    await syncPath(partial);
    await rename(partial, file);
    return {
      file,
      bytes: (await stat(file)).size,
      media: staged.media,
      screenshots: staged.screenshots,
      attempts,
    };
  } finally {
    await rm(stage, { recursive: true, force: true });
    await rm(partial, { force: true });
  }
}

function parseManifest(text: string): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw fail(`${MANIFEST_FILE} is not JSON: not a Marquee backup`);
  }
  const manifest = parsed as Partial<Manifest> | null;
  if (
    manifest?.format !== FORMAT ||
    typeof manifest.version !== 'number' ||
    !Array.isArray(manifest.files)
  ) {
    throw fail('Not a Marquee backup (no marquee-backup manifest)');
  }
  if (manifest.version > FORMAT_VERSION) {
    throw fail(
      `This backup has format version ${manifest.version}; Marquee ${VERSION} reads up to ${FORMAT_VERSION}`,
    );
  }
  return manifest as Manifest;
}

/** Checks the extracted archive in `stage` against its manifest and the database's media rows. */
async function verifyStage(stage: string): Promise<{ manifest: Manifest; media: number }> {
  let text: string;
  try {
    text = await readFile(join(stage, MANIFEST_FILE), 'utf8');
  } catch {
    throw fail(`No ${MANIFEST_FILE} in the archive: not a Marquee backup`);
  }
  const manifest = parseManifest(text);
  const listed = new Set(manifest.files.map((entry) => entry.path));
  if (!listed.has(DATABASE_FILE)) throw fail(`The backup holds no ${DATABASE_FILE}`);
  for (const entry of manifest.files) {
    let actual: { md5: string; size: number };
    try {
      actual = await md5Of(join(stage, ...entry.path.split('/')));
    } catch {
      throw fail(`The backup is incomplete: ${entry.path} is missing`);
    }
    if (actual.size !== entry.size || actual.md5 !== entry.md5) {
      throw fail(
        `The backup is damaged: ${entry.path} is ${actual.size} bytes, MD5 ${actual.md5}; ` +
          `the manifest says ${entry.size} bytes, MD5 ${entry.md5}`,
      );
    }
  }
  const db = new DatabaseSync(join(stage, DATABASE_FILE));
  try {
    const check = db.prepare('PRAGMA integrity_check').get() as Record<string, unknown>;
    if (Object.values(check)[0] !== 'ok') {
      throw fail(
        `The backup's database fails its integrity check: ${String(Object.values(check)[0])}`,
      );
    }
    const media = rowsOf<{ path: string; file_size: number; checksum: string }>(
      db,
      'signage_media',
      'SELECT path, file_size, checksum FROM signage_media',
    );
    for (const row of media) {
      const path = `signage/media/${row.path}`;
      const entry = manifest.files.find((candidate) => candidate.path === path);
      if (entry === undefined) throw fail(`The backup lacks the media file ${path}`);
      if (entry.size !== row.file_size || entry.md5 !== row.checksum.toLowerCase()) {
        throw fail(
          `The media file ${path} is ${entry.size} bytes, MD5 ${entry.md5}; its row says ` +
            `${row.file_size} bytes, MD5 ${row.checksum}`,
        );
      }
    }
    return { manifest, media: media.length };
  } finally {
    db.close();
  }
}

/** What of `OWNED` is already in `dataDir`. */
async function existingData(dataDir: string): Promise<string[]> {
  const names = await readdir(dataDir).catch(() => [] as string[]);
  return OWNED.filter((name) => names.includes(name));
}

function refuseIfRunning(dataDir: string): void {
  const [running] = runningServers(dataDir);
  if (running !== undefined) {
    throw new MarqueeError(
      'CONFLICT',
      `A Marquee server (pid ${running.pid}${running.url === undefined ? '' : `, ${running.url}`}) ` +
        `is using the data directory ${dataDir}; stop it before restoring.\n` +
        `(If that process is not a Marquee server, delete ${running.file}.)`,
    );
  }
}

/**
 * Restores the archive `file` into `dataDir`, which no server may be using. A directory that
 * already holds Marquee data is replaced only with `force`. The archive is extracted and verified
 * (every file's size and MD5, the database's integrity and its media rows) before anything in
 * `dataDir` is touched.
 */
export async function restoreBackup(
  file: string,
  dataDir: string,
  options: { force: boolean },
): Promise<RestoreSummary> {
  dataDir = resolve(dataDir);
  file = resolve(file);
  try {
    await stat(file);
  } catch {
    throw fail(`No backup file at ${file}`);
  }
  refuseIfRunning(dataDir);
  // An earlier restore killed during its swap is finished first: its data is what is there.
  await finishInterruptedRestore(dataDir);
  const existing = await existingData(dataDir);
  if (existing.length > 0 && !options.force) {
    throw new MarqueeError(
      'CONFLICT',
      `${dataDir} already holds Marquee data (${existing.join(', ')}); ` +
        'add --force to replace it with the backup',
    );
  }
  await mkdir(dataDir, { recursive: true });
  // Inside the data directory, so moving the restored files into place is a rename.
  const stage = await mkdtemp(join(dataDir, stagePrefix('restore')));
  try {
    try {
      await tar.extract({
        file,
        cwd: stage,
        strict: true,
        // Plain files and folders only: no links, devices or anything else.
        filter: (_path, entry) =>
          !('type' in entry) || entry.type === 'File' || entry.type === 'Directory',
      });
    } catch (error) {
      throw fail(
        `Cannot read ${file} as a backup archive: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const { manifest, media } = await verifyStage(stage);
    refuseIfRunning(dataDir);
    // Only what a data directory's owner names: an archive cannot place anything else. The swap
    // is journaled: a kill from here on is finished by the next opener (restore-journal.ts).
    const extracted = await readdir(stage);
    await commitRestore(dataDir, {
      stage: basename(stage),
      move: [DATABASE_FILE, 'signage'].filter((kept) => extracted.includes(kept)),
      remove: OWNED,
    });
    await syncPath(join(dataDir, DATABASE_FILE));
    return {
      dataDir,
      files: manifest.files.length,
      media,
      createdAt: manifest.created_at,
    };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
