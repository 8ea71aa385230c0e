/**
 * Applies the versioned migrations to a PostgreSQL database: the same versions and names as the
 * SQLite store's (core block, surface blocks; see ../migrations.ts), each migration's `postgres`
 * SQL. Everything pending runs in one transaction that first takes a transaction-scoped advisory
 * lock, so two instances starting together apply each version once: the second waits for the
 * first's commit, then finds everything recorded. PostgreSQL's DDL is transactional, so a failing
 * migration leaves nothing of the run behind.
 */
import { type Migration, orderMigrations } from '../migrations';
import { type PostgresEngine, rows } from './engine';

/** The advisory lock key the migration run holds ("marque" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x6d6172717565;

/** Applies every migration not yet recorded in `schema_migrations`; returns the versions applied. */
export async function applyPostgresMigrations(
  engine: PostgresEngine,
  migrations: readonly Migration[],
  now: () => Date,
): Promise<number[]> {
  const ordered = orderMigrations(migrations);
  const missing = ordered.filter((migration) => migration.postgres === undefined);
  if (missing.length > 0) {
    throw new Error(
      `Migrations ${missing.map((m) => `${m.version} "${m.name}"`).join(', ')} have no PostgreSQL version: this build cannot use MARQUEE_DATABASE_URL`,
    );
  }
  return engine.transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`);
    const recorded = new Map(
      (await rows(client, 'SELECT version, name FROM schema_migrations')).map((row) => [
        Number(row.version),
        String(row.name),
      ]),
    );
    const applied: number[] = [];
    for (const migration of ordered) {
      const name = recorded.get(migration.version);
      if (name !== undefined) {
        if (name !== migration.name) {
          throw new Error(
            `Migration ${migration.version} is recorded as "${name}" but the code calls it "${migration.name}"`,
          );
        }
        continue;
      }
      await client.query(migration.postgres ?? '');
      await client.query(
        'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
        [migration.version, migration.name, now().toISOString()],
      );
      applied.push(migration.version);
    }
    return applied;
  });
}
