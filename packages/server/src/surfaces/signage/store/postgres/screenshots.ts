/** PostgreSQL screenshots repository: one row per stored JPEG; the file lives under the data dir. */
import { type SignageScreenshotsRepository } from '../types';
import {
  type Queryable,
  changed,
  first,
  returned,
  rows,
} from '../../../../core/store/postgres/engine';
import { num, text } from '../../../../core/store/sqlite/statements';
import { COLUMNS, toScreenshot } from '../sqlite/screenshots';

export function postgresSignageScreenshots(pool: Queryable): SignageScreenshotsRepository {
  return {
    create: async (shot) =>
      toScreenshot(
        await returned(
          pool,
          `INSERT INTO signage_screenshots (sn_number, media_id, path, file_size, created_at)
           VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
          [shot.snNumber, shot.mediaId, shot.path, shot.fileSize, shot.createdAt],
        ),
      ),
    find: async (id) => {
      const row = await first(pool, `SELECT ${COLUMNS} FROM signage_screenshots WHERE id = $1`, [
        id,
      ]);
      return row === undefined ? undefined : toScreenshot(row);
    },
    listForDevice: async (sn, limit) =>
      (
        await rows(
          pool,
          `SELECT ${COLUMNS} FROM signage_screenshots WHERE sn_number = $1 ORDER BY id DESC LIMIT $2`,
          [sn, limit],
        )
      ).map(toScreenshot),
    pruneForDevice: async (sn, keep) =>
      (
        await rows(
          pool,
          `DELETE FROM signage_screenshots WHERE sn_number = $1 AND id <= (
             SELECT id FROM signage_screenshots WHERE sn_number = $1 ORDER BY id DESC LIMIT 1 OFFSET $2
           ) RETURNING path`,
          [sn, keep],
        )
      ).map((row) => text(row, 'path')),
    pruneOldest: async (limit) =>
      (
        await rows(
          pool,
          `WITH gone AS (
             DELETE FROM signage_screenshots WHERE id IN (
               SELECT s.id FROM signage_screenshots s
               WHERE s.id < (SELECT MAX(n.id) FROM signage_screenshots n WHERE n.sn_number = s.sn_number)
               ORDER BY s.id LIMIT $1
             ) RETURNING id, path, file_size)
           SELECT path, file_size FROM gone ORDER BY id`,
          [limit],
        )
      ).map((row) => ({ path: text(row, 'path'), fileSize: num(row, 'file_size') })),
    listPaths: async () =>
      (await rows(pool, 'SELECT id, path, file_size FROM signage_screenshots ORDER BY id')).map(
        (row) => ({
          id: num(row, 'id'),
          path: text(row, 'path'),
          fileSize: num(row, 'file_size'),
        }),
      ),
    deleteIds: (ids) =>
      changed(pool, 'DELETE FROM signage_screenshots WHERE id = ANY($1::bigint[])', [[...ids]]),
  };
}
