/** PostgreSQL implementation of AuthSessionsRepository (browser sign-ins, hashed cookie secrets). */
import { type AuthSessionsRepository } from '../types';
import { COLUMNS, toSession } from '../sqlite/auth-sessions';
import { type Queryable, changed, first, mapPgConstraints, returned } from './engine';

export function postgresAuthSessions(pool: Queryable): AuthSessionsRepository {
  return {
    create: async (session) =>
      toSession(
        await mapPgConstraints(
          () =>
            returned(
              pool,
              `INSERT INTO auth_sessions (user_id, token_hash, created_at, expires_at)
               VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
              [session.userId, session.tokenHash, session.createdAt, session.expiresAt],
            ),
          {
            conflict: 'A session with this token already exists',
            missingReference: `No user with id ${session.userId}`,
          },
        ),
      ),
    findByHash: async (tokenHash) => {
      const row = await first(pool, `SELECT ${COLUMNS} FROM auth_sessions WHERE token_hash = $1`, [
        tokenHash,
      ]);
      return row === undefined ? undefined : toSession(row);
    },
    deleteByHash: async (tokenHash) =>
      (await changed(pool, 'DELETE FROM auth_sessions WHERE token_hash = $1', [tokenHash])) > 0,
    deleteExpired: (at) => changed(pool, 'DELETE FROM auth_sessions WHERE expires_at <= $1', [at]),
    deleteForUser: (userId, exceptHash) =>
      changed(
        pool,
        'DELETE FROM auth_sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2',
        [userId, exceptHash ?? null],
      ),
  };
}
