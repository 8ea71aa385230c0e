/**
 * PostgreSQL playlists repository: a playlist and its items are written in one transaction (a PUT
 * replaces the items whole), reads join each item's media; records as sqlite/playlists.ts builds.
 */
import { type SignagePlaylistsRepository, type SignagePlaylistWrite } from '../types';
import {
  FOREIGN_KEY_VIOLATION,
  type PostgresEngine,
  type Queryable,
  changed,
  returned,
  rows,
  sqlState,
} from '../../../../core/store/postgres/engine';
import { type Row, num } from '../../../../core/store/sqlite/statements';
import {
  ITEMS,
  PLAYLIST_COLUMNS,
  noSuchMedia,
  scheduleText,
  toPlaylists,
} from '../sqlite/playlists';

export function postgresSignagePlaylists(engine: PostgresEngine): SignagePlaylistsRepository {
  const { pool } = engine;
  const withItems = async (q: Queryable, playlistRows: Row[]) => {
    if (playlistRows.length === 0) return [];
    const itemRows = await rows(
      q,
      `${ITEMS} WHERE i.playlist_id = ANY($1::bigint[]) ORDER BY i.playlist_id, i.position`,
      [playlistRows.map((row) => num(row, 'id'))],
    );
    return toPlaylists(playlistRows, itemRows);
  };
  const find = async (q: Queryable, id: number) =>
    (
      await withItems(
        q,
        await rows(q, `SELECT ${PLAYLIST_COLUMNS} FROM signage_playlists WHERE id = $1`, [id]),
      )
    )[0];

  const writeItems = async (q: Queryable, id: number, playlist: SignagePlaylistWrite) => {
    await q.query('DELETE FROM signage_playlist_items WHERE playlist_id = $1', [id]);
    const wanted = [...new Set(playlist.items.map((item) => item.mediaId))];
    const present = new Set(
      (await rows(q, 'SELECT id FROM signage_media WHERE id = ANY($1::bigint[])', [wanted])).map(
        (row) => num(row, 'id'),
      ),
    );
    for (const [position, item] of playlist.items.entries()) {
      if (!present.has(item.mediaId)) throw noSuchMedia(position, item.mediaId);
      try {
        await q.query(
          `INSERT INTO signage_playlist_items
           (playlist_id, position, media_id, item_order, layout, timing, effects, n_time_play)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            id,
            position,
            item.mediaId,
            item.order,
            JSON.stringify(item.layout),
            JSON.stringify(item.timing),
            JSON.stringify(item.effects),
            item.nTimePlay,
          ],
        );
      } catch (error) {
        // The media was deleted by another connection since the check above.
        if (sqlState(error) === FOREIGN_KEY_VIOLATION) throw noSuchMedia(position, item.mediaId);
        throw error;
      }
    }
  };

  return {
    create: (playlist, at) =>
      engine.transaction(async (client) => {
        const row = await returned(
          client,
          `INSERT INTO signage_playlists
           (name, width, height, playback_config, schedule, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
          [
            playlist.name,
            playlist.width,
            playlist.height,
            JSON.stringify(playlist.playbackConfig),
            scheduleText(playlist),
            at,
          ],
        );
        const id = num(row, 'id');
        await writeItems(client, id, playlist);
        const created = await find(client, id);
        if (created === undefined) throw new Error('Inserted playlist vanished');
        return created;
      }),
    update: (id, playlist, at) =>
      engine.transaction(async (client) => {
        const updated = await changed(
          client,
          `UPDATE signage_playlists SET name = $1, width = $2, height = $3, playback_config = $4,
           schedule = $5, updated_at = $6 WHERE id = $7`,
          [
            playlist.name,
            playlist.width,
            playlist.height,
            JSON.stringify(playlist.playbackConfig),
            scheduleText(playlist),
            at,
            id,
          ],
        );
        if (updated === 0) return undefined;
        await writeItems(client, id, playlist);
        return find(client, id);
      }),
    delete: async (id) =>
      (await changed(pool, 'DELETE FROM signage_playlists WHERE id = $1', [id])) > 0,
    find: (id) => find(pool, id),
    // Playlist rows and item rows are two statements: a playlist saved in between is read with
    // either its old or its new items, each set whole (items are replaced in one transaction).
    findMany: async (ids) =>
      withItems(
        pool,
        await rows(
          pool,
          `SELECT ${PLAYLIST_COLUMNS} FROM signage_playlists WHERE id = ANY($1::bigint[]) ORDER BY id`,
          [[...ids]],
        ),
      ),
    list: async () =>
      withItems(
        pool,
        await rows(pool, `SELECT ${PLAYLIST_COLUMNS} FROM signage_playlists ORDER BY id`),
      ),
  };
}
