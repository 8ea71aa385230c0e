/**
 * Turns a Now Playing snapshot into terminal lines: one per session, or one saying that nothing
 * plays. Pure, so the program's output is easy to test and to reuse.
 */
import type { Snapshot } from '@marquee/sdk';

type Session = Snapshot['sessions'][number];

const STATE_MARK: Record<Session['state'], string> = {
  playing: '>',
  paused: '||',
  buffering: '..',
  stopped: '[]',
};

/** `5025` → `1:23:45`; `65` → `1:05`. */
export function clock(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** `> John: The Matrix [movie] 1:23:45 / 3:04:22 (45.2%)` */
export function sessionLine(session: Session): string {
  const length = session.duration > 0 ? ` / ${clock(session.duration)}` : '';
  return (
    `${STATE_MARK[session.state]} ${session.username}: ${session.title} [${session.media_type}] ` +
    `${clock(session.current_time)}${length} (${session.progress_percent}%)`
  );
}

/** The lines for one snapshot. */
export function snapshotLines(snapshot: Snapshot): string[] {
  if (snapshot.sessions.length === 0) return ['Nothing playing'];
  return snapshot.sessions.map(sessionLine);
}
