/**
 * The compact profile (`?profile=compact` on `WS /api/dashboard/ws` and
 * `GET /api/dashboard/now-playing`): the snapshot cut down to what a 480×320 panel shows, under
 * short but readable keys, in a frame whose JSON never exceeds a byte budget (1024 bytes unless
 * the server says otherwise), so an ESP32 can parse it into one fixed buffer.
 *
 * Budget, for a frame of 4 sessions: about 125 bytes for `system`, `ts` and the braces; about 100
 * per session for keys, state and numbers; the rest for each session's id, title (48 bytes at
 * most), user (16) and thumbnail path. When the frame would still be too big, `toCompactSnapshot`
 * gives up, in this order, the thumbnails, title length (to 32, then 16 bytes), and finally the
 * last sessions, counted in `more`. Measured: four sessions with UUID ids, long Latin, Japanese and
 * emoji titles and 78-byte thumbnail paths take 2434 bytes in full and 827 compact (no thumbnails,
 * 48-byte titles); with short titles the same four keep their thumbnails in 1002 bytes.
 */
import * as z from 'zod/mini';
import { nonNegativeInt, percent, positiveInt } from '../primitives';
import { SessionState, type Session, type Snapshot, type SystemStats } from './snapshot';
import { truncateText, utf8Bytes } from './text';

/** Largest compact frame, in UTF-8 bytes of its JSON. */
export const COMPACT_MAX_BYTES = 1024;
/** Largest title, in UTF-8 bytes inside the JSON string, while the frame has room. */
export const COMPACT_TITLE_BYTES = 48;
/** Largest user name, in UTF-8 bytes inside the JSON string. */
export const COMPACT_USER_BYTES = 16;

/** One session in the compact profile. */
export const CompactSession = z.object({
  /** `session_id`, verbatim. */
  id: z.string(),
  /** `title`, cut at a character boundary to the byte budget, ending in `…` when cut. */
  title: z.string(),
  /** `username`, cut like the title to 16 bytes. */
  user: z.string(),
  state: SessionState,
  /** Progress in percent at `ts`, one decimal. */
  pct: percent,
  /** Playback position in whole seconds at the frame's `ts` (moved on from `position_at_ms` while playing). */
  pos: nonNegativeInt,
  /** Length in whole seconds; 0 when unknown. */
  dur: nonNegativeInt,
  /** `poster_thumb`; null when there is none or the frame had no room for it. */
  thumb: z.nullable(z.string()),
});
export type CompactSession = z.infer<typeof CompactSession>;

/** The system block in the compact profile: percentages with one decimal, rates whole. */
export const CompactSystem = z.object({
  /** `cpu_percent`. */
  cpu: percent,
  /** `cpu_temp` in °C; null without a sensor. */
  temp: z.nullable(z.number()),
  /** `ram_percent`. */
  ram: percent,
  /** `disk_percent`. */
  disk: percent,
  /** `network_down_bps`, bits per second. */
  down: nonNegativeInt,
  /** `network_up_bps`, bits per second. */
  up: nonNegativeInt,
});
export type CompactSystem = z.infer<typeof CompactSystem>;

/** The compact profile's message: at most 1024 bytes of JSON. */
export const CompactSnapshot = z.object({
  sessions: z.array(CompactSession),
  /** Sessions left out to stay within the byte budget; absent when none were. */
  more: z.optional(positiveInt),
  system: CompactSystem,
  /** Unix seconds (whole) when the snapshot was taken; `pos` is the position at this time. */
  ts: nonNegativeInt,
});
export type CompactSnapshot = z.infer<typeof CompactSnapshot>;

export interface CompactOptions {
  /**
   * Largest frame, in UTF-8 bytes of its JSON. Below about 150 bytes even a frame without
   * sessions cannot meet it, and that frame is returned.
   * @default 1024
   */
  readonly maxBytes?: number;
  /**
   * Largest title, in UTF-8 bytes inside the JSON string, while the frame has room.
   * @default 48
   */
  readonly titleBytes?: number;
}

