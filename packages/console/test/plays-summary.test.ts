/**
 * The Proof of play view's totals: per media item, device and local day, and the bound on how
 * many pages the summary reads (past it the summary says it is partial).
 */
import { protocol } from '@marquee/sdk';
import { describe, expect, it } from 'vitest';
import {
  duration,
  localDay,
  MAX_SUMMARY_PAGES,
  readSummary,
  summarize,
} from '../src/views/plays-summary';

type PlayView = protocol.signage.PlayView;
type PlayListQuery = protocol.signage.PlayListQuery;

function play(n: number, sn: string, mediaId: number, startedAt: Date, ms: number): PlayView {
  const started = startedAt.toISOString();
  return {
    id: `play-${sn}-${n}`.padEnd(8, '0'),
    sn_number: sn,
    media_id: mediaId,
    playlist_id: 1,
    zone: 'front_screen',
    started_at: started,
    ended_at: new Date(startedAt.getTime() + ms).toISOString(),
    duration_ms: ms,
    completed: true,
    received_at: started,
  };
}

/** A list call over `all`, as the server pages it; counts the calls. */
function fakeList(all: readonly PlayView[]) {
  const calls: PlayListQuery[] = [];
  const list = (query: PlayListQuery) => {
    calls.push(query);
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 100;
    return Promise.resolve({ count: all.length, results: all.slice(offset, offset + limit) });
  };
  return { list, calls };
}

describe('proof-of-play summary', () => {
  it('totals plays and time on screen per item, device and local day', () => {
    const day1 = new Date(2026, 11, 6, 23, 59, 0);
    const day2 = new Date(2026, 11, 7, 0, 0, 1);
    const summary = summarize(
      [play(1, 'A', 7, day1, 5000), play(2, 'A', 8, day2, 10_000), play(3, 'B', 8, day2, 10_000)],
      3,
    );
    expect(summary.byMedia).toEqual([
      { key: '8', plays: 2, durationMs: 20_000 },
      { key: '7', plays: 1, durationMs: 5000 },
    ]);
    expect(summary.byDevice).toEqual([
      { key: 'A', plays: 2, durationMs: 15_000 },
      { key: 'B', plays: 1, durationMs: 10_000 },
    ]);
    expect(summary.byDay).toEqual([
      { key: '2026-12-06', plays: 1, durationMs: 5000 },
      { key: '2026-12-07', plays: 2, durationMs: 20_000 },
    ]);
    expect(localDay(day2.toISOString())).toBe('2026-12-07');
  });

  it('reads every page of a range within the bound, with the filters on each call', async () => {
    const all = Array.from({ length: 2500 }, (_, i) =>
      play(i, i % 2 ? 'A' : 'B', 1, new Date(2026, 11, 7, 12, 0, i), 1000),
    );
    const { list, calls } = fakeList(all);
    const summary = await readSummary(list, { sn_number: 'A' });
    expect(calls.map((c) => [c.sn_number, c.offset, c.limit])).toEqual([
      ['A', 0, protocol.signage.MAX_PLAY_PAGE],
      ['A', 1000, protocol.signage.MAX_PLAY_PAGE],
      ['A', 2000, protocol.signage.MAX_PLAY_PAGE],
    ]);
    expect(summary).toMatchObject({ counted: 2500, matching: 2500 });
    expect(summary.byDevice.map((t) => t.plays)).toEqual([1250, 1250]);
  });

  it('stops at the bound and says how many plays it left out', async () => {
    const matching = protocol.signage.MAX_PLAY_PAGE * MAX_SUMMARY_PAGES + 5;
    const all = Array.from({ length: matching }, (_, i) =>
      play(i, 'A', 1, new Date(2026, 11, 7), 100),
    );
    const { list, calls } = fakeList(all);
    const summary = await readSummary(list, {});
    expect(calls).toHaveLength(MAX_SUMMARY_PAGES);
    expect(summary.counted).toBe(matching - 5);
    expect(summary.matching).toBe(matching);
  });

  it('writes durations for people', () => {
    expect(duration(5000)).toBe('5 s');
    expect(duration(12_345)).toBe('12.3 s');
    expect(duration(200_000)).toBe('3 min 20 s');
    expect(duration(3_723_000)).toBe('1 h 02 min 03 s');
  });
});
