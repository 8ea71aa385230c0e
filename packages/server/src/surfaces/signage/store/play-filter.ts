/**
 * The WHERE clause of a proof-of-play filter, for either engine: the parts given, in one order
 * (so each combination is one cached statement and uses the (sn_number, started_at) or
 * (started_at) index), with the engine's placeholders: SQLite's `?`, PostgreSQL's `$n`.
 */
import type { SignagePlayFilter } from './types';

export function playFilterWhere(
  filter: SignagePlayFilter,
  placeholder: (position: number) => string,
): { clause: string; values: (string | number)[] } {
  const parts: string[] = [];
  const values: (string | number)[] = [];
  const add = (column: string, operator: string, value: string | number | undefined) => {
    if (value === undefined) return;
    values.push(value);
    parts.push(`${column} ${operator} ${placeholder(values.length)}`);
  };
  add('sn_number', '=', filter.snNumber);
  add('started_at', '>=', filter.from);
  add('started_at', '<', filter.to);
  add('media_id', '=', filter.mediaId);
  add('playlist_id', '=', filter.playlistId);
  return { clause: parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`, values };
}
