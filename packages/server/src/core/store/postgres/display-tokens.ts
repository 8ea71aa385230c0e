/** PostgreSQL implementation of DisplayTokensRepository; scopes are a JSON array column. */
import { type DisplayTokensRepository } from '../types';
import { COLUMNS, toToken } from '../sqlite/display-tokens';
import { text } from '../sqlite/statements';
import { type Queryable, changed, first, mapPgConstraints, returned, rows } from './engine';

export function postgresDisplayTokens(pool: Queryable): DisplayTokensRepository {
  const findOne = async (where: 'id' | 'token_hash', value: string) => {
    const row = await first(pool, `SELECT ${COLUMNS} FROM display_tokens WHERE ${where} = $1`, [
      value,
    ]);
    return row === undefined ? undefined : toToken(row);
  };
  return {
    create: async (token) =>
      toToken(
        await mapPgConstraints(
          () =>
            returned(
              pool,
              `INSERT INTO display_tokens (id, name, token_hash, scopes, created_by, created_at)
               VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
              [
                token.id,
                token.name,
                token.tokenHash,
                JSON.stringify(token.scopes),
                token.createdBy,
                token.createdAt,
              ],
            ),
          {
            conflict: `Display token "${token.id}" already exists`,
            missingReference: `No user with id ${token.createdBy}`,
          },
        ),
      ),
    idsCreatedBy: async (userId) =>
      (
        await rows(pool, 'SELECT id FROM display_tokens WHERE created_by = $1 ORDER BY id', [
          userId,
        ])
      ).map((row) => text(row, 'id')),
    list: async () =>
      (await rows(pool, `SELECT ${COLUMNS} FROM display_tokens ORDER BY created_at, id`)).map(
        toToken,
      ),
    findById: (id) => findOne('id', id),
    findByHash: (tokenHash) => findOne('token_hash', tokenHash),
    revoke: async (id, at) =>
      (await changed(
        pool,
        'UPDATE display_tokens SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2',
        [at, id],
      )) > 0,
    touch: async (id, at) => {
      await pool.query('UPDATE display_tokens SET last_used_at = $1 WHERE id = $2', [at, id]);
    },
  };
}
