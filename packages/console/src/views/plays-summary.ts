/**
 * Proof-of-play totals computed in the page from the listed plays: per media item, per device and
 * per day (the day a play started, in the browser's time zone), each with its count and total time
 * on screen. The list answers at most `MAX_PLAY_PAGE` plays a call, so the summary reads pages
 * until it has every match or `MAX_SUMMARY_PAGES` pages; past that it says it is partial.
 */
import { protocol } from '@marquee/sdk';

type PlayList = protocol.signage.PlayList;
type PlayListQuery = protocol.signage.PlayListQuery;
type PlayView = protocol.signage.PlayView;

/** Pages of `MAX_PLAY_PAGE` plays the summary reads at most (10,000 plays). */
export const MAX_SUMMARY_PAGES = 10;

export interface Total {
  readonly key: string;
  readonly plays: number;
  readonly durationMs: number;
}

export interface PlaySummary {
  readonly byMedia: readonly Total[];
  readonly byDevice: readonly Total[];
  readonly byDay: readonly Total[];
  /** Plays the totals are computed from. */
  readonly counted: number;
  /** Plays that match the filters in all (more than `counted` when partial). */
  readonly matching: number;
}

/** The local calendar day of an instant, `YYYY-MM-DD`. */
export function localDay(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function totals(plays: readonly PlayView[], keyOf: (play: PlayView) => string): Total[] {
  const map = new Map<string, { plays: number; durationMs: number }>();
  for (const play of plays) {
    const key = keyOf(play);
    const entry = map.get(key) ?? { plays: 0, durationMs: 0 };
    entry.plays += 1;
    entry.durationMs += play.duration_ms;
    map.set(key, entry);
  }
  return [...map].map(([key, value]) => ({ key, ...value }));
}

export function summarize(plays: readonly PlayView[], matching: number): PlaySummary {
  const byCount = (a: Total, b: Total) => b.plays - a.plays || a.key.localeCompare(b.key);
  return {
    byMedia: totals(plays, (p) => String(p.media_id)).sort(byCount),
    byDevice: totals(plays, (p) => p.sn_number).sort(byCount),
    byDay: totals(plays, (p) => localDay(p.started_at)).sort((a, b) => a.key.localeCompare(b.key)),
    counted: plays.length,
    matching,
  };
}

/** Reads the matching plays page by page (at most `MAX_SUMMARY_PAGES`) and totals them. */
export async function readSummary(
  list: (query: PlayListQuery) => Promise<PlayList>,
  filters: PlayListQuery,
): Promise<PlaySummary> {
  const limit = protocol.signage.MAX_PLAY_PAGE;
  const plays: PlayView[] = [];
  let matching = 0;
  for (let page = 0; page < MAX_SUMMARY_PAGES; page++) {
    const answer = await list({ ...filters, limit, offset: page * limit });
    matching = answer.count;
    plays.push(...answer.results);
    if (answer.results.length < limit || plays.length >= answer.count) break;
  }
  return summarize(plays, Math.max(matching, plays.length));
}

/** Milliseconds as `1 h 02 min 05 s`, `3 min 04 s` or `12.5 s`. */
export function duration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h} h ${pad(m)} min ${pad(s)} s` : `${m} min ${pad(s)} s`;
}
