/**
 * SQLite devices repository: registration info as one JSON column, keyed by `sn_number`. Lists
 * and counts share one WHERE clause with optional named parameters (a NULL one is no filter), so
 * each is one prepared statement whatever the filter, paged with LIMIT/OFFSET in SQL.
 */
import { protocol } from '@marquee/sdk';
import * as z from 'zod/mini';
import {
  type SignageDeviceFilter,
  type SignageDeviceRecord,
  type SignageDevicesRepository,
} from '../types';
import {
  type Row,
  type Statements,
  changes,
  num,
  settle,
  text,
  textOrNull,
} from '../../../../core/store/sqlite/statements';
import { NumberList, intOrNull, json, type Transaction } from './shared';

export const SELECT = `SELECT d.sn_number, d.info, d.owner_user_id, u.username AS owner_username,
  a.name, d.registered_at, d.updated_at, d.last_seen_at, d.current_playlist_id,
  d.ready_playlists, d.ready_playlists_at, d.health, d.health_at
  FROM signage_devices d LEFT JOIN users u ON u.id = d.owner_user_id
  LEFT JOIN signage_device_accounts a ON a.sn_number = d.sn_number`;

// lower() folds ASCII letters only; applied to both sides, so matching is consistent.
const FILTER = `WHERE (:search IS NULL
    OR instr(lower(d.sn_number), lower(:search)) > 0
    OR instr(lower(json_extract(d.info, '$.brand')), lower(:search)) > 0
    OR instr(lower(json_extract(d.info, '$.model')), lower(:search)) > 0
    OR instr(lower(a.name), lower(:search)) > 0)
  AND (:among IS NULL OR d.sn_number IN (SELECT value FROM json_each(:among)))
  AND (:except IS NULL OR d.sn_number NOT IN (SELECT value FROM json_each(:except)))`;

/** The named parameters of FILTER. */
function filterParams(filter: SignageDeviceFilter = {}) {
  const list = (sns: readonly string[] | undefined) =>
    sns === undefined ? null : JSON.stringify(sns);
  return {
    search: filter.search ?? null,
    among: list(filter.among),
    except: list(filter.except),
  };
}

export function toDevice(row: Row): SignageDeviceRecord {
  return {
    snNumber: text(row, 'sn_number'),
    info: json(row, 'info', protocol.signage.DeviceModel),
    ownerUserId: intOrNull(row, 'owner_user_id'),
    ownerUsername: textOrNull(row, 'owner_username'),
    name: textOrNull(row, 'name'),
    registeredAt: text(row, 'registered_at'),
    updatedAt: text(row, 'updated_at'),
    lastSeenAt: textOrNull(row, 'last_seen_at'),
    currentPlaylistId: intOrNull(row, 'current_playlist_id'),
    readyPlaylists: json(row, 'ready_playlists', NumberList),
    readyPlaylistsAt: textOrNull(row, 'ready_playlists_at'),
    health: healthOf(row),
  };
}

const HealthReport = z.omit(protocol.signage.HealthMessage, { type: true });

function healthOf(row: Row): SignageDeviceRecord['health'] {
  const at = textOrNull(row, 'health_at');
  if (at === null || row['health'] === null) return null;
  return { report: json(row, 'health', HealthReport), at };
}

/** The device writes a device's socket makes, synchronous so a caller's transaction holds them. */
export interface DeviceStateWrites {
  /** `last_seen_at`; false when there is no such device. */
  touch(sn: string, at: string): boolean;
  setReadyPlaylists(sn: string, ids: readonly number[], at: string): boolean;
}

export function deviceStateWrites(sql: Statements): DeviceStateWrites {
  return {
    touch: (sn, at) =>
      changes(sql('UPDATE signage_devices SET last_seen_at = ? WHERE sn_number = ?').run(at, sn)) >
      0,
    setReadyPlaylists: (sn, ids, at) =>
      changes(
        sql(
          'UPDATE signage_devices SET ready_playlists = ?, ready_playlists_at = ? WHERE sn_number = ?',
        ).run(JSON.stringify(ids), at, sn),
      ) > 0,
  };
}

