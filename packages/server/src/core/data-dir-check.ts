/**
 * The data directory must be writable before the server opens its database: SQLite writes even
 * to serve reads (the WAL and its index), so a read-only directory would otherwise end the start
 * with `unable to open database file` and a stack trace. Marquee refuses to start instead, with a
 * message that says which directory, why, and what to do (docs/reliability.md). A directory that
 * turns read-only while the server runs is answered 503 STORAGE_READ_ONLY per write
 * (storage.ts).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** A data directory the server cannot write: its message is meant for the operator as is. */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

const NOT_WRITABLE = new Set(['EROFS', 'EACCES', 'EPERM']);

/** Throws DataDirError when `dataDir` cannot be created or written. */
export function assertWritableDataDir(dataDir: string): void {
  const dir = resolve(dataDir);
  const probe = join(dir, `.write-check-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!NOT_WRITABLE.has(code)) throw error;
    const why =
      code === 'EROFS'
        ? 'it is on a read-only filesystem'
        : `this user may not write there (${code})`;
    throw new DataDirError(
      `Marquee cannot start: the data directory ${dir} is not writable: ${why}. The database ` +
        'needs to write even to serve reads. Make it writable (remount it read-write, fix its ' +
        'owner), or point MARQUEE_DATA_DIR / --data-dir at a writable directory (a backup can ' +
        'be restored there with `marquee restore`).',
      { cause: error },
    );
  }
}
