import { describe, expect, expectTypeOf, it } from 'vitest';
import { safeParse } from 'zod/v4/core';
import {
  COMPACT_MAX_BYTES,
  CompactSnapshot,
  NowPlayingQuery,
  PartialSnapshot,
  canonicalFields,
  fieldSnapshotSchema,
  jsonStringBytes,
  pickSessionFields,
  toCompactSnapshot,
  truncateText,
  type FieldSnapshot,
  type Session,
  type Snapshot,
} from '../../src/protocol/now-playing';
import { expectIssueAt } from '../helpers/schema-assertions';

const TS = 1_768_670_000;

function session(overrides: Partial<Session> = {}): Session {
  return {
    session_id: '0b9c2f64-5c1e-4d7a-9a8e-1f2d3c4b5a69',
    user_id: 1,
    username: 'John',
    avatar_url: '/api/media/avatar/john',
    media_type: 'movie',
    title: 'The Matrix',
    poster_url: '/data/posters/the-matrix.jpg',
    poster_thumb: '/api/media/thumb/Movies/The%20Matrix%20(1999)/poster.jpg?width=150&height=225',
    progress_percent: 45.2,
    current_time: 5025,
    duration: 11062,
    state: 'playing',
    bitrate: 2_500_000,
    last_update: TS,
    position_at_ms: TS * 1000,
    ...overrides,
  };
}

