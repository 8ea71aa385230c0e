/** SQLite devices repository: registration info as one JSON column, keyed by `sn_number`. */
import { protocol } from '@marquee/sdk';
import { type SignageDeviceRecord, type SignageDevicesRepository } from '../../signage-types';
import { type Row, type Statements, settle, text, textOrNull } from '../statements';
import { NumberList, intOrNull, json, type Transaction } from './shared';

const SELECT = `SELECT d.sn_number, d.info, d.owner_user_id, u.username AS owner_username,
  d.registered_at, d.updated_at, d.last_seen_at, d.current_playlist_id, d.ready_playlists,
  d.ready_playlists_at
  FROM signage_devices d LEFT JOIN users u ON u.id = d.owner_user_id`;

function toDevice(row: Row): SignageDeviceRecord {
  return {
    snNumber: text(row, 'sn_number'),
    info: json(row, 'info', protocol.signage.DeviceModel),
    ownerUserId: intOrNull(row, 'owner_user_id'),
    ownerUsername: textOrNull(row, 'owner_username'),
    registeredAt: text(row, 'registered_at'),
    updatedAt: text(row, 'updated_at'),
    lastSeenAt: textOrNull(row, 'last_seen_at'),
    currentPlaylistId: intOrNull(row, 'current_playlist_id'),
    readyPlaylists: json(row, 'ready_playlists', NumberList),
    readyPlaylistsAt: textOrNull(row, 'ready_playlists_at'),
  };
}

export function sqliteSignageDevices(sql: Statements, tx: Transaction): SignageDevicesRepository {
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
    list: () => settle(() => sql(`${SELECT} ORDER BY d.sn_number`).all().map(toDevice)),
    touch: (sn, at) =>
      settle(() => {
        sql('UPDATE signage_devices SET last_seen_at = ? WHERE sn_number = ?').run(at, sn);
      }),
    setReadyPlaylists: (sn, ids, at) =>
      settle(() => {
        sql(
          'UPDATE signage_devices SET ready_playlists = ?, ready_playlists_at = ? WHERE sn_number = ?',
        ).run(JSON.stringify(ids), at, sn);
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
