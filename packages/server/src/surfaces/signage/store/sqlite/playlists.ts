/**
 * SQLite playlists repository. Items are rewritten as a whole on every update (a PUT replaces
 * the playlist), in one transaction with the playlist row; reads join each item's media.
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import {
  type SignagePlaylistItemRecord,
  type SignagePlaylistRecord,
  type SignagePlaylistsRepository,
  type SignagePlaylistWrite,
} from '../types';
import {
  type Row,
  type Statements,
  changes,
  num,
  settle,
  text,
} from '../../../../core/store/sqlite/statements';
import { toMedia } from './media';
import { json, type Transaction } from './shared';

const { signage } = protocol;

export const ITEMS = `SELECT i.playlist_id, i.item_order, i.layout, i.timing, i.effects, i.n_time_play,
  m.id AS m_id, m.media_name AS m_media_name, m.media_type AS m_media_type,
  m.mimetype AS m_mimetype, m.file_size AS m_file_size, m.checksum AS m_checksum,
  m.path AS m_path, m.created_at AS m_created_at
  FROM signage_playlist_items i JOIN signage_media m ON m.id = i.media_id`;

export function toItem(row: Row): SignagePlaylistItemRecord {
  return {
    media: toMedia(row, 'm_'),
    order: num(row, 'item_order'),
    layout: json(row, 'layout', signage.MediaLayout),
    timing: json(row, 'timing', signage.MediaTiming),
    effects: json(row, 'effects', signage.MediaEffects),
    nTimePlay: num(row, 'n_time_play'),
  };
}

/** NOT_FOUND for an item whose media does not exist, naming the item. */
export function noSuchMedia(position: number, mediaId: number): MarqueeError {
  return new MarqueeError(
    'NOT_FOUND',
    `media_items[${position}].media_id: no media with id ${mediaId}`,
  );
}

export const PLAYLIST_COLUMNS =
  'id, name, width, height, playback_config, schedule, created_at, updated_at';

/** Playlist rows with their item rows (ordered by playlist, position), as records. */
export function toPlaylists(
  rows: readonly Row[],
  itemRows: readonly Row[],
): SignagePlaylistRecord[] {
  const items = new Map<number, SignagePlaylistItemRecord[]>();
  for (const row of itemRows) {
    const id = num(row, 'playlist_id');
    let list = items.get(id);
    if (list === undefined) items.set(id, (list = []));
    list.push(toItem(row));
  }
  return rows.map((row) => ({
    id: num(row, 'id'),
    name: text(row, 'name'),
    width: num(row, 'width'),
    height: num(row, 'height'),
    playbackConfig: json(row, 'playback_config', signage.PlaybackConfig),
    schedule: row['schedule'] === null ? null : json(row, 'schedule', signage.PlaylistSchedule),
    items: items.get(num(row, 'id')) ?? [],
    createdAt: text(row, 'created_at'),
    updatedAt: text(row, 'updated_at'),
  }));
}

/** The schedule column's value: JSON text, or null for an unscheduled playlist. */
export function scheduleText(playlist: SignagePlaylistWrite): string | null {
  return playlist.schedule === null ? null : JSON.stringify(playlist.schedule);
}

export function sqliteSignagePlaylists(
  sql: Statements,
  tx: Transaction,
): SignagePlaylistsRepository {
  const withItems = (rows: Row[]): SignagePlaylistRecord[] => {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => num(row, 'id'));
    const itemRows = sql(
      `${ITEMS} WHERE i.playlist_id IN (SELECT value FROM json_each(?)) ORDER BY i.playlist_id, i.position`,
    ).all(JSON.stringify(ids));
    return toPlaylists(rows, itemRows);
  };
  const COLUMNS = PLAYLIST_COLUMNS;
  const find = (id: number) =>
    withItems(sql(`SELECT ${COLUMNS} FROM signage_playlists WHERE id = ?`).all(id))[0];

  const writeItems = (id: number, playlist: SignagePlaylistWrite) => {
    sql('DELETE FROM signage_playlist_items WHERE playlist_id = ?').run(id);
    const media = sql('SELECT 1 FROM signage_media WHERE id = ?');
    const insert = sql(
      `INSERT INTO signage_playlist_items
       (playlist_id, position, media_id, item_order, layout, timing, effects, n_time_play)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    playlist.items.forEach((item, position) => {
      if (media.get(item.mediaId) === undefined) throw noSuchMedia(position, item.mediaId);
      insert.run(
        id,
        position,
        item.mediaId,
        item.order,
        JSON.stringify(item.layout),
        JSON.stringify(item.timing),
        JSON.stringify(item.effects),
        item.nTimePlay,
      );
    });
  };

  return {
    create: (playlist, at) =>
      settle(() =>
        tx(() => {
          const row = sql(
            `INSERT INTO signage_playlists
             (name, width, height, playback_config, schedule, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
          ).get(
            playlist.name,
            playlist.width,
            playlist.height,
            JSON.stringify(playlist.playbackConfig),
            scheduleText(playlist),
            at,
            at,
          );
          if (row === undefined) throw new Error('INSERT ... RETURNING returned no row');
          const id = num(row, 'id');
          writeItems(id, playlist);
          const created = find(id);
          if (created === undefined) throw new Error('Inserted playlist vanished');
          return created;
        }),
      ),
    update: (id, playlist, at) =>
      settle(() =>
        tx(() => {
          const updated = sql(
            `UPDATE signage_playlists SET name = ?, width = ?, height = ?, playback_config = ?,
             schedule = ?, updated_at = ? WHERE id = ?`,
          ).run(
            playlist.name,
            playlist.width,
            playlist.height,
            JSON.stringify(playlist.playbackConfig),
            scheduleText(playlist),
            at,
            id,
          );
          if (changes(updated) === 0) return undefined;
          writeItems(id, playlist);
          return find(id);
        }),
      ),
    delete: (id) =>
      settle(() => changes(sql('DELETE FROM signage_playlists WHERE id = ?').run(id)) > 0),
    find: (id) => settle(() => find(id)),
    findMany: (ids) =>
      settle(() =>
        withItems(
          sql(
            `SELECT ${COLUMNS} FROM signage_playlists
             WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`,
          ).all(JSON.stringify(ids)),
        ),
      ),
    list: () =>
      settle(() => withItems(sql(`SELECT ${COLUMNS} FROM signage_playlists ORDER BY id`).all())),
  };
}
