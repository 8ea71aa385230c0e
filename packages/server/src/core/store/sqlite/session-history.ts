/** SQLite implementation of SessionHistoryRepository (finished playback sessions, seed 000). */
import { type SQLInputValue } from 'node:sqlite';
import { type SessionHistoryRecord, type SessionHistoryRepository } from '../types';
import { type Row, type Statements, num, settle, text, textOrNull } from './statements';

export const COLUMNS = `id, session_id, user_id, username, title, media_type, path, started_at, ended_at,
  watched_seconds, end_reason`;

function toEndReason(value: string): SessionHistoryRecord['endReason'] {
  if (value === 'stopped' || value === 'expired' || value === 'finished') return value;
  throw new Error(`Unknown end reason "${value}"`);
}

export function toRecord(row: Row): SessionHistoryRecord {
  return {
    id: num(row, 'id'),
    sessionId: text(row, 'session_id'),
    userId: num(row, 'user_id'),
    username: text(row, 'username'),
    title: text(row, 'title'),
    mediaType: text(row, 'media_type'),
    path: textOrNull(row, 'path'),
    startedAt: text(row, 'started_at'),
    endedAt: text(row, 'ended_at'),
    watchedSeconds: num(row, 'watched_seconds'),
    endReason: toEndReason(text(row, 'end_reason')),
  };
}

export function sqliteSessionHistory(sql: Statements): SessionHistoryRepository {
  return {
    add: (record) =>
      settle(() => {
        const row = sql(
          `INSERT INTO session_history (session_id, user_id, username, title, media_type, path,
             started_at, ended_at, watched_seconds, end_reason)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
        ).get(
          record.sessionId,
          record.userId,
          record.username,
          record.title,
          record.mediaType,
          record.path,
          record.startedAt,
          record.endedAt,
          record.watchedSeconds,
          record.endReason,
        );
        if (row === undefined) throw new Error('INSERT ... RETURNING returned no row');
        return toRecord(row);
      }),
    list: (filter) =>
      settle(() => {
        // At most four SQL texts, each cached; (user_id, ended_at) serves the per-user pages.
        const where: string[] = [];
        const params: SQLInputValue[] = [];
        if (filter.userId !== undefined) {
          where.push('user_id = ?');
          params.push(filter.userId);
        }
        if (filter.before !== undefined) {
          where.push('ended_at < ?');
          params.push(filter.before);
        }
        params.push(Math.max(0, Math.floor(filter.limit)));
        const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
        return sql(
          `SELECT ${COLUMNS} FROM session_history ${clause} ORDER BY ended_at DESC, id DESC LIMIT ?`,
        )
          .all(...params)
          .map(toRecord);
      }),
  };
}
