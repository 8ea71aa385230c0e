/**
 * Writes the frames the ESP32 panel's host tests parse (`ctest`, test `server_fixtures`): Now
 * Playing snapshots validated by the SDK's schema and turned into compact frames by
 * `toCompactSnapshot`, the function the server serves `?profile=compact` with, serialised as the
 * server serialises them. Beside each frame, a manifest says what the panel must make of it, so
 * the C++ test compares the core's structs with what the TypeScript side says, field by field.
 *
 *   node --conditions=@marquee/source --import tsx scripts/firmware-fixtures.ts <out-dir>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { protocol } from '@marquee/sdk';

const { Snapshot, toCompactSnapshot, CompactSnapshot } = protocol.nowPlaying;
type Snapshot = protocol.nowPlaying.Snapshot;
type Session = protocol.nowPlaying.Session;
type CompactSnapshot = protocol.nowPlaying.CompactSnapshot;

const TS = 1_768_670_000;
const MAX_SESSIONS = 4;

const system: Snapshot['system'] = {
  cpu_percent: 23.4,
  cpu_temp: 54.2,
  ram_percent: 42.1,
  ram_used_mb: 1536,
  ram_total_mb: 3648,
  disk_percent: 78,
  disk_used_gb: 45.2,
  disk_total_gb: 58,
  network_down_bps: 2_621_440,
  network_up_bps: 262_144,
  uptime_seconds: 442_800,
  load_avg: 0.45,
  active_users: 2,
};

let counter = 0;
function session(overrides: Partial<Session>): Session {
  counter++;
  return {
    session_id: `0b9c2f64-5c1e-4d7a-9a8e-1f2d3c4b5a${String(counter).padStart(2, '0')}`,
    user_id: counter,
    username: 'John',
    avatar_url: null,
    media_type: 'movie',
    title: 'The Matrix',
    poster_url: '/media/Movies/The Matrix (1999)/poster.jpg',
    poster_thumb: '/api/media/thumb/Movies/The%20Matrix%20(1999)/poster.jpg?width=150&height=225',
    progress_percent: 45.2,
    current_time: 5025,
    duration: 11062,
    state: 'playing',
    bitrate: 2_500_000,
    last_update: TS - 1,
    position_at_ms: (TS - 1) * 1000,
    ...overrides,
  };
}

function snapshot(
  sessions: Session[],
  systemOverrides: Partial<Snapshot['system']> = {},
): Snapshot {
  return Snapshot.parse({ sessions, system: { ...system, ...systemOverrides }, timestamp: TS });
}

const longTitles = [
  'The Lord of the Rings: The Fellowship of the Ring (Extended Edition)',
  '千と千尋の神隠し スタジオジブリ 劇場版 デジタルリマスター版 特別編集',
  '🎬🍿 Movie night 👨‍👩‍👧‍👦 with the whole family 🎉🎉🎉 and friends',
  'Star Wars: Episode V – The Empire Strikes Back (Despecialized)',
];

interface Fixture {
  readonly name: string;
  /** What the panel must answer: a frame, or the core's error. */
  readonly expect: 'ok' | 'WRONG_PROFILE' | 'TOO_LARGE';
  readonly json: string;
  readonly frame?: CompactSnapshot;
}

function compact(name: string, snap: Snapshot): Fixture {
  const frame = CompactSnapshot.parse(toCompactSnapshot(snap));
  return { name, expect: 'ok', json: JSON.stringify(frame), frame };
}

const fixtures: Fixture[] = [
  compact('one-session', snapshot([session({})])),
  compact(
    'four-long-titles',
    snapshot(
      longTitles.map((title, i) =>
        session({
          session_id: crypto.randomUUID(),
          title,
          username: i === 1 ? 'ユーザー名がとても長い人' : 'Alexandra-Katharina',
          state: i === 2 ? 'paused' : 'playing',
          poster_thumb: `/api/media/thumb/Movies/${encodeURIComponent(title.slice(0, 20))}/poster.jpg?width=150&height=225`,
        }),
      ),
    ),
  ),
  compact(
    'four-short-with-thumbs',
    snapshot(['Up', 'Heat', 'Jaws', 'Alien'].map((title) => session({ title }))),
  ),
  compact(
    'seven-sessions',
    snapshot(
      Array.from({ length: 7 }, (_, i) =>
        session({ title: `Episode ${i + 1}: ${longTitles[i % 4] ?? ''}`, media_type: 'episode' }),
      ),
    ),
  ),
  compact('nothing-playing', snapshot([], { cpu_temp: null })),
  compact(
    'states-and-unknown-duration',
    snapshot([
      session({ state: 'paused', current_time: 60 }),
      session({ state: 'stopped' }),
      session({
        state: 'buffering',
        duration: 0,
        progress_percent: 12.5,
        position_at_ms: undefined,
      }),
      session({ state: 'playing', current_time: 11_000, duration: 11_062 }),
    ]),
  ),
  // JavaScript strings may hold a lone surrogate (a title cut mid-emoji by some player);
  // JSON.stringify writes it as a \ud83d escape that cJSON refuses unless the core repairs it.
  compact('lone-surrogate', snapshot([session({ title: `Broken ${'😀'.slice(0, 1)} emoji` })])),
  compact(
    'escapes',
    snapshot([session({ title: 'Quote " backslash \\ tab\there', username: 'A/B "C"' })]),
  ),
  {
    name: 'full-profile-empty',
    expect: 'WRONG_PROFILE',
    json: JSON.stringify(snapshot([])),
  },
  {
    name: 'full-profile-four',
    expect: 'TOO_LARGE',
    json: JSON.stringify(snapshot(longTitles.map((title) => session({ title })))),
  },
];

/**
 * What the panel shows for a text: well-formed (a lone surrogate becomes U+FFFD) and with control
 * characters as spaces, which is what the core's mq_utf8_copy makes of them.
 */
function shown(text: string): string {
  let result = '';
  for (const char of text) {
    // Iterating a string yields lone surrogates as one-unit strings.
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0xd800 && code <= 0xdfff) result += '\uFFFD';
    else result += code < 0x20 || code === 0x7f ? ' ' : char;
  }
  return result;
}

const out = process.argv[2];
if (!out) {
  console.error('usage: firmware-fixtures.ts <out-dir>');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const manifest = fixtures.map((fixture) => {
  writeFileSync(join(out, `${fixture.name}.json`), fixture.json);
  const frame = fixture.frame;
  return {
    name: fixture.name,
    file: `${fixture.name}.json`,
    bytes: Buffer.byteLength(fixture.json),
    expect: fixture.expect,
    ...(frame && {
      frame: {
        ts: frame.ts,
        count: Math.min(frame.sessions.length, MAX_SESSIONS),
        more: (frame.more ?? 0) + Math.max(0, frame.sessions.length - MAX_SESSIONS),
        sessions: frame.sessions.slice(0, MAX_SESSIONS).map((s) => ({
          id: s.id,
          title: shown(s.title),
          user: shown(s.user),
          state: s.state,
          pct_tenths: Math.round(s.pct * 10),
          pos: s.pos,
          dur: s.dur,
          thumb: s.thumb ?? '',
        })),
        system: {
          cpu_tenths: Math.round(frame.system.cpu * 10),
          ram_tenths: Math.round(frame.system.ram * 10),
          disk_tenths: Math.round(frame.system.disk * 10),
          temp_tenths: frame.system.temp === null ? null : Math.round(frame.system.temp * 10),
          down: frame.system.down,
          up: frame.system.up,
        },
      },
    }),
  };
});
writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2));
console.log(`wrote ${manifest.length} frames to ${out}`);
