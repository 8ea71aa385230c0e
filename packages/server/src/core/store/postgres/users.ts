/**
 * PostgreSQL implementation of UsersRepository. User names are unique ignoring case through a
 * unique index on `lower(username)` (SQLite's COLLATE NOCASE). The last-admin guard is part of
 * the write, as on SQLite, and the write first takes a transaction-scoped advisory lock: under
 * READ COMMITTED two transactions demoting the last two admins would otherwise each count the
 * other still active. SQLite gets the same order from its single writer.
 */
import { MarqueeError } from '@marquee/sdk';
import { type UsersRepository } from '../types';
import { COLUMNS, LAST_ADMIN, lastAdminConflict, toUser } from '../sqlite/users';
import { num } from '../sqlite/statements';
import {
  type PostgresEngine,
  type Queryable,
  changed,
  first,
  mapPgConstraints,
  returned,
  rows,
} from './engine';

/** Advisory lock key serialising writes that may remove the last active admin ("admins"). */
const ADMINS_LOCK_KEY = 0x61646d696e73;

export function postgresUsers(engine: PostgresEngine, now: () => Date): UsersRepository {
  const { pool } = engine;
  const byId = (q: Queryable, id: number) =>
    first(q, `SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  const lockAdmins = (q: Queryable) =>
    q.query('SELECT pg_advisory_xact_lock($1)', [ADMINS_LOCK_KEY]);
  return {
    count: async () => {
      const row = await first(pool, 'SELECT count(*) AS n FROM users');
      return row === undefined ? 0 : num(row, 'n');
    },
    create: async (user) =>
      toUser(
        await mapPgConstraints(
          () =>
            returned(
              pool,
              `INSERT INTO users (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4)
               RETURNING ${COLUMNS}`,
              [user.username, user.passwordHash, user.role, now().toISOString()],
            ),
          { conflict: `User name "${user.username}" is already taken` },
        ),
      ),
    findById: async (id) => {
      const row = await byId(pool, id);
      return row === undefined ? undefined : toUser(row);
    },
    findByUsername: async (username) => {
      const row = await first(
        pool,
        `SELECT ${COLUMNS} FROM users WHERE lower(username) = lower($1)`,
        [username],
      );
      return row === undefined ? undefined : toUser(row);
    },
    list: async (filter = {}) =>
      (
        await rows(
          pool,
          `SELECT ${COLUMNS} FROM users WHERE $1::text IS NULL OR role = $1 ORDER BY id`,
          [filter.role ?? null],
        )
      ).map(toUser),
    setPassword: async (id, passwordHash) => {
      const count = await changed(pool, 'UPDATE users SET password_hash = $1 WHERE id = $2', [
        passwordHash,
        id,
      ]);
      if (count === 0) throw new MarqueeError('NOT_FOUND', `No user with id ${id}`);
    },
    update: (id, { role, passwordHash, disabledAt }) =>
      engine.transaction(async (client) => {
        const losesAdmin =
          (role !== undefined && role !== 'admin') || typeof disabledAt === 'string';
        if (losesAdmin) await lockAdmins(client);
        const row = await first(
          client,
          `UPDATE users SET
             role = coalesce($2, role),
             password_hash = coalesce($3, password_hash),
             disabled_at = CASE WHEN $4 THEN $5 ELSE disabled_at END,
             token_version = token_version + 1
           WHERE id = $1 AND NOT ($6 AND ${LAST_ADMIN})
           RETURNING ${COLUMNS}`,
          [
            id,
            role ?? null,
            passwordHash ?? null,
            disabledAt !== undefined,
            disabledAt ?? null,
            losesAdmin,
          ],
        );
        if (row !== undefined) return toUser(row);
        lastAdminConflict(await byId(client, id));
        return undefined;
      }),
    remove: (id) =>
      engine.transaction(async (client) => {
        await lockAdmins(client);
        const removed = await changed(
          client,
          `DELETE FROM users WHERE id = $1 AND NOT ${LAST_ADMIN}`,
          [id],
        );
        if (removed > 0) return true;
        lastAdminConflict(await byId(client, id));
        return false;
      }),
  };
}
