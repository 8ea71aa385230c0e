/**
 * Upgrading a database from before roles: core migration 3 rebuilds `users` (roles admin,
 * operator, viewer, device; disabled; token version) with foreign keys off, so nothing that
 * references a user is lost, and signage migration 101 turns the accounts that own a device into
 * device accounts. Built from a real file at the old schema (migrations 1, 2 and 100 only).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  applyMigrations,
  coreMigrations,
  openSqliteStore,
  sqliteEngineOf,
} from '../../src/core/store';
import { signageStore } from '../../src/surfaces/signage/store';
import { deviceBody } from '../signage/helpers';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'marquee-roles-'));
  path = join(dir, 'marquee.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const AT = '2025-01-01T00:00:00.000Z';

it('keeps every user, session, display token and device owner, and gives each the right role', async () => {
  const old = new DatabaseSync(path);
  old.exec('PRAGMA foreign_keys = ON');
  const before = [...coreMigrations.filter((m) => m.version < 3), ...signageStore.migrations];
  applyMigrations(
    old,
    before.filter((m) => m.version <= 100),
    () => new Date(AT),
  );
  const addUser = old.prepare(
    'INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)',
  );
  addUser.run('admin', 'h', 'admin', AT);
  addUser.run('player', 'h', 'user', AT);
  addUser.run('lobby-tv', 'h', 'user', AT);
  old
    .prepare(
      `INSERT INTO display_tokens (id, name, token_hash, scopes, created_by, created_at)
       VALUES ('d1', 'hall', 'x', '["gpu"]', 1, ?)`,
    )
    .run(AT);
  old
    .prepare(
      `INSERT INTO auth_sessions (user_id, token_hash, created_at, expires_at)
       VALUES (2, 'y', ?, '2099-01-01T00:00:00.000Z')`,
    )
    .run(AT);
  old
    .prepare(
      `INSERT INTO signage_devices (sn_number, info, owner_user_id, registered_at, updated_at)
       VALUES ('SN-1', ?, 3, ?, ?)`,
    )
    .run(JSON.stringify({ ...deviceBody('SN-1'), brightness: 50, volume: 50 }), AT, AT);
  old.close();

  const store = await openSqliteStore(path, { migrations: signageStore.migrations });
  try {
    expect((await store.users.list()).map((u) => [u.username, u.role, u.tokenVersion])).toEqual([
      ['admin', 'admin', 0],
      ['player', 'operator', 0],
      ['lobby-tv', 'device', 0],
    ]);
    expect(await store.displayTokens.idsCreatedBy(1)).toEqual(['d1']);
    expect(await store.authSessions.findByHash('y')).toMatchObject({ userId: 2 });
    const signage = signageStore.open(store.engine);
    expect(await signage.devices.find('SN-1')).toMatchObject({
      ownerUserId: 3,
      ownerUsername: 'lobby-tv',
    });
    const { db } = sqliteEngineOf(store);
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    expect(db.prepare('PRAGMA foreign_keys').get()).toEqual({ foreign_keys: 1 });
    // References still point at `users`, and still cascade: deleting the user takes its session.
    expect(await store.users.remove(2)).toBe(true);
    expect(await store.authSessions.findByHash('y')).toBeUndefined();
    // The new CHECK holds.
    expect(() =>
      db
        .prepare('INSERT INTO users (username, password_hash, role, created_at) VALUES (?,?,?,?)')
        .run('z', 'h', 'user', AT),
    ).toThrow(/CHECK/);
  } finally {
    await store.close();
  }
});