interface Step {
  readonly titleBytes: number;
  readonly thumbs: boolean;
}

/**
 * The compact form of `snapshot`, within `maxBytes` (see the file comment for what gives way).
 * Pure: the server, the simulators and firmware tests all use it, so they agree to the byte.
 */
export function toCompactSnapshot(
  snapshot: Snapshot,
  options: CompactOptions = {},
): CompactSnapshot {
  const maxBytes = options.maxBytes ?? COMPACT_MAX_BYTES;
  const titleBytes = options.titleBytes ?? COMPACT_TITLE_BYTES;
  const ts = Math.floor(snapshot.timestamp);
  const system = compactSystem(snapshot.system);
  // Thumbnails go first: a panel shows a poster only while it lists one or two sessions, and
  // those frames keep them. Titles shorten next, then sessions go.
  const steps: Step[] = [
    { titleBytes, thumbs: true },
    { titleBytes, thumbs: false },
    { titleBytes: Math.min(titleBytes, 32), thumbs: false },
    { titleBytes: Math.min(titleBytes, 16), thumbs: false },
  ];
  let sessions: CompactSession[] = [];
  for (const step of steps) {
    sessions = snapshot.sessions.map((session) => compactSession(session, ts, step));
    const frame: CompactSnapshot = { sessions, system, ts };
    if (utf8Bytes(JSON.stringify(frame)) <= maxBytes) return frame;
  }
  if (sessions.length === 0) return { sessions, system, ts };
  // Still too big: keep the longest run of sessions from the start that fits.
  const sizes = sessions.map((session) => utf8Bytes(JSON.stringify(session)));
  let kept = sessions.length;
  let listBytes = sizes.reduce((sum, size) => sum + size, 0) + Math.max(0, kept - 1);
  while (kept > 0) {
    kept -= 1;
    listBytes -= (sizes[kept] ?? 0) + (kept > 0 ? 1 : 0); // the session and its comma
    const more = sessions.length - kept;
    const frameBytes = utf8Bytes(JSON.stringify({ sessions: [], more, system, ts })) + listBytes;
    if (frameBytes <= maxBytes) break;
  }
  return { sessions: sessions.slice(0, kept), more: sessions.length - kept, system, ts };
}

function compactSession(session: Session, ts: number, step: Step): CompactSession {
  const position = positionAt(session, ts);
  return {
    id: session.session_id,
    title: truncateText(session.title, step.titleBytes),
    user: truncateText(session.username, COMPACT_USER_BYTES),
    state: session.state,
    pct:
      session.duration > 0
        ? oneDecimal(Math.min(100, (position / session.duration) * 100))
        : oneDecimal(session.progress_percent),
    pos: Math.round(position),
    dur: Math.round(session.duration),
    thumb: step.thumbs ? session.poster_thumb : null,
  };
}

/** Seconds into the media at Unix second `ts`, moved on from `position_at_ms` while playing. */
function positionAt(session: Session, ts: number): number {
  const moved =
    session.state === 'playing' && session.position_at_ms !== undefined
      ? session.current_time + (ts * 1000 - session.position_at_ms) / 1000
      : session.current_time;
  const end = session.duration > 0 ? session.duration : Infinity;
  return Math.min(Math.max(moved, 0), end);
}

function compactSystem(system: SystemStats): CompactSystem {
  return {
    cpu: oneDecimal(system.cpu_percent),
    temp: system.cpu_temp === null ? null : oneDecimal(system.cpu_temp),
    ram: oneDecimal(system.ram_percent),
    disk: oneDecimal(system.disk_percent),
    down: Math.round(system.network_down_bps),
    up: Math.round(system.network_up_bps),
  };
}

function oneDecimal(value: number): number {
  return Math.round(value * 10) / 10;
}
