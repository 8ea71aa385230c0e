/** PostgreSQL implementation of SettingsRepository. */
import { type SettingsRepository } from '../types';
import { text } from '../sqlite/statements';
import { type Queryable, first, returned } from './engine';

export function postgresSettings(pool: Queryable): SettingsRepository {
  return {
    get: async (key) => {
      const row = await first(pool, 'SELECT value FROM settings WHERE key = $1', [key]);
      return row === undefined ? undefined : text(row, 'value');
    },
    set: async (key, value) => {
      await pool.query(
        'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        [key, value],
      );
    },
    setIfAbsent: async (key, value) => {
      // One statement: a concurrent insert of the same key waits for the first to commit, then
      // takes the DO UPDATE branch, which keeps and answers the first writer's value.
      const row = await returned(
        pool,
        `INSERT INTO settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = settings.value RETURNING value`,
        [key, value],
      );
      return text(row, 'value');
    },
  };
}
