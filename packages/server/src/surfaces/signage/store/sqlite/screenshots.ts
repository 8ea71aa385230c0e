/** SQLite screenshots repository: one row per stored JPEG; the file lives under the data dir. */
import { type SignageScreenshotRecord, type SignageScreenshotsRepository } from '../types';
import {
  type Row,
  type Statements,
  changes,
  num,
  settle,
  text,
} from '../../../../core/store/sqlite/statements';

export const COLUMNS = 'id, sn_number, media_id, path, file_size, created_at';

export function toScreenshot(row: Row): SignageScreenshotRecord {
  return {
    id: num(row, 'id'),
    snNumber: text(row, 'sn_number'),
    mediaId: num(row, 'media_id'),
    path: text(row, 'path'),
    fileSize: num(row, 'file_size'),
    createdAt: text(row, 'created_at'),
  };
}

export function sqliteSignageScreenshots(sql: Statements): SignageScreenshotsRepository {
  return {
    create: (shot) =>
      settle(() => {
        const row = sql(
          `INSERT INTO signage_screenshots (sn_number, media_id, path, file_size, created_at)
           VALUES (?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
        ).get(shot.snNumber, shot.mediaId, shot.path, shot.fileSize, shot.createdAt);
        if (row === undefined) throw new Error('INSERT ... RETURNING returned no row');
        return toScreenshot(row);
      }),
    find: (id) =>
      settle(() => {
        const row = sql(`SELECT ${COLUMNS} FROM signage_screenshots WHERE id = ?`).get(id);
        return row === undefined ? undefined : toScreenshot(row);
      }),
    listForDevice: (sn, limit) =>
      settle(() =>
        sql(
          `SELECT ${COLUMNS} FROM signage_screenshots WHERE sn_number = ? ORDER BY id DESC LIMIT ?`,
        )
          .all(sn, limit)
          .map(toScreenshot),
      ),
    pruneForDevice: (sn, keep) =>
      settle(() =>
        // The (sn_number, id) index finds the newest `keep` + 1st row; everything at or below it goes.
        sql(
          `DELETE FROM signage_screenshots WHERE sn_number = ? AND id <= (
             SELECT id FROM signage_screenshots WHERE sn_number = ? ORDER BY id DESC LIMIT 1 OFFSET ?
           ) RETURNING path`,
        )
          .all(sn, sn, keep)
          .map((row) => text(row, 'path')),
      ),
    pruneOldest: (limit) =>
      settle(() =>
        sql(
          `DELETE FROM signage_screenshots WHERE id IN (
             SELECT s.id FROM signage_screenshots s
             WHERE s.id < (SELECT MAX(n.id) FROM signage_screenshots n WHERE n.sn_number = s.sn_number)
             ORDER BY s.id LIMIT ?
           ) RETURNING path, file_size`,
        )
          .all(limit)
          .map((row) => ({ path: text(row, 'path'), fileSize: num(row, 'file_size') })),
      ),
    listPaths: () =>
      settle(() =>
        sql('SELECT id, path, file_size FROM signage_screenshots ORDER BY id')
          .all()
          .map((row) => ({
            id: num(row, 'id'),
            path: text(row, 'path'),
            fileSize: num(row, 'file_size'),
          })),
      ),
    deleteIds: (ids) =>
      settle(() => {
        let deleted = 0;
        const remove = sql('DELETE FROM signage_screenshots WHERE id = ?');
        for (const id of ids) deleted += changes(remove.run(id));
        return deleted;
      }),
  };
}
