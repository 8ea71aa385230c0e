/** PostgreSQL implementation of SessionHistoryRepository (finished playback sessions, seed 000). */
import { type SessionHistoryRepository } from '../types';
import { COLUMNS, toRecord } from '../sqlite/session-history';
import { type Queryable, returned, rows } from './engine';

export function postgresSessionHistory(pool: Queryable): SessionHistoryRepository {
  return {
    add: async (record) =>
      toRecord(
        await returned(
          pool,
          `INSERT INTO session_history (session_id, user_id, username, title, media_type, path,
             started_at, ended_at, watched_seconds, end_reason)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
          [
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
          ],
        ),
      ),
    list: async (filter) =>
      // One SQL text: a NULL parameter is no filter; (user_id, ended_at) serves per-user pages.
      (
        await rows(
          pool,
          `SELECT ${COLUMNS} FROM session_history
           WHERE ($1::bigint IS NULL OR user_id = $1) AND ($2::text IS NULL OR ended_at < $2)
           ORDER BY ended_at DESC, id DESC LIMIT $3`,
          [filter.userId ?? null, filter.before ?? null, Math.max(0, Math.floor(filter.limit))],
        )
      ).map(toRecord),
  };
}
