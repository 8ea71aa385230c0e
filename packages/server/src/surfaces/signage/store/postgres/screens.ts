/**
 * PostgreSQL screens repository: up to four screens per device, each with an ordered playlist
 * list; `put` keeps a replaced screen's id (records as sqlite/screens.ts builds them).
 */
import { type SignageScreensRepository } from '../types';
import {
  type PostgresEngine,
  type Queryable,
  changed,
  first,
  returned,
  rows,
} from '../../../../core/store/postgres/engine';
import { num, text } from '../../../../core/store/sqlite/statements';
import { POSITION_ORDER, toScreen } from '../sqlite/screens';

const SELECT = `SELECT s.id, s.sn_number, s.position, s.screen_name, s.resolution,
  s.current_playlist_id, s.updated_at,
  (SELECT coalesce(json_agg(playlist_id ORDER BY position), '[]'::json)
     FROM signage_screen_playlists WHERE screen_id = s.id) AS playlist_ids
  FROM signage_screens s`;

export function postgresSignageScreens(engine: PostgresEngine): SignageScreensRepository {
  const { pool } = engine;
  const findAt = async (q: Queryable, sn: string, position: string) => {
    const row = await first(q, `${SELECT} WHERE s.sn_number = $1 AND s.position = $2`, [
      sn,
      position,
    ]);
    return row === undefined ? undefined : toScreen(row);
  };
  return {
    put: (screen, at) =>
      engine.transaction(async (client) => {
        const row = await returned(
          client,
          `INSERT INTO signage_screens
             (sn_number, position, screen_name, resolution, current_playlist_id, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (sn_number, position) DO UPDATE SET screen_name = excluded.screen_name,
             resolution = excluded.resolution, current_playlist_id = excluded.current_playlist_id,
             updated_at = excluded.updated_at
           RETURNING id`,
          [
            screen.snNumber,
            screen.position,
            screen.screenName,
            screen.resolution,
            screen.currentPlaylistId,
            at,
          ],
        );
        const id = num(row, 'id');
        await client.query('DELETE FROM signage_screen_playlists WHERE screen_id = $1', [id]);
        if (screen.playlistIds.length > 0) {
          await client.query(
            `INSERT INTO signage_screen_playlists (screen_id, position, playlist_id)
             SELECT $1, ordinality - 1, playlist_id
             FROM unnest($2::bigint[]) WITH ORDINALITY AS t(playlist_id, ordinality)`,
            [id, [...screen.playlistIds]],
          );
        }
        const stored = await findAt(client, screen.snNumber, screen.position);
        if (stored === undefined) throw new Error('Stored screen vanished');
        return stored;
      }),
    delete: async (sn, position) =>
      (await changed(pool, 'DELETE FROM signage_screens WHERE sn_number = $1 AND position = $2', [
        sn,
        position,
      ])) > 0,
    listForDevice: async (sn) =>
      (await rows(pool, `${SELECT} WHERE s.sn_number = $1 ORDER BY ${POSITION_ORDER}`, [sn])).map(
        toScreen,
      ),
    devicesWithPlaylist: async (playlistId) =>
      (
        await rows(
          pool,
          `SELECT DISTINCT s.sn_number COLLATE "C" AS sn_number FROM signage_screens s
           JOIN signage_screen_playlists p ON p.screen_id = s.id
           WHERE p.playlist_id = $1 ORDER BY 1`,
          [playlistId],
        )
      ).map((row) => text(row, 'sn_number')),
  };
}
