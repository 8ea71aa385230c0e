/**
 * PostgreSQL media repository. `create` keeps the SQLite side's files-agree order: the row is
 * written, `place` moves the file in, then the transaction commits, so a committed row always has
 * its file (the service removes the file when the commit fails). `delete` locks the row first, so
 * a playlist saved meanwhile cannot start using media that is going.
 */
import { randomUUID } from 'node:crypto';
import { type SignageMediaRepository } from '../types';
import {
  type PostgresEngine,
  type Queryable,
  changed,
  first,
  returned,
  rows,
} from '../../../../core/store/postgres/engine';
import { num } from '../../../../core/store/sqlite/statements';
import { MEDIA_COLUMNS, assertUnused, toMedia } from '../sqlite/media';

export function postgresSignageMedia(engine: PostgresEngine): SignageMediaRepository {
  const { pool } = engine;
  const find = async (q: Queryable, id: number) => {
    const row = await first(q, `SELECT ${MEDIA_COLUMNS} FROM signage_media WHERE id = $1`, [id]);
    return row === undefined ? undefined : toMedia(row);
  };
  const usedBy = async (q: Queryable, id: number) =>
    (
      await rows(
        q,
        'SELECT DISTINCT playlist_id FROM signage_playlist_items WHERE media_id = $1 ORDER BY playlist_id',
        [id],
      )
    ).map((row) => num(row, 'playlist_id'));
  return {
    create: (media, pathFor, place) =>
      engine.transaction(async (client) => {
        // A unique placeholder until the id is known; replaced in the same transaction.
        const row = await returned(
          client,
          `INSERT INTO signage_media (media_name, media_type, mimetype, file_size, checksum, path, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
          [
            media.mediaName,
            media.mediaType,
            media.mimetype,
            media.fileSize,
            media.checksum,
            `pending/${randomUUID()}`,
            media.createdAt,
          ],
        );
        const id = num(row, 'id');
        const path = pathFor(id);
        await client.query('UPDATE signage_media SET path = $1 WHERE id = $2', [path, id]);
        const created = await find(client, id);
        if (created === undefined) throw new Error('Inserted media vanished');
        // The file goes into place before the commit: no committed row without its file.
        place?.(path);
        return created;
      }),
    find: (id) => find(pool, id),
    findByPath: async (path) => {
      const row = await first(pool, `SELECT ${MEDIA_COLUMNS} FROM signage_media WHERE path = $1`, [
        path,
      ]);
      return row === undefined ? undefined : toMedia(row);
    },
    list: async () =>
      (await rows(pool, `SELECT ${MEDIA_COLUMNS} FROM signage_media ORDER BY id DESC`)).map((r) =>
        toMedia(r),
      ),
    reachableBy: async (id, ownerUserId) =>
      (await first(
        pool,
        `SELECT 1 AS one FROM signage_devices d
           JOIN signage_screens s ON s.sn_number = d.sn_number
           JOIN signage_screen_playlists sp ON sp.screen_id = s.id
           JOIN signage_playlist_items i ON i.playlist_id = sp.playlist_id
         WHERE d.owner_user_id = $1 AND i.media_id = $2 LIMIT 1`,
        [ownerUserId, id],
      )) !== undefined,
    usedBy: (id) => usedBy(pool, id),
    delete: (id) =>
      engine.transaction(async (client) => {
        await client.query('SELECT id FROM signage_media WHERE id = $1 FOR UPDATE', [id]);
        assertUnused(id, await usedBy(client, id));
        return (await changed(client, 'DELETE FROM signage_media WHERE id = $1', [id])) > 0;
      }),
  };
}
