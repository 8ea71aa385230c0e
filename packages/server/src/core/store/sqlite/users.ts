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
} from './statements';

const COLUMNS = 'id, username, password_hash, role, created_at';

function toRole(value: string): Role {
  if (value === 'admin' || value === 'user') return value;
  throw new Error(`Unknown role "${value}"`);
}

function toUser(row: Row): UserRecord {
  return {
    id: num(row, 'id'),
    username: text(row, 'username'),
    passwordHash: text(row, 'password_hash'),
    role: toRole(text(row, 'role')),
    createdAt: text(row, 'created_at'),
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
    list: () => settle(() => sql(`SELECT ${COLUMNS} FROM users ORDER BY id`).all().map(toUser)),
    setPassword: (id, passwordHash) =>
      settle(() => {
        const result = sql('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, id);
        if (changes(result) === 0) throw new MarqueeError('NOT_FOUND', `No user with id ${id}`);
      }),
  };
}
