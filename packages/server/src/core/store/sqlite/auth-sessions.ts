/** SQLite implementation of AuthSessionsRepository (browser sign-ins, hashed cookie secrets). */
import { type AuthSessionRecord, type AuthSessionsRepository } from '../types';
import {
  type Row,
  type Statements,
  changes,
  mapConstraints,
  num,
  settle,
  text,
} from './statements';

export const COLUMNS = 'id, user_id, token_hash, created_at, expires_at';

export function toSession(row: Row): AuthSessionRecord {
  return {
    id: num(row, 'id'),
    userId: num(row, 'user_id'),
    tokenHash: text(row, 'token_hash'),
    createdAt: text(row, 'created_at'),
    expiresAt: text(row, 'expires_at'),
  };
}

export function sqliteAuthSessions(sql: Statements): AuthSessionsRepository {
  return {
    create: (session) =>
      settle(() => {
        const row = mapConstraints(
          () =>
            sql(
              `INSERT INTO auth_sessions (user_id, token_hash, created_at, expires_at)
               VALUES (?, ?, ?, ?) RETURNING ${COLUMNS}`,
            ).get(session.userId, session.tokenHash, session.createdAt, session.expiresAt),
          {
            conflict: 'A session with this token already exists',
            missingReference: `No user with id ${session.userId}`,
          },
        );
        if (row === undefined) throw new Error('INSERT ... RETURNING returned no row');
        return toSession(row);
      }),
    findByHash: (tokenHash) =>
      settle(() => {
        const row = sql(`SELECT ${COLUMNS} FROM auth_sessions WHERE token_hash = ?`).get(tokenHash);
        return row === undefined ? undefined : toSession(row);
      }),
    deleteByHash: (tokenHash) =>
      settle(
        () => changes(sql('DELETE FROM auth_sessions WHERE token_hash = ?').run(tokenHash)) > 0,
      ),
    deleteExpired: (at) =>
      settle(() => changes(sql('DELETE FROM auth_sessions WHERE expires_at <= ?').run(at))),
    deleteForUser: (userId, exceptHash) =>
      settle(() =>
        changes(
          sql('DELETE FROM auth_sessions WHERE user_id = ? AND token_hash IS NOT ?').run(
            userId,
            exceptHash ?? null,
          ),
        ),
      ),
  };
}
