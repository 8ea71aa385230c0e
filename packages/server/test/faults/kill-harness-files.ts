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

const SERIES = ['cpu', 'mem', 'disk', 'rx', 'tx'] as const;

/** Per tier: rows, and findings of the history invariants (see `historyFindings`). */
export interface HistoryState {
  readonly counts: { second: number; minute: number; hour: number };
  readonly findings: readonly Finding[];
}

/**
 * The monitoring history's invariants on the stored tiers: one row per (tier, bucket), aligned to
 * the tier's step; no row in the future (a roll-up is written once its interval is over); each
 * minute roll-up's count, sums, minimums and maximums equal those of its seconds where the
 * second tier still holds the whole minute, and each hour's equal those of its minutes likewise;
 * and no finished minute whose seconds are stored lacks its roll-up.
 */
export function historyFindings(dataDir: string, nowSeconds: number): HistoryState {
  const db = new DatabaseSync(join(dataDir, 'marquee.db'), { readOnly: true });
  const findings: Finding[] = [];
  try {
    const all = <T>(sql: string) => db.prepare(sql).all() as T[];
    const one = (sql: string) => (db.prepare(sql).get() as { v: number | null }).v;
    const counts = {
      second: one('SELECT COUNT(*) AS v FROM monitoring_history_second') ?? 0,
      minute: one('SELECT COUNT(*) AS v FROM monitoring_history_minute') ?? 0,
      hour: one('SELECT COUNT(*) AS v FROM monitoring_history_hour') ?? 0,
    };
    const tiers = [
      ['second', 1, 1],
      ['minute', 60, 60],
      ['hour', 3600, 3600],
    ] as const;
    for (const [tier, step, length] of tiers) {
      const table = `monitoring_history_${tier}`;
      const dupes = all<{ ts: number }>(
        `SELECT ts FROM ${table} GROUP BY ts HAVING COUNT(*) > 1 LIMIT 5`,
      );
      findings.push(
        dupes.length === 0 ? undefined : `${tier} tier: duplicate buckets ${JSON.stringify(dupes)}`,
      );
      const unaligned = all<{ ts: number }>(
        `SELECT ts FROM ${table} WHERE ts % ${step} != 0 LIMIT 5`,
      );
      findings.push(
        unaligned.length === 0
          ? undefined
          : `${tier} tier: unaligned buckets ${JSON.stringify(unaligned)}`,
      );
      const newest = one(`SELECT MAX(ts) AS v FROM ${table}`);
      findings.push(
        newest === null || newest + (tier === 'second' ? 0 : length) <= nowSeconds
          ? undefined
          : `${tier} tier: a point at ${newest} is in the future (now ${nowSeconds})`,
      );
    }
    // A roll-up against its finer tier, where the finer tier holds the whole interval.
    const compare = (tier: 'minute' | 'hour', finer: 'second' | 'minute', length: number) => {
      const fine = `monitoring_history_${finer}`;
      const agg = (c: string) =>
        finer === 'second'
          ? `SUM(f.${c}) AS ${c}_sum, MIN(f.${c}) AS ${c}_min, MAX(f.${c}) AS ${c}_max`
          : `SUM(f.${c}_sum) AS ${c}_sum, MIN(f.${c}_min) AS ${c}_min, MAX(f.${c}_max) AS ${c}_max`;
      const n = finer === 'second' ? 'COUNT(*)' : 'SUM(f.n)';
      const rows = all<Record<string, number>>(
        `SELECT r.*, ${n} AS f_n, ${SERIES.map((c) => agg(c).replaceAll(' AS ', ' AS f_')).join(', ')}
         FROM monitoring_history_${tier} r JOIN ${fine} f ON f.ts >= r.ts AND f.ts < r.ts + ${length}
         WHERE r.ts >= (SELECT MIN(ts) FROM ${fine})
         GROUP BY r.ts`,
      );
      for (const row of rows) {
        const wrong = ['n', ...SERIES.flatMap((c) => [`${c}_sum`, `${c}_min`, `${c}_max`])].filter(
          (column) => row[column] !== row[`f_${column}`],
        );
        findings.push(
          wrong.length === 0
            ? undefined
            : `${tier} roll-up ${row.ts} disagrees with its ${finer}s on ${wrong.map((c) => `${c} ${row[c]} ≠ ${row[`f_${c}`]}`).join(', ')}`,
        );
      }
      return rows.length;
    };
    compare('minute', 'second', 60);
    compare('hour', 'minute', 3600);
    // A minute is finished once a later second is stored (that sample wrote its roll-up).
    const lost = all<{ m: number }>(
      `SELECT DISTINCT (s.ts / 60) * 60 AS m FROM monitoring_history_second s
       WHERE (s.ts / 60) * 60 < (SELECT (MAX(ts) / 60) * 60 FROM monitoring_history_second)
         AND (s.ts / 60) * 60 NOT IN (SELECT ts FROM monitoring_history_minute) LIMIT 5`,
    );
    findings.push(lost.length === 0 ? undefined : `minute roll-ups lost: ${JSON.stringify(lost)}`);
    return { counts, findings };
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
