/** SQLite media repository: one row per stored file of the media library. */
import { randomUUID } from 'node:crypto';
import { MarqueeError } from '@marquee/sdk';
import { type SignageMediaRecord, type SignageMediaRepository } from '../types';
import {
  type Row,
  type Statements,
  changes,
  num,
  settle,
  text,
} from '../../../../core/store/sqlite/statements';
import { type Transaction } from './shared';

export const MEDIA_COLUMNS =
  'id, media_name, media_type, mimetype, file_size, checksum, path, created_at';

export function toMedia(row: Row, prefix = ''): SignageMediaRecord {
  const mediaType = text(row, `${prefix}media_type`);
  if (mediaType !== 'image' && mediaType !== 'video') {
    throw new Error(`Unknown media_type "${mediaType}"`);
  }
  return {
    id: num(row, `${prefix}id`),
    mediaName: text(row, `${prefix}media_name`),
    mediaType,
    mimetype: text(row, `${prefix}mimetype`),
    fileSize: num(row, `${prefix}file_size`),
    checksum: text(row, `${prefix}checksum`),
    path: text(row, `${prefix}path`),
    createdAt: text(row, `${prefix}created_at`),
  };
}

/** CONFLICT naming the playlists while any uses the media (deleting it is refused). */
export function assertUnused(id: number, playlists: readonly number[]): void {
  if (playlists.length > 0) {
    throw new MarqueeError(
      'CONFLICT',
      `Media ${id} is used by playlist${playlists.length > 1 ? 's' : ''} ${playlists.join(', ')}`,
      { details: { playlist_ids: playlists } },
    );
  }
}

export function sqliteSignageMedia(sql: Statements, tx: Transaction): SignageMediaRepository {
  const find = (id: number) => {
    const row = sql(`SELECT ${MEDIA_COLUMNS} FROM signage_media WHERE id = ?`).get(id);
    return row === undefined ? undefined : toMedia(row);
  };
  const usedBy = (id: number) =>
    sql(
      'SELECT DISTINCT playlist_id FROM signage_playlist_items WHERE media_id = ? ORDER BY playlist_id',
    )
      .all(id)
      .map((row) => num(row, 'playlist_id'));
  return {
    create: (media, pathFor, place) =>
      settle(() =>
        tx(() => {
          // A unique placeholder until the id is known; replaced in the same transaction.
          const placeholder = `pending/${randomUUID()}`;
          const row = sql(
            `INSERT INTO signage_media (media_name, media_type, mimetype, file_size, checksum, path, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
          ).get(
            media.mediaName,
            media.mediaType,
            media.mimetype,
            media.fileSize,
            media.checksum,
            placeholder,
            media.createdAt,
          );
          if (row === undefined) throw new Error('INSERT ... RETURNING returned no row');
          const id = num(row, 'id');
          const path = pathFor(id);
          sql('UPDATE signage_media SET path = ? WHERE id = ?').run(path, id);
          const created = find(id);
          if (created === undefined) throw new Error('Inserted media vanished');
          // The file goes into place before the commit: no committed row without its file.
          place?.(path);
          return created;
        }),
      ),
    find: (id) => settle(() => find(id)),
    findByPath: (path) =>
      settle(() => {
        const row = sql(`SELECT ${MEDIA_COLUMNS} FROM signage_media WHERE path = ?`).get(path);
        return row === undefined ? undefined : toMedia(row);
      }),
    list: () =>
      settle(() =>
        sql(`SELECT ${MEDIA_COLUMNS} FROM signage_media ORDER BY id DESC`)
          .all()
          .map((r) => toMedia(r)),
      ),
    reachableBy: (id, ownerUserId) =>
      settle(
        () =>
          sql(
            `SELECT 1 FROM signage_devices d
               JOIN signage_screens s ON s.sn_number = d.sn_number
               JOIN signage_screen_playlists sp ON sp.screen_id = s.id
               JOIN signage_playlist_items i ON i.playlist_id = sp.playlist_id
             WHERE d.owner_user_id = ? AND i.media_id = ? LIMIT 1`,
          ).get(ownerUserId, id) !== undefined,
      ),
    usedBy: (id) => settle(() => usedBy(id)),
    delete: (id) =>
      settle(() =>
        tx(() => {
          assertUnused(id, usedBy(id));
          return changes(sql('DELETE FROM signage_media WHERE id = ?').run(id)) > 0;
        }),
      ),
  };
}
