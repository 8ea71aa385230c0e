/** SQLite implementation of UsersRepository; user names are unique ignoring case (NOCASE). */
import { MarqueeError } from '@marquee/sdk';
import { type Role, type UserRecord, type UsersRepository } from '../types';
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

export const COLUMNS = 'id, username, password_hash, role, created_at, disabled_at, token_version';

const ROLES: readonly Role[] = ['admin', 'operator', 'viewer', 'device'];

/**
 * True for the row of the last active admin. Checked inside the write itself, so two requests
 * demoting the last two admins at once cannot both pass a check made before.
 */
export const LAST_ADMIN = `(role = 'admin' AND disabled_at IS NULL
  AND (SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL) <= 1)`;

/** After a guarded write changed nothing: CONFLICT when the user exists (it was the last admin). */
export function lastAdminConflict(row: Row | undefined): void {
  if (row !== undefined) {
    throw new MarqueeError('CONFLICT', `${text(row, 'username')} is the last active admin`);
  }
}

function toRole(value: string): Role {
  const role = ROLES.find((r) => r === value);
  if (role === undefined) throw new Error(`Unknown role "${value}"`);
  return role;
}

export function toUser(row: Row): UserRecord {
  return {
    id: num(row, 'id'),
    username: text(row, 'username'),
    passwordHash: text(row, 'password_hash'),
    role: toRole(text(row, 'role')),
    createdAt: text(row, 'created_at'),
    disabledAt: textOrNull(row, 'disabled_at'),
    tokenVersion: num(row, 'token_version'),
  };
}

export function sqliteUsers(sql: Statements, now: () => Date): UsersRepository {
  const byId = (id: number) => sql(`SELECT ${COLUMNS} FROM users WHERE id = ?`).get(id);
  return {
    count: () =>
      settle(() => {
        const row = sql('SELECT count(*) AS n FROM users').get();
        return row === undefined ? 0 : num(row, 'n');
      }),
    create: (user) =>
      settle(() => {
        const row = mapConstraints(
          () =>
            sql(
              `INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?) RETURNING ${COLUMNS}`,
            ).get(user.username, user.passwordHash, user.role, now().toISOString()),
          { conflict: `User name "${user.username}" is already taken` },
        );
        if (row === undefined) throw new Error('INSERT ... RETURNING returned no row');
        return toUser(row);
      }),
    findById: (id) =>
      settle(() => {
        const row = byId(id);
        return row === undefined ? undefined : toUser(row);
      }),
    findByUsername: (username) =>
      settle(() => {
        const row = sql(`SELECT ${COLUMNS} FROM users WHERE username = ?`).get(username);
        return row === undefined ? undefined : toUser(row);
      }),
    list: (filter = {}) =>
      settle(() =>
        sql(`SELECT ${COLUMNS} FROM users WHERE ? IS NULL OR role = ? ORDER BY id`)
          .all(filter.role ?? null, filter.role ?? null)
          .map(toUser),
      ),
    setPassword: (id, passwordHash) =>
      settle(() => {
        const result = sql('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, id);
        if (changes(result) === 0) throw new MarqueeError('NOT_FOUND', `No user with id ${id}`);
      }),
    update: (id, { role, passwordHash, disabledAt }) =>
      settle(() => {
        const losesAdmin =
          (role !== undefined && role !== 'admin') || typeof disabledAt === 'string';
        // A NULL parameter keeps the column, except disabled_at, which NULL clears: its own flag.
        const row = sql(
          `UPDATE users SET
             role = coalesce(:role, role),
             password_hash = coalesce(:hash, password_hash),
             disabled_at = CASE WHEN :setDisabled THEN :disabledAt ELSE disabled_at END,
             token_version = token_version + 1
           WHERE id = :id AND NOT (:losesAdmin AND ${LAST_ADMIN})
           RETURNING ${COLUMNS}`,
        ).get({
          id,
          role: role ?? null,
          hash: passwordHash ?? null,
          setDisabled: disabledAt === undefined ? 0 : 1,
          disabledAt: disabledAt ?? null,
          losesAdmin: losesAdmin ? 1 : 0,
        });
        if (row !== undefined) return toUser(row);
        lastAdminConflict(byId(id));
        return undefined;
      }),
    remove: (id) =>
      settle(() => {
        const removed = changes(
          sql(`DELETE FROM users WHERE id = ? AND NOT ${LAST_ADMIN}`).run(id),
        );
        if (removed > 0) return true;
        lastAdminConflict(byId(id));
        return false;
      }),
  };
}