export function sqliteSignageDevices(sql: Statements, tx: Transaction): SignageDevicesRepository {
  const writes = deviceStateWrites(sql);
  const find = (sn: string) => {
    const row = sql(`${SELECT} WHERE d.sn_number = ?`).get(sn);
    return row === undefined ? undefined : toDevice(row);
  };
  const found = (sn: string) => {
    const device = find(sn);
    if (device === undefined) throw new Error(`Device ${sn} vanished`);
    return device;
  };
  return {
    upsert: (info, claimBy, at) =>
      settle(() =>
        tx(() => {
          const existing = sql('SELECT 1 FROM signage_devices WHERE sn_number = ?').get(
            info.sn_number,
          );
          if (existing === undefined) {
            sql(
              `INSERT INTO signage_devices (sn_number, info, owner_user_id, registered_at, updated_at)
               VALUES (?, ?, ?, ?, ?)`,
            ).run(info.sn_number, JSON.stringify(info), claimBy, at, at);
          } else {
            sql(
              `UPDATE signage_devices
               SET info = ?, updated_at = ?, owner_user_id = coalesce(owner_user_id, ?)
               WHERE sn_number = ?`,
            ).run(JSON.stringify(info), at, claimBy, info.sn_number);
          }
          return { device: found(info.sn_number), created: existing === undefined };
        }),
      ),
    find: (sn) => settle(() => find(sn)),
    list: (filter, page = {}) =>
      settle(() =>
        sql(`${SELECT} ${FILTER} ORDER BY d.sn_number LIMIT :limit OFFSET :offset`)
          // LIMIT -1: no limit.
          .all({ ...filterParams(filter), limit: page.limit ?? -1, offset: page.offset ?? 0 })
          .map(toDevice),
      ),
    count: (filter) =>
      settle(() => {
        const row = sql(
          `SELECT count(*) AS n FROM signage_devices d
           LEFT JOIN signage_device_accounts a ON a.sn_number = d.sn_number ${FILTER}`,
        ).get(filterParams(filter));
        return row === undefined ? 0 : num(row, 'n');
      }),
    delete: (sn) =>
      settle(() =>
        tx(() => {
          const screenshotPaths = sql(
            'SELECT path FROM signage_screenshots WHERE sn_number = ? ORDER BY id',
          )
            .all(sn)
            .map((row) => text(row, 'path'));
          // Its screens (with their playlist lists), reports, commands and screenshot rows go
          // with it: every table keyed by sn_number references the device ON DELETE CASCADE.
          const deleted = sql('DELETE FROM signage_devices WHERE sn_number = ?').run(sn);
          return changes(deleted) === 0 ? undefined : { screenshotPaths };
        }),
      ),
    setOwner: (sn, userId) =>
      settle(() => {
        sql('UPDATE signage_devices SET owner_user_id = ? WHERE sn_number = ?').run(userId, sn);
      }),
    touch: (sn, at) =>
      settle(() => {
        writes.touch(sn, at);
      }),
    setReadyPlaylists: (sn, ids, at) =>
      settle(() => {
        writes.setReadyPlaylists(sn, ids, at);
      }),
    setHealth: (sn, report, at) =>
      settle(() => {
        sql('UPDATE signage_devices SET health = ?, health_at = ? WHERE sn_number = ?').run(
          JSON.stringify(report),
          at,
          sn,
        );
      }),
    setCurrentPlaylist: (sn, playlistId) =>
      settle(() => {
        // A deleted playlist cannot be current (the foreign key would refuse it): store null.
        sql(
          `UPDATE signage_devices SET current_playlist_id =
             (SELECT id FROM signage_playlists WHERE id = ?) WHERE sn_number = ?`,
        ).run(playlistId, sn);
      }),
    setLevel: (sn, level, value, at) =>
      settle(() => {
        sql(
          `UPDATE signage_devices SET info = json_set(info, '$.${level}', ?), updated_at = ?
           WHERE sn_number = ?`,
        ).run(value, at, sn);
      }),
  };
}
