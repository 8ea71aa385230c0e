/**
 * Versioned schema migrations for the SQLite store. Each migration runs in its own transaction
 * together with the row in `schema_migrations` that records it, so a crash never leaves a
 * half-applied version behind, and reopening a database applies only what is missing.
 *
 * Adding a migration: append to `coreMigrations` (or pass `migrations` to `openSqliteStore` /
 * `openStore` from a surface module) with a version that is unique in the whole list. Versions are
 * blocks per owner so parallel work never collides:
 *
 * | versions | owner                    |
 * |----------|--------------------------|
 * | 1–99     | core (auth, store)       |
 * | 100–199  | signage (devices, playlists, media, commands) |
 * | 200–299  | gpu                      |
 * | 300–399  | monitoring               |
 * | 400–499  | media-stack, now-playing |
 *
 * Unapplied versions run in ascending order even when a higher one is already applied, so two
 * blocks must not depend on each other's tables beyond core's (`users`). Never edit or renumber
 * a released migration: opening a database whose recorded name differs from the code's fails.
 */
import { type DatabaseSync, type StatementSync } from 'node:sqlite';
import { rollbackAll } from './sqlite/transaction';

export interface Migration {
  /** Unique positive integer; see the block table above. */
  readonly version: number;
  /** Short snake_case description, recorded next to the version. */
  readonly name: string;
  /**
   * SQL run with `exec` (several statements allowed), or a function for data migrations. It runs
   * inside a transaction, where `PRAGMA foreign_keys` cannot change; rebuild tables accordingly.
   */
  readonly up: string | ((db: DatabaseSync) => void);
  /**
   * Runs with foreign keys off (SQLite's documented way to rebuild a table that others
   * reference: with them on, dropping the old table would cascade into its dependants). The
   * references are checked with `PRAGMA foreign_key_check` before the commit. @default false
   */
  readonly rebuildsTables?: boolean;
}

export const coreMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'core_settings_users_tokens_history',
    up: `
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
      CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE display_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL CHECK (json_valid(scopes) AND json_type(scopes) = 'array'),
        created_by INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        revoked_at TEXT,
        last_used_at TEXT
      ) STRICT;
      -- user_id is the media server's user (Plex, Jellyfin), not a Marquee user: no foreign key.
      CREATE TABLE session_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        username TEXT NOT NULL,
        title TEXT NOT NULL,
        media_type TEXT NOT NULL,
        path TEXT,
        started_at TEXT NOT NULL,
        ended_at TEXT NOT NULL,
        watched_seconds REAL NOT NULL,
        end_reason TEXT NOT NULL CHECK (end_reason IN ('stopped', 'expired', 'finished'))
      ) STRICT;
      CREATE INDEX session_history_user_ended ON session_history (user_id, ended_at);
      CREATE INDEX session_history_ended ON session_history (ended_at);
    `,
  },
  {
    version: 2,
    name: 'core_auth_sessions',
    up: `
      CREATE TABLE auth_sessions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX auth_sessions_expires ON auth_sessions (expires_at);
    `,
  },
  {
    // Roles admin, operator, viewer, device (was admin, user), a disabled flag and a token version
    // (bumped to revoke every JWT a user holds). Former `user` accounts become operators: they
    // could do everything but admin work before; signage's migration 101 then makes the accounts
    // that own a device `device` accounts.
    version: 3,
    name: 'core_user_roles_disabled_token_version',
    rebuildsTables: true,
    up: `
      CREATE TABLE users_v3 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer', 'device')),
        created_at TEXT NOT NULL,
        disabled_at TEXT,
        token_version INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      INSERT INTO users_v3 (id, username, password_hash, role, created_at)
        SELECT id, username, password_hash, CASE role WHEN 'admin' THEN 'admin' ELSE 'operator' END,
          created_at
        FROM users;
      DROP TABLE users;
      ALTER TABLE users_v3 RENAME TO users;
      CREATE INDEX auth_sessions_user ON auth_sessions (user_id);
      CREATE INDEX display_tokens_created_by ON display_tokens (created_by);
    `,
  },
];

/** Sorts the list and rejects duplicate or invalid versions before anything touches the file. */
export function orderMigrations(migrations: readonly Migration[]): Migration[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((migration, index) => {
    if (!Number.isSafeInteger(migration.version) || migration.version < 1) {
      throw new Error(`Migration "${migration.name}" has an invalid version ${migration.version}`);
    }
    const previous = sorted[index - 1];
    if (previous?.version === migration.version) {
      throw new Error(
        `Migrations "${previous.name}" and "${migration.name}" share version ${migration.version}`,
      );
    }
  });
  return sorted;
}

/**
 * Applies every migration not yet recorded in `schema_migrations`. `BEGIN IMMEDIATE` takes the
 * write lock before the check, so two processes opening the same file apply each version once.
 * Returns the versions applied by this call.
 */
export function applyMigrations(
  db: DatabaseSync,
  migrations: readonly Migration[],
  now: () => Date,
): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
  const find = db.prepare('SELECT name FROM schema_migrations WHERE version = ?');
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  const applied: number[] = [];
  for (const migration of orderMigrations(migrations)) {
    // Outside the transaction: inside one, SQLite ignores a change of foreign_keys.
    if (migration.rebuildsTables) db.exec('PRAGMA foreign_keys = OFF');
    try {
      if (applyOne(db, migration, { find, record }, now)) applied.push(migration.version);
    } catch (error) {
      if (migration.rebuildsTables) restoreForeignKeys(db);
      throw error;
    }
    if (migration.rebuildsTables) db.exec('PRAGMA foreign_keys = ON');
  }
  return applied;
}

/** One migration in its own `BEGIN IMMEDIATE` transaction; false when it was applied before. */
function applyOne(
  db: DatabaseSync,
  migration: Migration,
  sql: { readonly find: StatementSync; readonly record: StatementSync },
  now: () => Date,
): boolean {
  db.exec('BEGIN IMMEDIATE');
  try {
    const existing = sql.find.get(migration.version);
    if (existing !== undefined) {
      if (existing.name !== migration.name) {
        throw new Error(
          `Migration ${migration.version} is recorded as "${String(existing.name)}" but the code calls it "${migration.name}"`,
        );
      }
      db.exec('COMMIT');
      return false;
    }
    if (typeof migration.up === 'string') db.exec(migration.up);
    else migration.up(db);
    if (migration.rebuildsTables) assertForeignKeys(db, migration);
    sql.record.run(migration.version, migration.name, now().toISOString());
    db.exec('COMMIT');
    return true;
  } catch (error) {
    // Quietly: a failed ROLLBACK (SQLite rolled back itself on SQLITE_FULL) must not hide why.
    rollbackAll(db);
    throw error;
  }
}

/** Turns foreign keys back on after a failed migration without replacing its error. */
function restoreForeignKeys(db: DatabaseSync): void {
  try {
    db.exec('PRAGMA foreign_keys = ON');
  } catch {
    // The store is not opened after a failed migration (openSqliteStore closes it).
  }
}

function assertForeignKeys(db: DatabaseSync, migration: Migration): void {
  const broken = db.prepare('PRAGMA foreign_key_check').all();
  if (broken.length > 0) {
    throw new Error(
      `Migration ${migration.version} "${migration.name}" leaves ${broken.length} broken references, e.g. ${JSON.stringify(broken[0])}`,
    );
  }
}