function snapshot(sessions: Session[]): Snapshot {
  return {
    sessions,
    system: {
      cpu_percent: 23.44,
      cpu_temp: 54.25,
      ram_percent: 42.1,
      ram_used_mb: 1536,
      ram_total_mb: 3648,
      disk_percent: 78,
      disk_used_gb: 45.2,
      disk_total_gb: 58,
      network_down_bps: 2_621_440.6,
      network_up_bps: 262_144,
      uptime_seconds: 442_800,
      load_avg: 0.45,
      active_users: sessions.length,
    },
    timestamp: TS,
  };
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** Well-formed UTF-16 survives a UTF-8 round trip; a split surrogate pair does not. */
const wellFormed = (text: string) => Buffer.from(text, 'utf8').toString('utf8') === text;

/** Four sessions a household might have at once, every title longer than a panel line. */
const fourLongSessions = [
  session({
    title: 'The Lord of the Rings: The Fellowship of the Ring (Extended Edition)',
    username: 'Alexandra-Marie',
  }),
  session({
    session_id: 'a3f1c9e2-7b44-4c2d-8e51-0d9b6a7c5f13',
    title: '千と千尋の神隠し スタジオジブリ作品 劇場公開版 高画質リマスター',
    username: 'はやお',
    state: 'paused',
  }),
  session({
    session_id: 'c7d8e9f0-1a2b-4c3d-9e8f-7a6b5c4d3e2f',
    title: '🎬🍿 Family Movie Night 👨‍👩‍👧‍👦 "Best of" 2025 — Director\'s Cut 🎉🎉🎉',
    username: 'Dad 👨‍👩‍👧‍👦',
    state: 'buffering',
  }),
  session({
    session_id: 'f0e1d2c3-b4a5-4968-8776-655443322110',
    title: 'Ünïcödé Çhåråctérs Éverywhere: A Documentary Series, Season 1 Episode 12',
    username: 'zoë',
    media_type: 'episode',
  }),
];

describe('compact profile', () => {
  it('fits a 4-session snapshot with long multi-byte titles in 1024 bytes', () => {
    const full = snapshot(fourLongSessions);
    const compact = toCompactSnapshot(full);
    expect(bytes(compact)).toBeLessThanOrEqual(COMPACT_MAX_BYTES);
    expect(bytes(compact)).toBeLessThan(bytes(full) / 2);
    expect(safeParse(CompactSnapshot, compact).success).toBe(true);
    expect(compact.sessions.map((s) => s.id)).toEqual(fourLongSessions.map((s) => s.session_id));
    expect(compact.more).toBeUndefined();
    for (const [i, s] of compact.sessions.entries()) {
      const original = fourLongSessions[i];
      expect(jsonStringBytes(s.title)).toBeLessThanOrEqual(48);
      expect(wellFormed(s.title)).toBe(true);
      expect(wellFormed(s.user)).toBe(true);
      // A cut title is a prefix of whole characters of the original plus the ellipsis.
      expect(s.title.endsWith('…')).toBe(true);
      expect(original?.title.startsWith(s.title.slice(0, -1))).toBe(true);
    }
  });

  it('never splits a code point or a grapheme cluster', () => {
    const family = '👨‍👩‍👧‍👦'; // 25 bytes: four people joined by ZWJs
    for (let maxBytes = 3; maxBytes <= 60; maxBytes++) {
      for (const title of [
        `ab${family}${family}cd`,
        '千と千尋の神隠し'.repeat(4),
        '😀😃😄😁😆😅🤣😂🙂🙃😉😊',
      ]) {
        const cut = truncateText(title, maxBytes);
        expect(jsonStringBytes(cut)).toBeLessThanOrEqual(maxBytes);
        expect(wellFormed(cut)).toBe(true);
        const kept = cut.endsWith('…') ? cut.slice(0, -1) : cut;
        expect(title.startsWith(kept)).toBe(true);
        // A family is kept whole or not at all.
        expect(kept.split(family).join('')).not.toMatch(/[\u200d]/);
      }
    }
  });

  it('counts JSON escapes in the byte budget and keeps short text as it is', () => {
    expect(truncateText('The Matrix', 48)).toBe('The Matrix');
    expect(jsonStringBytes('"quoted"\\')).toBe(12);
    const cut = truncateText('"'.repeat(40), 48);
    expect(jsonStringBytes(cut)).toBeLessThanOrEqual(48);
    expect(cut).toBe(`${'"'.repeat(22)}…`);
    expect(truncateText('The Lord of the Rings', 12)).toBe('The Lord…');
    expect(truncateText('abc', 2)).toBe('');
  });

  it('moves the position on to the snapshot time while playing, and clamps it', () => {
    const playing = session({
      current_time: 100,
      duration: 1000,
      position_at_ms: (TS - 10) * 1000,
    });
    const paused = session({ ...playing, state: 'paused' });
    const ending = session({ current_time: 995, duration: 1000, position_at_ms: (TS - 30) * 1000 });
    const unknownLength = session({ current_time: 42.4, duration: 0, progress_percent: 12.34 });
    const seedOnly = session({ current_time: 61.6, duration: 600, position_at_ms: undefined });
    const compact = toCompactSnapshot(
      snapshot([playing, paused, ending, unknownLength, seedOnly]),
      { maxBytes: 4096 },
    );
    expect(compact.sessions.map(({ pos, dur, pct }) => ({ pos, dur, pct }))).toEqual([
      { pos: 110, dur: 1000, pct: 11 },
      { pos: 100, dur: 1000, pct: 10 },
      { pos: 1000, dur: 1000, pct: 100 },
      { pos: 42, dur: 0, pct: 12.3 },
      { pos: 62, dur: 600, pct: 10.3 },
    ]);
    expect(compact.ts).toBe(TS);
    expect(compact.system).toEqual({
      cpu: 23.4,
      temp: 54.3,
      ram: 42.1,
      disk: 78,
      down: 2_621_441,
      up: 262_144,
    });
  });

  it('gives up thumbnails, then title length, then sessions to stay within the budget', () => {
    const longThumb = `/api/media/thumb/${'Library/'.repeat(12)}poster.jpg?width=150&height=225`;
    const many = Array.from({ length: 12 }, (_, i) =>
      session({
        session_id: `session-${i}`,
        title: 'An Extremely Long Title '.repeat(4),
        poster_thumb: longThumb,
      }),
    );
    const two = toCompactSnapshot(snapshot(many.slice(0, 2)));
    expect(two.sessions.map((s) => [jsonStringBytes(s.title), s.thumb])).toEqual([
      [48, longThumb],
      [48, longThumb],
    ]);
    const four = toCompactSnapshot(snapshot(many.slice(0, 4)));
    expect(bytes(four)).toBeLessThanOrEqual(1024);
    expect(four.sessions).toHaveLength(4);
    expect(four.sessions.every((s) => s.thumb === null && jsonStringBytes(s.title) === 48)).toBe(
      true,
    );

    const crowded = toCompactSnapshot(snapshot(many));
    expect(bytes(crowded)).toBeLessThanOrEqual(1024);
    expect(crowded.sessions.map((s) => s.id)).toEqual(
      many.slice(0, crowded.sessions.length).map((s) => s.session_id),
    );
    expect(crowded.more).toBe(12 - crowded.sessions.length);
    expect(crowded.sessions.every((s) => jsonStringBytes(s.title) <= 16)).toBe(true);
    // One more session would not have fitted.
    const next = { ...crowded, sessions: [...crowded.sessions, crowded.sessions[0]] };
    expect(bytes({ ...next, more: (crowded.more ?? 0) - 1 })).toBeGreaterThan(1024);
    expect(safeParse(CompactSnapshot, crowded).success).toBe(true);

    const huge = session({ session_id: 'x'.repeat(2000) });
    expect(toCompactSnapshot(snapshot([huge]))).toMatchObject({ sessions: [], more: 1 });
  });

  it('keeps a frame that fits as it is', () => {
    const compact = toCompactSnapshot(snapshot([session()]));
    expect(compact.sessions[0]).toEqual({
      id: '0b9c2f64-5c1e-4d7a-9a8e-1f2d3c4b5a69',
      title: 'The Matrix',
      user: 'John',
      state: 'playing',
      pct: 45.4,
      pos: 5025,
      dur: 11062,
      thumb: '/api/media/thumb/Movies/The%20Matrix%20(1999)/poster.jpg?width=150&height=225',
    });
    expect(toCompactSnapshot(snapshot([]))).toEqual({
      sessions: [],
      system: expect.any(Object),
      ts: TS,
    });
  });
});

describe('field lists', () => {
  it('picks the fields in Session order, once each', () => {
    const full = snapshot([session(), session({ position_at_ms: undefined })]);
    const picked = pickSessionFields(full, ['state', 'title', 'state', 'position_at_ms']);
    expect(picked.sessions).toEqual([
      { title: 'The Matrix', state: 'playing', position_at_ms: TS * 1000 },
      { title: 'The Matrix', state: 'playing' },
    ]);
    expect(Object.keys(picked.sessions[0] ?? {})).toEqual(['title', 'state', 'position_at_ms']);
    expect(picked.system).toBe(full.system);
    expect(canonicalFields(['state', 'session_id', 'state'])).toEqual(['session_id', 'state']);
    expectTypeOf(picked).toEqualTypeOf<FieldSnapshot<'state' | 'title' | 'position_at_ms'>>();
    expectTypeOf(picked.sessions[0]?.title).toEqualTypeOf<string | undefined>();
  });

  it('validates a field snapshot against exactly its list', () => {
    const schema = fieldSnapshotSchema(['title', 'progress_percent']);
    const picked = pickSessionFields(snapshot([session()]), ['title', 'progress_percent']);
    expect(safeParse(schema, picked).success).toBe(true);
    expect(safeParse(PartialSnapshot, picked).success).toBe(true);
    expectIssueAt(schema, { ...picked, sessions: [{ title: 'x' }] }, [
      'sessions',
      0,
      'progress_percent',
    ]);
    expectIssueAt(schema, { ...picked, sessions: [{ title: 'x', progress_percent: 101 }] }, [
      'sessions',
      0,
      'progress_percent',
    ]);
  });
});

describe('profile query', () => {
  it('defaults to the full profile', () => {
    expect(safeParse(NowPlayingQuery, {}).data).toEqual({ profile: 'full' });
    expect(safeParse(NowPlayingQuery, { profile: 'compact' }).data).toEqual({ profile: 'compact' });
  });

  it('reads a comma list of Session fields, canonically ordered', () => {
    expect(safeParse(NowPlayingQuery, { fields: 'state, title,state' }).data).toEqual({
      profile: 'full',
      fields: ['title', 'state'],
    });
  });

  it('rejects unknown profiles and fields at their exact path', () => {
    expectIssueAt(NowPlayingQuery, { profile: 'tiny' }, ['profile']);
    expectIssueAt(NowPlayingQuery, { fields: 'title,bogus,state' }, ['fields', 1]);
    expectIssueAt(NowPlayingQuery, { fields: '' }, ['fields', 0]);
    expectIssueAt(NowPlayingQuery, { fields: 'title,,state' }, ['fields', 1]);
    expectIssueAt(NowPlayingQuery, { profile: 'compact', fields: 'title' }, ['fields']);
  });
});
