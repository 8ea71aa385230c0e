/**
 * The PostgreSQL store, selected by `MARQUEE_DATABASE_URL`: the same repositories and records as
 * the embedded SQLite store, for a fleet that outgrows one machine or several instances sharing
 * one database. A bounded pool (`max` connections; callers beyond wait), migrations applied at
 * open under an advisory lock (postgres/migrations.ts).
 */
import { type Migration, coreMigrations } from './migrations';
import { postgresAuthSessions } from './postgres/auth-sessions';
import { postgresDisplayTokens } from './postgres/display-tokens';
import { createPool, postgresEngine } from './postgres/engine';
import { applyPostgresMigrations } from './postgres/migrations';
import { postgresSessionHistory } from './postgres/session-history';
import { postgresSettings } from './postgres/settings';
import { postgresUsers } from './postgres/users';
import { type Store } from './types';

export interface PostgresStoreOptions {
  /** Clock for `created_at` columns the store fills in itself. @default () => new Date() */
  now?: () => Date;
  /** Migrations merged by version with `coreMigrations` (the mounted surfaces'). @default [] */
  migrations?: readonly Migration[];
  /** Connections the pool opens at most. @default 10 */
  maxConnections?: number;
}

/** Connects to `url`, applies pending migrations and returns the store. */
export async function openPostgresStore(
  url: string,
  opts: PostgresStoreOptions = {},
): Promise<Store> {
  const now = opts.now ?? (() => new Date());
  const pool = createPool(url, { max: opts.maxConnections });
  const engine = postgresEngine(pool);
  try {
    await applyPostgresMigrations(engine, [...coreMigrations, ...(opts.migrations ?? [])], now);
  } catch (error) {
    await pool.end();
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    kind: 'postgres',
    engine,
    settings: postgresSettings(pool),
    users: postgresUsers(engine, now),
    displayTokens: postgresDisplayTokens(pool),
    sessionHistory: postgresSessionHistory(pool),
    authSessions: postgresAuthSessions(pool),
    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}
