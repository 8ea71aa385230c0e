/** SQLite pairings and device-account bindings (migration 102). */
import {
  changes,
  mapConstraints,
  num,
  settle,
  text,
  textOrNull,
  type Row,
  type Statements,
} from '../../../../core/store/sqlite/statements';
import type {
  SignageDeviceAccountRecord,
  SignageDeviceAccountsRepository,
  SignagePairingRecord,
  SignagePairingsRepository,
} from '../types';
import { intOrNull } from './shared';

export const PAIRING = `SELECT id, code, secret_hash, sn_hint, hint, ip, created_at, expires_at,
  approved_user_id, approved_sn FROM signage_pairings`;

export function toPairing(row: Row): SignagePairingRecord {
  const userId = intOrNull(row, 'approved_user_id');
  const snNumber = textOrNull(row, 'approved_sn');
  return {
    id: text(row, 'id'),
    code: text(row, 'code'),
    secretHash: text(row, 'secret_hash'),
    snHint: textOrNull(row, 'sn_hint'),
    hint: textOrNull(row, 'hint'),
    ip: text(row, 'ip'),
    createdAt: text(row, 'created_at'),
    expiresAt: text(row, 'expires_at'),
    approval: userId === null || snNumber === null ? null : { userId, snNumber },
  };
}

const PENDING = 'approved_user_id IS NULL AND expires_at > ?';

export function sqliteSignagePairings(sql: Statements): SignagePairingsRepository {
  return {
    create: (record) =>
      settle(() => {
        mapConstraints(
          () =>
            sql(
              `INSERT INTO signage_pairings
                 (id, code, secret_hash, sn_hint, hint, ip, created_at, expires_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
            ).run(
              record.id,
              record.code,
              record.secretHash,
              record.snHint,
              record.hint,
              record.ip,
              record.createdAt,
              record.expiresAt,
            ),
          { conflict: 'The pairing code is taken' },
        );
      }),
    findById: (id) =>
      settle(() => {
        const row = sql(`${PAIRING} WHERE id = ?`).get(id);
        return row === undefined ? undefined : toPairing(row);
      }),
    findPending: (code, at) =>
      settle(() => {
        const row = sql(`${PAIRING} WHERE code = ? AND ${PENDING}`).get(code, at);
        return row === undefined ? undefined : toPairing(row);
      }),
    listPending: (at) =>
      settle(() =>
        sql(`${PAIRING} WHERE ${PENDING} ORDER BY created_at, id`).all(at).map(toPairing),
      ),
    countPending: (at) =>
      settle(() => {
        const row = sql(`SELECT count(*) AS n FROM signage_pairings WHERE ${PENDING}`).get(at);
        return row === undefined ? 0 : num(row, 'n');
      }),
    approve: (id, { userId, snNumber }) =>
      settle(() => {
        sql('UPDATE signage_pairings SET approved_user_id = ?, approved_sn = ? WHERE id = ?').run(
          userId,
          snNumber,
          id,
        );
      }),
    delete: (id) =>
      settle(() => changes(sql('DELETE FROM signage_pairings WHERE id = ?').run(id)) > 0),
    deleteExpired: (at) =>
      settle(() => changes(sql('DELETE FROM signage_pairings WHERE expires_at <= ?').run(at))),
  };
}

export function toAccount(row: Row): SignageDeviceAccountRecord {
  return {
    userId: num(row, 'user_id'),
    snNumber: text(row, 'sn_number'),
    name: text(row, 'name'),
    pairedAt: text(row, 'paired_at'),
  };
}

export const ACCOUNT = 'SELECT user_id, sn_number, name, paired_at FROM signage_device_accounts';

export function sqliteSignageDeviceAccounts(sql: Statements): SignageDeviceAccountsRepository {
  return {
    findBySerial: (sn) =>
      settle(() => {
        const row = sql(`${ACCOUNT} WHERE sn_number = ?`).get(sn);
        return row === undefined ? undefined : toAccount(row);
      }),
    findByUser: (userId) =>
      settle(() => {
        const row = sql(`${ACCOUNT} WHERE user_id = ?`).get(userId);
        return row === undefined ? undefined : toAccount(row);
      }),
    bind: ({ userId, snNumber, name, pairedAt }) =>
      settle(() => {
        // REPLACE drops whichever row held the serial or the user first: one binding each.
        sql(
          'INSERT OR REPLACE INTO signage_device_accounts (user_id, sn_number, name, paired_at) VALUES (?, ?, ?, ?)',
        ).run(userId, snNumber, name, pairedAt);
      }),
  };
}
