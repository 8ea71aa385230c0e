/** PostgreSQL pairings and device-account bindings (migration 102). */
import type { SignageDeviceAccountsRepository, SignagePairingsRepository } from '../types';
import {
  type PostgresEngine,
  type Queryable,
  changed,
  first,
  mapPgConstraints,
  rows,
} from '../../../../core/store/postgres/engine';
import { num } from '../../../../core/store/sqlite/statements';
import { ACCOUNT, PAIRING, toAccount, toPairing } from '../sqlite/pairings';

const PENDING = 'approved_user_id IS NULL AND expires_at > $1';

export function postgresSignagePairings(pool: Queryable): SignagePairingsRepository {
  return {
    create: async (record) => {
      await mapPgConstraints(
        () =>
          pool.query(
            `INSERT INTO signage_pairings
               (id, code, secret_hash, sn_hint, hint, ip, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
            [
              record.id,
              record.code,
              record.secretHash,
              record.snHint,
              record.hint,
              record.ip,
              record.createdAt,
              record.expiresAt,
            ],
          ),
        { conflict: 'The pairing code is taken' },
      );
    },
    findById: async (id) => {
      const row = await first(pool, `${PAIRING} WHERE id = $1`, [id]);
      return row === undefined ? undefined : toPairing(row);
    },
    findPending: async (code, at) => {
      const row = await first(pool, `${PAIRING} WHERE ${PENDING} AND code = $2`, [at, code]);
      return row === undefined ? undefined : toPairing(row);
    },
    listPending: async (at) =>
      (
        await rows(pool, `${PAIRING} WHERE ${PENDING} ORDER BY created_at, id COLLATE "C"`, [at])
      ).map(toPairing),
    countPending: async (at) => {
      const row = await first(pool, `SELECT count(*) AS n FROM signage_pairings WHERE ${PENDING}`, [
        at,
      ]);
      return row === undefined ? 0 : num(row, 'n');
    },
    approve: async (id, { userId, snNumber }) => {
      await pool.query(
        'UPDATE signage_pairings SET approved_user_id = $1, approved_sn = $2 WHERE id = $3',
        [userId, snNumber, id],
      );
    },
    delete: async (id) =>
      (await changed(pool, 'DELETE FROM signage_pairings WHERE id = $1', [id])) > 0,
    deleteExpired: (at) =>
      changed(pool, 'DELETE FROM signage_pairings WHERE expires_at <= $1', [at]),
  };
}

export function postgresSignageDeviceAccounts(
  engine: PostgresEngine,
): SignageDeviceAccountsRepository {
  const { pool } = engine;
  const findBy = async (column: 'sn_number' | 'user_id', value: string | number) => {
    const row = await first(pool, `${ACCOUNT} WHERE ${column} = $1`, [value]);
    return row === undefined ? undefined : toAccount(row);
  };
  return {
    findBySerial: (sn) => findBy('sn_number', sn),
    findByUser: (userId) => findBy('user_id', userId),
    bind: ({ userId, snNumber, name, pairedAt }) =>
      engine.transaction(async (client) => {
        // SQLite's INSERT OR REPLACE: whichever row held the serial or the user goes first.
        await client.query(
          'DELETE FROM signage_device_accounts WHERE user_id = $1 OR sn_number = $2',
          [userId, snNumber],
        );
        await client.query(
          'INSERT INTO signage_device_accounts (user_id, sn_number, name, paired_at) VALUES ($1, $2, $3, $4)',
          [userId, snNumber, name, pairedAt],
        );
      }),
  };
}
