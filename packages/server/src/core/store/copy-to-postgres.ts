/**
 * Copies a SQLite store into an empty PostgreSQL database (`marquee migrate --from sqlite --to
 * postgres`). Both sides are first brought to the same migration versions (the SQLite file as a
 * start would, the database as a PostgreSQL start would), so their tables and columns match by
 * name. Then, in one PostgreSQL transaction and from one SQLite read snapshot: every table, parents
 * before the tables that reference them, in batches; the identity sequences moved past the copied
 * ids; and every table's row count compared. Anything failing rolls the whole copy back.
 */
import { DatabaseSync } from 'node:sqlite';
import { MarqueeError } from '@marquee/sdk';
import { type Migration } from './migrations';
import { openPostgresStore } from './postgres';
import { type Queryable, first, rows } from './postgres/engine';
import { openSqliteStore } from './sqlite';
import { num, text } from './sqlite/statements';

export interface CopyReport {
  /** Rows copied per table, in copy order. */
  readonly tables: ReadonlyArray<{ readonly table: string; readonly rows: number }>;
}

/** Rows per INSERT statement (PostgreSQL takes at most 65,535 parameters per statement). */
const BATCH_PARAMETERS = 30_000;

/** Tables ordered so that each comes after every table it references. */
function dependencyOrder(db: DatabaseSync, tables: readonly string[]): string[] {
  const references = new Map(
    tables.map((table) => [
      table,
      db
        .prepare('SELECT "table" AS parent FROM pragma_foreign_key_list(?)')
        .all(table)
        .map((row) => text(row, 'parent'))
        .filter((parent) => parent !== table),
    ]),
  );
  const ordered: string[] = [];
  const visit = (table: string, path: readonly string[]) => {
    if (ordered.includes(table)) return;
    if (path.includes(table))
      throw new Error(`Foreign keys form a cycle: ${[...path, table].join(' → ')}`);
    for (const parent of references.get(table) ?? []) visit(parent, [...path, table]);
    ordered.push(table);
  };
  for (const table of tables) visit(table, []);
  return ordered;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function copyTable(source: DatabaseSync, target: Queryable, table: string): Promise<number> {
  const columns = source
    .prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid')
    .all(table)
    .map((row) => text(row, 'name'));
  const targetColumns = new Set(
    (
      await rows(
        target,
        'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1',
        [table],
      )
    ).map((row) => text(row, 'column_name')),
  );
  const missing = columns.filter((column) => !targetColumns.has(column));
  if (missing.length > 0 || targetColumns.size !== columns.length) {
    throw new Error(
      `Table ${table} differs between the engines (SQLite columns ${columns.join(', ')}; PostgreSQL ${[...targetColumns].join(', ')})`,
    );
  }
  const perBatch = Math.max(1, Math.floor(BATCH_PARAMETERS / columns.length));
  const insert = (count: number) =>
    `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${Array.from(
      { length: count },
      (_, r) => `(${columns.map((_c, c) => `$${r * columns.length + c + 1}`).join(', ')})`,
    ).join(', ')}`;
  let copied = 0;
  let batch: unknown[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await target.query(insert(batch.length / columns.length), batch);
    copied += batch.length / columns.length;
    batch = [];
  };
  for (const row of source
    .prepare(`SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)}`)
    .iterate()) {
    for (const column of columns) batch.push(row[column]);
    if (batch.length >= perBatch * columns.length) await flush();
  }
  await flush();
  return copied;
}

/**
 * Copies the SQLite store at `sqlitePath` into the PostgreSQL database at `url`, which must hold
 * no Marquee data yet (CONFLICT otherwise). `migrations`: the mounted surfaces' (as `start` uses).
 */
export async function copySqliteToPostgres(
  sqlitePath: string,
  url: string,
  migrations: readonly Migration[],
): Promise<CopyReport> {
  // Bring the file to this version's schema, as a start would, then read it alone.
  await (await openSqliteStore(sqlitePath, { migrations })).close();
  const source = new DatabaseSync(sqlitePath, { readOnly: true });
  const store = await openPostgresStore(url, { migrations, maxConnections: 1 });
  try {
    if (store.engine.kind !== 'postgres') throw new Error('Not a PostgreSQL store');
    const { engine } = store;
    const tables = source
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name",
      )
      .all()
      .map((row) => text(row, 'name'));
    const ordered = dependencyOrder(source, tables);
    // One read transaction: every table from the same moment, even while a server writes.
    source.exec('BEGIN');
    try {
      return await engine.transaction(async (client) => {
        for (const table of ordered) {
          const row = await first(client, `SELECT count(*) AS n FROM ${quote(table)}`);
          if (row !== undefined && num(row, 'n') > 0) {
            throw new MarqueeError(
              'CONFLICT',
              `The PostgreSQL database already holds Marquee data (table ${table} has rows): migrate into an empty database`,
            );
          }
        }
        const report: { table: string; rows: number }[] = [];
        for (const table of ordered) {
          report.push({ table, rows: await copyTable(source, client, table) });
        }
        // Identity columns continue after the copied ids.
        for (const identity of await rows(
          client,
          `SELECT table_name, column_name FROM information_schema.columns
           WHERE table_schema = current_schema() AND is_identity = 'YES'`,
        )) {
          const table = text(identity, 'table_name');
          const column = text(identity, 'column_name');
          await client.query(
            `SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(${quote(column)}) FROM ${quote(table)}), 0) + 1, false)`,
            [quote(table), column],
          );
        }
        for (const { table, rows: copied } of report) {
          const there = await first(client, `SELECT count(*) AS n FROM ${quote(table)}`);
          const here = source.prepare(`SELECT count(*) AS n FROM ${quote(table)}`).get();
          const expected = here === undefined ? 0 : num(here, 'n');
          const found = there === undefined ? 0 : num(there, 'n');
          if (found !== expected || copied !== expected) {
            throw new Error(`Table ${table}: ${expected} rows in SQLite, ${found} in PostgreSQL`);
          }
        }
        return { tables: report };
      });
    } finally {
      source.exec('ROLLBACK');
    }
  } finally {
    source.close();
    await store.close();
  }
}
