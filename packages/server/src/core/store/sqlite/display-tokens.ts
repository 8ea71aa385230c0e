/** SQLite implementation of DisplayTokensRepository; scopes are a JSON array column. */
import { z } from 'zod';
import { type DisplayTokenRecord, type DisplayTokensRepository } from '../types';
import {
  type Row,
  type Statements,
  changes,
  mapConstraints,
  num,
  settle,
  text,
  textOrNull,
} from './statements';

export const COLUMNS =
  'id, name, token_hash, scopes, created_by, created_at, revoked_at, last_used_at';
const Scopes = z.array(z.string());

export function toToken(row: Row): DisplayTokenRecord {
  return {
    id: text(row, 'id'),
    name: text(row, 'name'),
    tokenHash: text(row, 'token_hash'),
    scopes: Scopes.parse(JSON.parse(text(row, 'scopes'))),
    createdBy: num(row, 'created_by'),
    createdAt: text(row, 'created_at'),
    revokedAt: textOrNull(row, 'revoked_at'),
    lastUsedAt: textOrNull(row, 'last_used_at'),
  };
}

export function sqliteDisplayTokens(sql: Statements): DisplayTokensRepository {
  const findOne = (where: string, value: string) => {
    const row = sql(`SELECT ${COLUMNS} FROM display_tokens WHERE ${where} = ?`).get(value);
    return row === undefined ? undefined : toToken(row);
  };
  return {
    create: (token) =>
      settle(() => {
        const row = mapConstraints(
          () =>
            sql(
              `INSERT INTO display_tokens (id, name, token_hash, scopes, created_by, created_at)
               VALUES (?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
            ).get(
              token.id,
              token.name,
              token.tokenHash,
              JSON.stringify(token.scopes),
              token.createdBy,
              token.createdAt,
            ),
          {
            conflict: `Display token "${token.id}" already exists`,
            missingReference: `No user with id ${token.createdBy}`,
          },
        );
        if (row === undefined) throw new Error('INSERT ... RETURNING returned no row');
        return toToken(row);
      }),
    idsCreatedBy: (userId) =>
      settle(() =>
        sql('SELECT id FROM display_tokens WHERE created_by = ? ORDER BY id')
          .all(userId)
          .map((row) => text(row, 'id')),
      ),
    list: () =>
      settle(() =>
        sql(`SELECT ${COLUMNS} FROM display_tokens ORDER BY created_at, id`).all().map(toToken),
      ),
    findById: (id) => settle(() => findOne('id', id)),
    findByHash: (tokenHash) => settle(() => findOne('token_hash', tokenHash)),
    revoke: (id, at) =>
      settle(() => {
        const result = sql(
          'UPDATE display_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?',
        ).run(at, id);
        return changes(result) > 0;
      }),
    touch: (id, at) =>
      settle(() => {
        sql('UPDATE display_tokens SET last_used_at = ? WHERE id = ?').run(at, id);
      }),
  };
}
