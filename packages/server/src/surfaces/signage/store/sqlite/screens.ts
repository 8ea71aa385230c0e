/**
 * SQLite screens repository: up to four screens per device (front/back/right/left), each with
 * an ordered list of playlists. `put` keeps a screen's id when it is replaced, so `screen_id`
 * stays stable for devices.
 */
import { protocol } from '@marquee/sdk';
import { type SignageScreenRecord, type SignageScreensRepository } from '../types';
import {
  type Row,
  type Statements,
  changes,
  num,
  settle,
  text,
} from '../../../../core/store/sqlite/statements';
import { intOrNull, json, NumberList, type Transaction } from './shared';

const SELECT = `SELECT s.id, s.sn_number, s.position, s.screen_name, s.resolution,
  s.current_playlist_id, s.updated_at,
  (SELECT json_group_array(playlist_id) FROM
    (SELECT playlist_id FROM signage_screen_playlists WHERE screen_id = s.id ORDER BY position)
  ) AS playlist_ids
  FROM signage_screens s`;

/** Screens in the order DeviceScreens lists them. */
export const POSITION_ORDER = `CASE s.position WHEN 'front' THEN 0 WHEN 'back' THEN 1 WHEN 'right' THEN 2 ELSE 3 END`;

export function toScreen(row: Row): SignageScreenRecord {
  return {
    id: num(row, 'id'),
    snNumber: text(row, 'sn_number'),
    position: protocol.signage.ScreenPosition.parse(text(row, 'position')),
    screenName: text(row, 'screen_name'),
    resolution: text(row, 'resolution'),
    playlistIds: json(row, 'playlist_ids', NumberList),
    currentPlaylistId: intOrNull(row, 'current_playlist_id'),
    updatedAt: text(row, 'updated_at'),
  };
}

export function sqliteSignageScreens(sql: Statements, tx: Transaction): SignageScreensRepository {
  const findAt = (sn: string, position: string) => {
    const row = sql(`${SELECT} WHERE s.sn_number = ? AND s.position = ?`).get(sn, position);
    return row === undefined ? undefined : toScreen(row);
  };
  return {
    put: (screen, at) =>
      settle(() =>
        tx(() => {
          const row = sql(
            `INSERT INTO signage_screens
               (sn_number, position, screen_name, resolution, current_playlist_id, updated_at)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (sn_number, position) DO UPDATE SET screen_name = excluded.screen_name,
               resolution = excluded.resolution, current_playlist_id = excluded.current_playlist_id,
               updated_at = excluded.updated_at
             RETURNING id`,
          ).get(
            screen.snNumber,
            screen.position,
            screen.screenName,
            screen.resolution,
            screen.currentPlaylistId,
            at,
          );
          if (row === undefined) throw new Error('INSERT ... RETURNING returned no row');
          const id = num(row, 'id');
          sql('DELETE FROM signage_screen_playlists WHERE screen_id = ?').run(id);
          const insert = sql(
            'INSERT INTO signage_screen_playlists (screen_id, position, playlist_id) VALUES (?, ?, ?)',
          );
          screen.playlistIds.forEach((playlistId, position) =>
            insert.run(id, position, playlistId),
          );
          const stored = findAt(screen.snNumber, screen.position);
          if (stored === undefined) throw new Error('Stored screen vanished');
          return stored;
        }),
      ),
    delete: (sn, position) =>
      settle(
        () =>
          changes(
            sql('DELETE FROM signage_screens WHERE sn_number = ? AND position = ?').run(
              sn,
              position,
            ),
          ) > 0,
      ),
    listForDevice: (sn) =>
      settle(() =>
        sql(`${SELECT} WHERE s.sn_number = ? ORDER BY ${POSITION_ORDER}`).all(sn).map(toScreen),
      ),
    devicesWithPlaylist: (playlistId) =>
      settle(() =>
        sql(
          `SELECT DISTINCT s.sn_number FROM signage_screens s
           JOIN signage_screen_playlists p ON p.screen_id = s.id
           WHERE p.playlist_id = ? ORDER BY s.sn_number`,
        )
          .all(playlistId)
          .map((row) => text(row, 'sn_number')),
      ),
  };
}
