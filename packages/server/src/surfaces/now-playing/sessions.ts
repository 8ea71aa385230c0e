/**
 * Active playback sessions (seed 000): created and refreshed by the web player's updates, removed
 * when stopped through the API or after `ttlSeconds` without an update. Time is injected so the
 * 30 s expiry is tested without waiting. Every removal is reported so it can be stored as history.
 *
 * Bounded: a user holds at most `maxPerUser` live sessions and all users together `maxTotal`. A
 * new session beyond either is refused with RATE_LIMITED (429), since the bound frees itself: a
 * session without updates ends after `ttlSeconds`. Updates to a live session always pass.
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import type { Identity } from '../../core/auth/types';

type Session = protocol.nowPlaying.Session;
type SessionUpdate = protocol.nowPlaying.SessionUpdate;

export interface TrackedSession {
  readonly session: Session;
  /** Unix ms at which `session.current_time` was true. */
  readonly positionAtMs: number;
  readonly startedAtMs: number;
  /** When the last update came, on the monotonic clock: how long a session went silent. */
  readonly seenAt: number;
  /** Seconds of media actually played (sum of forward position moves while playing). */
  readonly watchedSeconds: number;
  readonly path: string | null;
}

export type EndReason = 'stopped' | 'expired';

export interface SessionTrackerOptions {
  /** A session with no update for this long is removed. @default 30 */
  ttlSeconds: number;
  /** Unix ms: `last_update`, history times. */
  now: () => number;
  /** Durations: the TTL and the time played between updates (core/clock.ts). */
  monotonic: () => number;
  /** Live sessions one user may hold; a new one beyond is refused. */
  maxPerUser: number;
  /** Live sessions of all users together; a new one beyond is refused. */
  maxTotal: number;
  /** Called once for each session that ends, after it has been removed. */
  onEnded?: (ended: TrackedSession, reason: EndReason, atMs: number) => void;
}

/** The seed's `progress_percent`: one decimal, at most 100, 0 when the length is unknown. */
export function progressPercent(position: number, duration: number): number {
  return duration > 0 ? Math.round(Math.min(100, (position / duration) * 100) * 10) / 10 : 0;
}

export class SessionTracker {
  readonly #sessions = new Map<string, TrackedSession>();
  /** Live sessions per user_id, kept with `#sessions` so the bound check is O(1). */
  readonly #perUser = new Map<number, number>();
  readonly #options: SessionTrackerOptions;

  constructor(options: SessionTrackerOptions) {
    this.#options = options;
  }

  /** Creates or refreshes a session; another user's session is refused unless the caller is admin. */
  update(identity: Identity & { kind: 'user' }, body: SessionUpdate): TrackedSession {
    const now = this.#options.now();
    const seenAt = this.#options.monotonic();
    const previous = this.#sessions.get(body.session_id);
    if (previous && previous.session.user_id !== identity.userId && identity.role !== 'admin') {
      throw new MarqueeError('FORBIDDEN', 'This session belongs to another user');
    }
    if (previous === undefined) this.#admit(identity.userId);
    const played =
      previous && previous.session.state === 'playing'
        ? Math.max(
            0,
            Math.min(
              body.current_time - previous.session.current_time,
              (seenAt - previous.seenAt) / 1000 + 1,
            ),
          )
        : 0;
    const duration = body.duration;
    const username = body.username ?? previous?.session.username ?? identity.username;
    const session: Session = {
      session_id: body.session_id,
      user_id: previous?.session.user_id ?? identity.userId,
      username,
      avatar_url: protocol.media.avatarPath(username),
      media_type: body.media_type ?? previous?.session.media_type ?? 'video',
      title: body.title,
      poster_url: body.poster_url ?? previous?.session.poster_url ?? null,
      poster_thumb: previous?.session.poster_thumb ?? null,
      progress_percent: progressPercent(body.current_time, duration),
      current_time: body.current_time,
      duration,
      state: body.state,
      bitrate: body.bitrate ?? previous?.session.bitrate ?? null,
      last_update: Math.floor(now / 1000),
      position_at_ms: now,
    };
    const tracked: TrackedSession = {
      session,
      positionAtMs: now,
      startedAtMs: previous?.startedAtMs ?? now,
      seenAt,
      watchedSeconds: (previous?.watchedSeconds ?? 0) + played,
      path: body.path ?? previous?.path ?? null,
    };
    this.#sessions.set(body.session_id, tracked);
    if (previous === undefined) {
      this.#perUser.set(session.user_id, (this.#perUser.get(session.user_id) ?? 0) + 1);
    }
    return tracked;
  }

  /** Refuses a new session of `userId` past either bound. */
  #admit(userId: number): void {
    const { maxPerUser, maxTotal, ttlSeconds } = this.#options;
    const wait = `; an idle session ends after ${ttlSeconds} s`;
    if ((this.#perUser.get(userId) ?? 0) >= maxPerUser) {
      throw new MarqueeError(
        'RATE_LIMITED',
        `This user already has ${maxPerUser} live sessions (MARQUEE_MAX_SESSIONS_PER_USER)${wait}`,
      );
    }
    if (this.#sessions.size >= maxTotal) {
      throw new MarqueeError(
        'RATE_LIMITED',
        `The server already tracks ${maxTotal} live sessions (MARQUEE_MAX_SESSIONS)${wait}`,
      );
    }
  }

  /** Sets the thumbnail URL once it is known (thumbnails are resolved after the update). */
  setThumb(sessionId: string, thumb: string | null): void {
    const tracked = this.#sessions.get(sessionId);
    if (tracked)
      this.#sessions.set(sessionId, {
        ...tracked,
        session: { ...tracked.session, poster_thumb: thumb },
      });
  }

  /** Stops a session: owner or admin, else FORBIDDEN; unknown id NOT_FOUND. */
  stop(identity: Identity & { kind: 'user' }, sessionId: string): TrackedSession {
    const tracked = this.#sessions.get(sessionId);
    if (!tracked) throw new MarqueeError('NOT_FOUND', `Session ${sessionId} not found`);
    if (tracked.session.user_id !== identity.userId && identity.role !== 'admin') {
      throw new MarqueeError('FORBIDDEN', 'Only the session owner or an admin can stop it');
    }
    this.#end(tracked, 'stopped');
    return tracked;
  }

  /** Removes sessions past their TTL; returns how many were removed. */
  sweep(): number {
    const now = this.#options.monotonic();
    const limit = this.#options.ttlSeconds * 1000;
    let removed = 0;
    for (const tracked of [...this.#sessions.values()]) {
      if (now - tracked.seenAt >= limit) {
        this.#end(tracked, 'expired');
        removed++;
      }
    }
    return removed;
  }

  /** Sessions in the order they started. */
  list(): TrackedSession[] {
    return [...this.#sessions.values()];
  }

  get(sessionId: string): TrackedSession | undefined {
    return this.#sessions.get(sessionId);
  }

  /** Distinct users with an active session (the snapshot's `active_users`). */
  activeUsers(): number {
    return new Set([...this.#sessions.values()].map((t) => t.session.user_id)).size;
  }

  #end(tracked: TrackedSession, reason: EndReason): void {
    this.#sessions.delete(tracked.session.session_id);
    const userId = tracked.session.user_id;
    const left = (this.#perUser.get(userId) ?? 1) - 1;
    if (left > 0) this.#perUser.set(userId, left);
    else this.#perUser.delete(userId);
    this.#options.onEnded?.(tracked, reason, this.#options.now());
  }
}
