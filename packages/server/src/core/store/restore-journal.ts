/**
 * The last step of `marquee restore`, replacing a data directory's database and files with the
 * verified ones staged beside them, made safe against a kill or a power cut: before anything is
 * removed, a journal naming the staging folder and what to remove and move in is written
 * (`.restore-journal.json`, written to a temporary name, flushed, renamed, the directory
 * flushed). Every step after it can be done again, so whoever opens the directory next (a
 * server starting, `marquee restore`, `marquee user`: through `openStore`) finds the journal and
 * finishes the swap before opening the database. A restore killed before the journal leaves the
 * directory as it was (and a staging folder, which a starting server removes); one killed after
 * it is finished by the next opener. Never half of each.
 */
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const RESTORE_JOURNAL = '.restore-journal.json';

export interface RestoreJournal {
  /** The staging folder's name inside the data directory (`.restore-<pid>-…`). */
  readonly stage: string;
  /** Names in the staging folder to move into the data directory, replacing what is there. */
  readonly move: readonly string[];
  /** Names in the data directory to remove (the old database, its WAL, files and caches). */
  readonly remove: readonly string[];
}

/** A plain name inside the directory: no separators, not `.` or `..`. */
const PLAIN_NAME = /^(?!\.\.?$)[^/\\\0]+$/;

async function flush(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function parse(text: string, file: string): RestoreJournal {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const names = (list: unknown) =>
    Array.isArray(list) && list.every((name) => typeof name === 'string' && PLAIN_NAME.test(name));
  if (
    typeof value !== 'object' ||
    value === null ||
    !('stage' in value) ||
    typeof value.stage !== 'string' ||
    !value.stage.startsWith('.restore-') ||
    !PLAIN_NAME.test(value.stage) ||
    !('move' in value) ||
    !names(value.move) ||
    !('remove' in value) ||
    !names(value.remove)
  ) {
    throw new Error(
      `${file} is not a restore journal Marquee wrote; finish or undo the restore by hand, then delete it`,
    );
  }
  return value as RestoreJournal;
}

/** Does (or finishes) the swap the journal describes, then removes the journal. */
async function apply(dataDir: string, journal: RestoreJournal): Promise<void> {
  for (const name of journal.remove) {
    if (!journal.move.includes(name))
      await rm(join(dataDir, name), { recursive: true, force: true });
  }
  for (const name of journal.move) {
    const from = join(dataDir, journal.stage, name);
    // Gone from the staging folder: moved in before an interruption.
    if (!(await exists(from))) continue;
    await rm(join(dataDir, name), { recursive: true, force: true });
    await rename(from, join(dataDir, name));
  }
  await flush(dataDir);
  await rm(join(dataDir, RESTORE_JOURNAL), { force: true });
  await flush(dataDir);
}

/** Writes the journal durably, then swaps. */
export async function commitRestore(dataDir: string, journal: RestoreJournal): Promise<void> {
  const file = join(dataDir, RESTORE_JOURNAL);
  const temporary = `${file}.tmp`;
  await writeFile(temporary, `${JSON.stringify(journal)}\n`);
  await flush(temporary);
  await rename(temporary, file);
  await flush(dataDir);
  await apply(dataDir, journal);
}

/**
 * Finishes a restore a kill or a crash interrupted after its journal was written; answers
 * whether there was one. Call before opening the directory's database.
 */
export async function finishInterruptedRestore(dataDir: string): Promise<boolean> {
  const file = join(dataDir, RESTORE_JOURNAL);
  await rm(`${file}.tmp`, { force: true });
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  await apply(dataDir, parse(text, file));
  return true;
}
