/**
 * PostgreSQL devices repository: the SQLite one's records and rules (sqlite/devices.ts). A
 * registration is one `INSERT ... ON CONFLICT` (two instances registering the same new serial at
 * once both succeed, one creates); text keys sort with `COLLATE "C"`, byte order as in SQLite.
 */
import { type SignageDeviceFilter, type SignageDevicesRepository } from '../types';
import {
  type PostgresEngine,
  type Queryable,
  changed,
  first,
  returned,
  rows,
} from '../../../../core/store/postgres/engine';
import { num, text } from '../../../../core/store/sqlite/statements';
import { SELECT, toDevice } from '../sqlite/devices';

// lower() on both sides; strpos, not LIKE, so `_` and `%` are plain characters.
const FILTER = `WHERE ($1::text IS NULL
    OR strpos(lower(d.sn_number), lower($1)) > 0
    OR strpos(lower(d.info->>'brand'), lower($1)) > 0
    OR strpos(lower(d.info->>'model'), lower($1)) > 0
    OR strpos(lower(a.name), lower($1)) > 0)
  AND ($2::text[] IS NULL OR d.sn_number = ANY($2::text[]))
  AND ($3::text[] IS NULL OR NOT (d.sn_number = ANY($3::text[])))`;

function filterParams(filter: SignageDeviceFilter = {}): unknown[] {
  return [filter.search ?? null, filter.among ?? null, filter.except ?? null];
}

export function postgresSignageDevices(engine: PostgresEngine): SignageDevicesRepository {
  const { pool } = engine;
  const find = async (q: Queryable, sn: string) => {
    const row = await first(q, `${SELECT} WHERE d.sn_number = $1`, [sn]);
    return row === undefined ? undefined : toDevice(row);
  };
  return {
    upsert: (info, claimBy, at) =>
      engine.transaction(async (client) => {
        const row = await returned(
          client,
          `INSERT INTO signage_devices (sn_number, info, owner_user_id, registered_at, updated_at)
           VALUES ($1, $2, $3, $4, $4)
           ON CONFLICT (sn_number) DO UPDATE SET info = excluded.info,
             updated_at = excluded.updated_at,
             owner_user_id = coalesce(signage_devices.owner_user_id, excluded.owner_user_id)
           RETURNING (xmax = 0) AS created`,
          [info.sn_number, JSON.stringify(info), claimBy, at],
        );
        const device = await find(client, info.sn_number);
        if (device === undefined) throw new Error(`Device ${info.sn_number} vanished`);
        return { device, created: row.created === true };
      }),
    find: (sn) => find(pool, sn),
    list: async (filter, page = {}) =>
      (
        await rows(
          pool,
          `${SELECT} ${FILTER} ORDER BY d.sn_number COLLATE "C" LIMIT $4 OFFSET $5`,
          // LIMIT NULL: no limit.
          [...filterParams(filter), page.limit ?? null, page.offset ?? 0],
        )
      ).map(toDevice),
    count: async (filter) => {
      const row = await first(
        pool,
        `SELECT count(*) AS n FROM signage_devices d
         LEFT JOIN signage_device_accounts a ON a.sn_number = d.sn_number ${FILTER}`,
        filterParams(filter),
      );
      return row === undefined ? 0 : num(row, 'n');
    },
    delete: (sn) =>
      engine.transaction(async (client) => {
        // The screenshot rows go first so their paths come back from the delete itself (a shot
        // stored meanwhile cannot slip between a read and the cascade); the rest cascades.
        const screenshotPaths = (
          await rows(
            client,
            `WITH gone AS (DELETE FROM signage_screenshots WHERE sn_number = $1 RETURNING id, path)
             SELECT path FROM gone ORDER BY id`,
            [sn],
          )
        ).map((row) => text(row, 'path'));
        const deleted = await changed(client, 'DELETE FROM signage_devices WHERE sn_number = $1', [
          sn,
        ]);
        return deleted === 0 ? undefined : { screenshotPaths };
      }),
    setOwner: async (sn, userId) => {
      await pool.query('UPDATE signage_devices SET owner_user_id = $1 WHERE sn_number = $2', [
        userId,
        sn,
      ]);
    },
    touch: async (sn, at) => {
      await pool.query('UPDATE signage_devices SET last_seen_at = $1 WHERE sn_number = $2', [
        at,
        sn,
      ]);
    },
    setReadyPlaylists: async (sn, ids, at) => {
      await pool.query(
        'UPDATE signage_devices SET ready_playlists = $1, ready_playlists_at = $2 WHERE sn_number = $3',
        [JSON.stringify(ids), at, sn],
      );
    },
    setHealth: async (sn, report, at) => {
      await pool.query(
        'UPDATE signage_devices SET health = $1, health_at = $2 WHERE sn_number = $3',
        [JSON.stringify(report), at, sn],
      );
    },
    setCurrentPlaylist: async (sn, playlistId) => {
      // A deleted playlist cannot be current (the foreign key would refuse it): store null.
      await pool.query(
        `UPDATE signage_devices SET current_playlist_id =
           (SELECT id FROM signage_playlists WHERE id = $1) WHERE sn_number = $2`,
        [playlistId, sn],
      );
    },
    setLevel: async (sn, level, value, at) => {
      await pool.query(
        `UPDATE signage_devices SET info = jsonb_set(info::jsonb, $1::text[], to_jsonb($2::numeric))::json,
           updated_at = $3 WHERE sn_number = $4`,
        [[level], value, at, sn],
      );
    },
  };
}
