/**
 * The panel's frame rules (the firmware's mq_frame.c / mq_json.c in TypeScript) and its screen:
 * what is refused and with which text, what is cut or counted, and how progress moves.
 */
import { protocol } from '@marquee/sdk';
import { describe, expect, it } from 'vitest';
import { PANEL_LIMITS, parsePanelFrame, type PanelFrame } from '../src/index';
import { formatDuration, formatRate } from '../src/panel/format';
import { renderPage, sessionProgress, type ScreenView } from '../src/panel/screen';

const { toCompactSnapshot } = protocol.nowPlaying;

const system = { cpu: 23.4, temp: 54.2, ram: 42.1, disk: 78, down: 2_621_440, up: 262_144 };
const session = {
  id: 'abc123',
  title: 'The Matrix',
  user: 'John',
  state: 'playing',
  pct: 40,
  pos: 2402,
  dur: 6000,
  thumb: null,
};

function parse(value: unknown) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return parsePanelFrame(Buffer.from(text), PANEL_LIMITS);
}

function accepted(value: unknown): PanelFrame {
  const result = parse(value);
  if (!result.ok) throw new Error(`refused: ${result.code} at ${result.field}`);
  return result.frame;
}

describe('parsePanelFrame', () => {
  it('accepts what the server renders with toCompactSnapshot', () => {
    const sessions = Array.from({ length: 6 }, (_, i) => ({
      session_id: `00000000-0000-4000-8000-00000000000${i}`,
      user_id: 1,
      username: 'a rather long user name',
      avatar_url: null,
      media_type: 'movie',
      title: `${'Ω'.repeat(40)} ${i}`,
      poster_url: null,
      poster_thumb: '/api/media/thumb/Movies/poster.jpg?width=150&height=225',
      progress_percent: 10,
      current_time: 100,
      duration: 1000,
      state: 'playing' as const,
      bitrate: null,
      last_update: 1_768_670_000,
    }));
    const snapshot = {
      sessions,
      system: {
        cpu_percent: 1,
        cpu_temp: null,
        ram_percent: 2,
        ram_used_mb: 1,
        ram_total_mb: 2,
        disk_percent: 3,
        disk_used_gb: 1,
        disk_total_gb: 2,
        network_down_bps: 0,
        network_up_bps: 0,
        uptime_seconds: 1,
        load_avg: 0,
        active_users: 1,
      },
      timestamp: 1_768_670_000,
    };
    const frame = accepted(toCompactSnapshot(snapshot));
    expect(frame.sessions.length).toBe(PANEL_LIMITS.maxSessions);
    expect(frame.sessions.length + frame.more).toBe(6);
    expect(frame.sessions.every((s) => Buffer.byteLength(s.title) <= 48)).toBe(true);
  });

  it('refuses with the firmware texts, naming the field', () => {
    const cases: [unknown, string, string][] = [
      ['', 'empty', '$'],
      [`{"sessions":[],"pad":"${'x'.repeat(1100)}"}`, 'too_large', '$'],
      ['{"sessions":[', 'syntax', '$'],
      ['{"a":' + '['.repeat(9) + ']'.repeat(9) + '}', 'too_complex', '$'],
      [{ a: Array.from({ length: 200 }, () => 1) }, 'too_complex', '$'],
      [[1, 2], 'not_object', '$'],
      [{ sessions: [], system: {}, timestamp: 1 }, 'wrong_profile', 'timestamp'],
      [{ sessions: [], system }, 'missing_field', 'ts'],
      [{ sessions: {}, system, ts: 1 }, 'bad_type', 'sessions'],
      [{ sessions: [{ ...session, pos: -1 }], system, ts: 1 }, 'bad_value', 'pos'],
      [{ sessions: [{ ...session, id: '' }], system, ts: 1 }, 'bad_value', 'id'],
      [{ sessions: [{ ...session, title: 7 }], system, ts: 1 }, 'bad_type', 'title'],
      [{ sessions: [], ts: 1 }, 'missing_field', 'system'],
    ];
    for (const [value, code, field] of cases) {
      expect(parse(value), JSON.stringify(value).slice(0, 60)).toEqual({ ok: false, code, field });
    }
  });

  it('counts sessions past maxSessions in more, cuts texts, drops bad thumbs', () => {
    const many = Array.from({ length: 6 }, (_, i) => ({ ...session, id: `s${i}` }));
    const frame = accepted({ sessions: many, more: 2, system, ts: 1 });
    expect(frame.sessions.map((s) => s.id)).toEqual(['s0', 's1', 's2', 's3']);
    expect(frame.more).toBe(4);

    const odd = accepted({
      sessions: [
        {
          ...session,
          title: `${'é'.repeat(30)}`,
          user: 'tab\there',
          state: 'rewinding',
          pct: 140,
          thumb: '/bad path',
          id: 'x'.repeat(201),
          extra: { ignored: true },
        },
      ],
      system: { ...system, temp: null },
      ts: 1,
    });
    const s = odd.sessions[0];
    expect(s?.title).toBe(`${'é'.repeat(22)}…`);
    expect(Buffer.byteLength(s?.title ?? '')).toBeLessThanOrEqual(48);
    expect(s?.user).toBe('tab here');
    expect(s?.state).toBe('unknown');
    expect(s?.pct).toBe(100);
    expect(s?.thumb).toBeNull();
    expect(s?.idTooLong).toBe(true);
    expect(odd.system.temp).toBeNull();
  });
});

