/**
 * SQLite plays repository (proof of play). Filters build the WHERE clause from the parts given,
 * so each combination uses the (sn_number, started_at) or (started_at) index; there are 32
 * combinations at most, so the statement cache stays small.
 */
import { playFilterWhere } from '../play-filter';
import type {
  SignagePage,
  SignagePlayFilter,
  SignagePlayRecord,
  SignagePlaysRepository,
} from '../types';
import {
  type Row,
  type Statements,
  changes,
  num,
  settle,
  text,
} from '../../../../core/store/sqlite/statements';
import type { Transaction } from './shared';

export const COLUMNS =
  'sn_number, play_id, playlist_id, media_id, zone, started_at, ended_at, duration_ms, completed, received_at';

export function toPlay(row: Row): SignagePlayRecord {
  return {
    snNumber: text(row, 'sn_number'),
    playId: text(row, 'play_id'),
    playlistId: num(row, 'playlist_id'),
    mediaId: num(row, 'media_id'),
    zone: text(row, 'zone'),
    startedAt: text(row, 'started_at'),
    endedAt: text(row, 'ended_at'),
    durationMs: num(row, 'duration_ms'),
    completed: num(row, 'completed') === 1,
    receivedAt: text(row, 'received_at'),
  };
}

const where = (filter: SignagePlayFilter) => playFilterWhere(filter, () => '?');

export function sqliteSignagePlays(sql: Statements, tx: Transaction): SignagePlaysRepository {
  return {
    insert: (plays) =>
      settle(() =>
        tx(() => {
          const insert = sql(
            `INSERT INTO signage_plays (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (sn_number, play_id) DO NOTHING`,
          );
          let added = 0;
          for (const p of plays) {
            added += changes(
              insert.run(
                p.snNumber,
                p.playId,
                p.playlistId,
                p.mediaId,
                p.zone,
                p.startedAt,
                p.endedAt,
                p.durationMs,
                p.completed ? 1 : 0,
                p.receivedAt,
              ),
            );
          }
          return added;
        }),
      ),
    list: (filter, page: SignagePage) =>
      settle(() => {
        const { clause, values } = where(filter);
        return sql(
          `SELECT ${COLUMNS} FROM signage_plays ${clause} ORDER BY started_at, seq LIMIT ? OFFSET ?`,
        )
          .all(...values, page.limit ?? -1, page.offset ?? 0)
          .map(toPlay);
      }),
    listAfter: (filter, cursor, limit) =>
      settle(() => {
        const { clause, values } = where(filter);
        const after =
          cursor === undefined
            ? ''
            : `${clause === '' ? 'WHERE' : ' AND'} (started_at, seq) > (?, ?)`;
        const rows = sql(
          `SELECT seq, ${COLUMNS} FROM signage_plays ${clause}${after} ORDER BY started_at, seq LIMIT ?`,
        ).all(...values, ...(cursor === undefined ? [] : [cursor.startedAt, cursor.seq]), limit);
        const last = rows.at(-1);
        return {
          plays: rows.map(toPlay),
          next:
            last === undefined
              ? undefined
              : { startedAt: text(last, 'started_at'), seq: num(last, 'seq') },
        };
      }),
    count: (filter) =>
      settle(() => {
        const { clause, values } = where(filter);
        const row = sql(`SELECT COUNT(*) AS n FROM signage_plays ${clause}`).get(...values);
        return row === undefined ? 0 : num(row, 'n');
      }),
    prune: (startedBefore, keepRows) =>
      settle(() =>
        tx(() => {
          let removed = changes(
            sql('DELETE FROM signage_plays WHERE started_at < ?').run(startedBefore),
          );
          // `seq` only grows, so the newest `keepRows` received are the ones above max - keep.
          removed += changes(
            sql(
              'DELETE FROM signage_plays WHERE seq <= (SELECT MAX(seq) FROM signage_plays) - ?',
            ).run(keepRows),
          );
          return removed;
        }),
      ),
    // The (sn_number, started_at) index holds the rowid last, so this order is an index walk.
    pruneDevice: (snNumber, keepRows) =>
      settle(() =>
        changes(
          sql(
            `DELETE FROM signage_plays WHERE seq IN (
               SELECT seq FROM signage_plays WHERE sn_number = ?
               ORDER BY started_at DESC, seq DESC LIMIT -1 OFFSET ?)`,
          ).run(snNumber, keepRows),
        ),
      ),
  };
}
