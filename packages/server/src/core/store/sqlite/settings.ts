/** SQLite implementation of SettingsRepository. */
import { type SettingsRepository } from '../types';
import { type Statements, settle, text } from './statements';

export function sqliteSettings(sql: Statements): SettingsRepository {
  return {
    get: (key) =>
      settle(() => {
        const row = sql('SELECT value FROM settings WHERE key = ?').get(key);
        return row === undefined ? undefined : text(row, 'value');
      }),
    set: (key, value) =>
      settle(() => {
        sql(
          'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        ).run(key, value);
      }),
    setIfAbsent: (key, value) =>
      settle(() => {
        // One statement, so every caller reads the first writer's value, even across processes.
        const row = sql(
          'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = value RETURNING value',
        ).get(key, value);
        if (row === undefined) throw new Error(`Setting "${key}" could not be stored`);
        return text(row, 'value');
      }),
  };
}