describe('the screen', () => {
  const frame = accepted({ sessions: [session], system, ts: 1_000 });
  const view = (now: number, overrides: Partial<ScreenView> = {}): ScreenView => ({
    frame: { value: frame, receivedAt: 1_000_000 },
    selected: 0,
    now,
    staleAfterMs: 10_000,
    server: 'media:8000',
    connection: { state: 'live', retryAt: undefined, connects: 1, drops: 0, lastClose: undefined },
    framesOk: 1,
    rejected: 0,
    lastError: undefined,
    lastFrameBytes: 300,
    command: undefined,
    ...overrides,
  });
  const s = frame.sessions[0];
  if (s === undefined) throw new Error('no session');

  it('interpolates pos + (now − ts) while playing, clamped to the duration, frozen when stale', () => {
    expect(sessionProgress(s, view(1_000_000)).posMs).toBe(2_402_000);
    expect(sessionProgress(s, view(1_002_500)).posMs).toBe(2_404_500);
    // Stale after 10 s: the clock stops 10 s past the frame.
    const stale = sessionProgress(s, view(1_060_000));
    expect(stale).toMatchObject({ posMs: 2_412_000, moving: false });
    const nearEnd = { ...s, pos: 5999 };
    expect(sessionProgress(nearEnd, view(1_005_000))).toMatchObject({
      posMs: 6_000_000,
      permille: 1000,
      moving: false,
    });
    expect(sessionProgress({ ...s, state: 'paused' }, view(1_005_000)).posMs).toBe(2_402_000);
  });

  it('renders the pages as text', () => {
    expect(renderPage(view(1_000_000), 'now-playing')).toBe(
      'NOW PLAYING  1/1\n▶ The Matrix — John  40:02/1:40:00\n[########............] 40.0%',
    );
    expect(renderPage(view(1_030_000, { command: 'Pausing…' }), 'now-playing')).toContain(
      'Pausing…\nstale: no update for 30 s',
    );
    expect(renderPage(view(1_000_000), 'system')).toBe(
      'SYSTEM\ncpu 23.4%  temp 54.2 °C\nram 42.1%  disk 78.0%\ndown 2.6 Mb/s  up 262 kb/s',
    );
    expect(renderPage(view(0, { frame: undefined }), 'now-playing')).toBe(
      'NOW PLAYING\nWaiting for media:8000 (live)',
    );
    expect(formatDuration(59)).toBe('0:59');
    expect(formatRate(999)).toBe('999 b/s');
  });
});
