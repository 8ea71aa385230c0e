/**
 * The kill harness's reads of a data directory (kill-harness.ts): the database's own checks on
 * the files as a kill left them, what the store holds, and which files are on disk. Plain reads
 * through a second SQLite connection; the harness compares them with what the server answered.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

/** A broken invariant's description, or undefined. */
export type Finding = string | undefined;

/** `PRAGMA integrity_check` and `foreign_key_check` (opening it replays the WAL, as a start does). */
export function databaseChecks(dataDir: string): Finding[] {
  const db = new DatabaseSync(join(dataDir, 'marquee.db'));
  try {
    const integrity = db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
    const fk = db.prepare('PRAGMA foreign_key_check').all();
    return [
      integrity.length === 1 && integrity[0]?.integrity_check === 'ok'
        ? undefined
        : `integrity_check: ${JSON.stringify(integrity)}`,
      fk.length === 0 ? undefined : `foreign_key_check: ${JSON.stringify(fk)}`,
    ];
  } finally {
    db.close();
  }
}

export interface StoredState {
  /** media id → its row's MD5. */
  readonly media: ReadonlyMap<number, string>;
  /** command id → state. */
  readonly commands: ReadonlyMap<string, string>;
  /** Session ids with a history row. */
  readonly history: ReadonlySet<string>;
  /** Files and rows that disagree: a row without its whole file, a file without its row, tmp leftovers. */
  readonly fileFindings: readonly Finding[];
}

/** What the store holds, and whether its media rows and files agree. */
export function storedState(dataDir: string): StoredState {
  const db = new DatabaseSync(join(dataDir, 'marquee.db'), { readOnly: true });
  let rows: { id: number; path: string; file_size: number; checksum: string }[];
  let commands: { id: string; state: string }[];
  let history: { session_id: string }[];
  try {
    rows = db
      .prepare('SELECT id, path, file_size, checksum FROM signage_media')
      .all() as typeof rows;
    commands = db.prepare('SELECT id, state FROM signage_commands').all() as typeof commands;
    history = db.prepare('SELECT session_id FROM session_history').all() as typeof history;
  } finally {
    db.close();
  }
  const mediaDir = join(dataDir, 'signage', 'media');
  const fileFindings: Finding[] = rows.map((row) => {
    const file = join(mediaDir, ...row.path.split('/'));
    if (!existsSync(file)) return `media row ${row.id} has no file ${row.path}`;
    const bytes = readFileSync(file);
    return bytes.length === row.file_size && md5(bytes) === row.checksum
      ? undefined
      : `media ${row.id}: file of ${bytes.length} bytes, MD5 ${md5(bytes)}; row says ${row.file_size}, ${row.checksum}`;
  });
  const paths = new Set(rows.map((r) => r.path));
  for (const file of walk(mediaDir)) {
    const path = relative(mediaDir, file).split('\\').join('/');
    fileFindings.push(paths.has(path) ? undefined : `orphan media file ${path}`);
  }
  const leftovers = walk(join(dataDir, 'signage', 'tmp'));
  fileFindings.push(
    leftovers.length === 0 ? undefined : `left in signage/tmp: ${leftovers.join(', ')}`,
  );
  return {
    media: new Map(rows.map((r) => [r.id, r.checksum])),
    commands: new Map(commands.map((c) => [c.id, c.state])),
    history: new Set(history.map((h) => h.session_id)),
    fileFindings,
  };
}

/** Ids of the commands the store has as acknowledged. */
export function ackedCommands(dataDir: string): Set<string> {
  const db = new DatabaseSync(join(dataDir, 'marquee.db'), { readOnly: true });
  try {
    const rows = db.prepare("SELECT id FROM signage_commands WHERE state = 'acked'").all() as {
      id: string;
    }[];
    return new Set(rows.map((r) => r.id));
  } finally {
    db.close();
  }
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...walk(path));
    else found.push(path);
  }
  return found;
}
