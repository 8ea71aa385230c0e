/**
 * PostgreSQL plays repository (proof of play), with the SQLite one's records and rules: a
 * (device, play id) already stored is kept as it is, plays sort by `started_at` (byte order: the
 * column is COLLATE "C") then arrival (`seq`), export pages are keyset pages on that order, and
 * pruning drops plays past retention, then all but the newest `keepRows` received.
 */
import { playFilterWhere } from '../play-filter';
import type { PostgresEngine } from '../../../../core/store';
import { changed, first, rows } from '../../../../core/store/postgres/engine';
import { num, text } from '../../../../core/store/sqlite/statements';
import type { SignagePlayFilter, SignagePlaysRepository } from '../types';
import { COLUMNS, toPlay } from '../sqlite/plays';

/** Columns per inserted row, and rows per INSERT (well inside PostgreSQL's 65,535 parameters). */
const PER_ROW = 10;
const BATCH = 1000;

const where = (filter: SignagePlayFilter) => playFilterWhere(filter, (n) => `$${n}`);

export function postgresSignagePlays(engine: PostgresEngine): SignagePlaysRepository {
  const { pool } = engine;
  return {
    insert: (plays) =>
      engine.transaction(async (client) => {
        let added = 0;
        for (let start = 0; start < plays.length; start += BATCH) {
          const batch = plays.slice(start, start + BATCH);
          const values: unknown[] = [];
          const tuples = batch.map((p, n) => {
            values.push(
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
            );
            const base = n * PER_ROW;
            return `(${Array.from({ length: PER_ROW }, (_, k) => `$${base + k + 1}`).join(', ')})`;
          });
          // A play id repeated inside one batch counts once too (the first one is kept).
          added += await changed(
            client,
            `INSERT INTO signage_plays (${COLUMNS}) VALUES ${tuples.join(', ')}
             ON CONFLICT (sn_number, play_id) DO NOTHING`,
            values,
          );
        }
        return added;
      }),
    list: async (filter, page) => {
      const { clause, values } = where(filter);
      const n = values.length;
      return (
        await rows(
          pool,
          `SELECT ${COLUMNS} FROM signage_plays ${clause} ORDER BY started_at, seq
           LIMIT $${n + 1} OFFSET $${n + 2}`,
          [...values, page.limit ?? null, page.offset ?? 0],
        )
      ).map(toPlay);
    },
    listAfter: async (filter, cursor, limit) => {
      const { clause, values } = where(filter);
      const params: unknown[] = [...values];
      let after = '';
      if (cursor !== undefined) {
        params.push(cursor.startedAt, cursor.seq);
        after = `${clause === '' ? 'WHERE' : ' AND'} (started_at, seq) > ($${params.length - 1}, $${params.length})`;
      }
      params.push(limit);
      const found = await rows(
        pool,
        `SELECT seq, ${COLUMNS} FROM signage_plays ${clause}${after}
         ORDER BY started_at, seq LIMIT $${params.length}`,
        params,
      );
      const last = found.at(-1);
      return {
        plays: found.map(toPlay),
        next:
          last === undefined
            ? undefined
            : { startedAt: text(last, 'started_at'), seq: num(last, 'seq') },
      };
    },
    count: async (filter) => {
      const { clause, values } = where(filter);
      const row = await first(pool, `SELECT count(*) AS n FROM signage_plays ${clause}`, values);
      return row === undefined ? 0 : num(row, 'n');
    },
    prune: (startedBefore, keepRows) =>
      engine.transaction(async (client) => {
        let removed = await changed(client, 'DELETE FROM signage_plays WHERE started_at < $1', [
          startedBefore,
        ]);
        // `seq` only grows, so the newest `keepRows` received are the ones above max - keep.
        removed += await changed(
          client,
          'DELETE FROM signage_plays WHERE seq <= (SELECT max(seq) FROM signage_plays) - $1',
          [keepRows],
        );
        return removed;
      }),
    pruneDevice: (snNumber, keepRows) =>
      changed(
        pool,
        `DELETE FROM signage_plays WHERE seq IN (
           SELECT seq FROM signage_plays WHERE sn_number = $1
           ORDER BY started_at DESC, seq DESC OFFSET $2)`,
        [snNumber, keepRows],
      ),
  };
}
