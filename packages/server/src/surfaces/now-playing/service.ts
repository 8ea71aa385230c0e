/**
 * The Now Playing surface's service: owns the session tracker, composes `{sessions, system,
 * timestamp}` snapshots from it and the shared system sampler, and broadcasts them to the hub
 * every interval and immediately when a session changes. One snapshot is built per broadcast and
 * serialised once per profile (full, compact, each field list; see profiles.ts), whatever the
 * number of subscribers.
 */
import { MarqueeError, type protocol } from '@marquee/sdk';
import type { Identity } from '../../core/auth/types';
import type { SessionHistoryRepository } from '../../core/store/types';
import { SessionTracker, type EndReason, type TrackedSession } from './sessions';
import type { UpstreamSession, UpstreamSessionSink } from './upstream-sessions';

type Snapshot = protocol.nowPlaying.Snapshot;
type SystemStats = protocol.nowPlaying.SystemStats;
type SessionSource = protocol.nowPlaying.SessionSource;
type Session = protocol.nowPlaying.Session;

/** The sessions one media server listed at its last successful poll. */
interface UpstreamList {
  readonly sessions: readonly UpstreamSession[];
  /** Unix ms of that poll. */
  readonly atMs: number;
  /** When it arrived, on the monotonic clock (its age decides when it is stale). */
  readonly seenAt: number;
}

/** How long a media server's session has been listed, for its history row when it ends. */
interface UpstreamLife {
  readonly startedAtMs: number;
  readonly watchedSeconds: number;
  readonly position: number;
  readonly state: Session['state'];
  /** Unix ms of the listing these figures come from. */
  readonly atMs: number;
}

/** The hub topic every Now Playing subscriber listens on. */
export const NOW_PLAYING_TOPIC = 'now-playing';

export type SystemSample = Omit<SystemStats, 'active_users'>;

export interface NowPlayingDeps {
  /** Broadcasts a snapshot to every subscriber (latest wins for slow ones). */
  readonly broadcast: (snapshot: Snapshot) => void;
  readonly history: SessionHistoryRepository;
  /** Unix ms: timestamps. */
  readonly now: () => number;
  /** Durations: session and media-server staleness (core/clock.ts). */
  readonly monotonic: () => number;
  readonly ttlSeconds: number;
  /** Live sessions per user (MARQUEE_MAX_SESSIONS_PER_USER). */
  readonly maxSessionsPerUser: number;
  /** Live sessions in all (MARQUEE_MAX_SESSIONS). */
  readonly maxSessions: number;
  readonly logger?: { error(obj: unknown, msg: string): void };
}

export class NowPlayingService implements UpstreamSessionSink {
  readonly tracker: SessionTracker;
  /** Sessions read from Plex / Jellyfin (upstream-sessions.ts), by source. */
  readonly #upstream = new Map<SessionSource, UpstreamList>();
  /** Each listed media-server session's start and time played, by session_id. */
  readonly #upstreamLives = new Map<string, UpstreamLife>();
  readonly #deps: NowPlayingDeps;
  readonly #listeners = new Set<(snapshot: Snapshot) => void>();
  readonly #changeListeners = new Set<() => void>();
  /** Sessions posted to other instances (cluster.ts), by node id. */
  readonly #remote = new Map<string, readonly protocol.nowPlaying.Session[]>();
  /** Newest sample from the shared sampler; undefined while nobody subscribes. */
  #system: SystemSample | undefined;
  /** Reads that broadcasts wait for (holdUntil). */
  #holds = 0;

  constructor(deps: NowPlayingDeps) {
    this.#deps = deps;
    this.tracker = new SessionTracker({
      ttlSeconds: deps.ttlSeconds,
      maxPerUser: deps.maxSessionsPerUser,
      maxTotal: deps.maxSessions,
      now: deps.now,
      monotonic: deps.monotonic,
      onEnded: (ended, reason, atMs) => this.#recordHistory(ended, reason, atMs),
    });
  }

  /**
   * Sessions players posted: to this instance, then to the others (a session another instance
   * also holds, because its player switched instances, is shown once: this instance's copy).
   */
  #playerSessions(): protocol.nowPlaying.Session[] {
    const local = this.tracker.list().map((t) => t.session);
    if (this.#remote.size === 0) return local;
    const seen = new Set(local.map((session) => session.session_id));
    const all = [...local];
    for (const sessions of this.#remote.values()) {
      for (const session of sessions) {
        if (seen.has(session.session_id)) continue;
        seen.add(session.session_id);
        all.push(session);
      }
    }
    return all;
  }

  /** The sessions posted to this instance (what it shares with the others). */
  localSessions(): protocol.nowPlaying.Session[] {
    return this.tracker.list().map((t) => t.session);
  }

  /** Another instance's sessions, replacing what it shared before; broadcast. */
  setRemoteSessions(node: string, sessions: readonly protocol.nowPlaying.Session[]): void {
    if (sessions.length === 0 && !this.#remote.has(node)) return;
    if (sessions.length === 0) this.#remote.delete(node);
    else this.#remote.set(node, sessions.slice(0, this.#deps.maxSessions));
    this.broadcast();
  }

  /** Forgets another instance's sessions (it stopped, or this one no longer listens). */
  dropRemoteSessions(node?: string): void {
    const had = node === undefined ? this.#remote.size > 0 : this.#remote.delete(node);
    if (node === undefined) this.#remote.clear();
    if (had) this.broadcast();
  }

  /** The instance holding a session posted there (not here), with the session. */
  remoteSession(
    sessionId: string,
  ): { readonly node: string; readonly session: protocol.nowPlaying.Session } | undefined {
    for (const [node, sessions] of this.#remote) {
      const session = sessions.find((each) => each.session_id === sessionId);
      if (session !== undefined) return { node, session };
    }
    return undefined;
  }

  /** Nodes whose sessions are held. */
  remoteNodes(): string[] {
    return [...this.#remote.keys()];
  }

  /** Runs `listener` whenever this instance's own sessions change; returns its removal. */
  onLocalChange(listener: () => void): () => void {
    this.#changeListeners.add(listener);
    return () => {
      this.#changeListeners.delete(listener);
    };
  }

  /** This instance's sessions changed (posted, stopped, expired, a thumbnail resolved). */
  changed(): void {
    for (const listener of this.#changeListeners) listener();
    this.broadcast();
  }

  snapshot(system: SystemSample): Snapshot {
    return {
      sessions: [
        ...this.#playerSessions(),
        ...[...this.#upstream.values()].flatMap((list) => list.sessions.map((u) => u.session)),
      ],
      system: { ...system, active_users: this.activeUsers() },
      timestamp: Math.floor(this.#deps.now() / 1000),
    };
  }

  /** Distinct users with an active session: Marquee accounts, plus each media server's users. */
  activeUsers(): number {
    const upstreamUsers = new Set<string>();
    for (const [source, list] of this.#upstream) {
      for (const each of list.sessions) upstreamUsers.add(`${source}:${each.session.username}`);
    }
    const players = new Set(this.#playerSessions().map((session) => session.user_id));
    return players.size + upstreamUsers.size;
  }

  /**
   * What a media server lists now (its latest successful poll): replaces that source's sessions,
   * so one no longer listed is gone; at most `maxSessions` per source are kept.
   */
  setUpstreamSessions(source: SessionSource, sessions: UpstreamSession[], atMs: number): void {
    const kept = sessions.slice(0, this.#deps.maxSessions);
    const listed = new Set(kept.map((each) => each.session.session_id));
    for (const gone of this.#upstream.get(source)?.sessions ?? []) {
      if (!listed.has(gone.session.session_id)) this.#endUpstream(gone.session, 'stopped', atMs);
    }
    for (const { session } of kept) this.#followUpstream(session, atMs);
    this.#upstream.set(source, { sessions: kept, atMs, seenAt: this.#deps.monotonic() });
    this.broadcast();
  }

  /** Starts or advances a media-server session's life (watched time counts while playing). */
  #followUpstream(session: Session, atMs: number): void {
    const before = this.#upstreamLives.get(session.session_id);
    const played =
      before?.state === 'playing'
        ? Math.max(
            0,
            Math.min(session.current_time - before.position, (atMs - before.atMs) / 1000 + 1),
          )
        : 0;
    this.#upstreamLives.set(session.session_id, {
      startedAtMs: before?.startedAtMs ?? atMs,
      watchedSeconds: (before?.watchedSeconds ?? 0) + played,
      position: session.current_time,
      state: session.state,
      atMs,
    });
  }

  /** A media-server session is no longer listed (or its server went silent): one history row. */
  #endUpstream(session: Session, reason: EndReason, atMs: number): void {
    const life = this.#upstreamLives.get(session.session_id);
    this.#upstreamLives.delete(session.session_id);
    const startedAtMs = life?.startedAtMs ?? atMs;
    this.#addHistory(session, null, startedAtMs, life?.watchedSeconds ?? 0, reason, atMs);
  }

  /** A media server's session by its `session_id` (the poster route's lookup). */
  upstreamSession(sessionId: string): UpstreamSession | undefined {
    for (const list of this.#upstream.values()) {
      const found = list.sessions.find((each) => each.session.session_id === sessionId);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * A new system sample: the sampler's interval is the broadcast interval (seed 000: every 2 s).
   * The sampler runs only while the topic has subscribers.
   */
  onSample(system: SystemSample): void {
    this.#system = system;
    this.broadcast();
  }

  /** Subscribers are gone; later changes have nobody to reach until the next sample. */
  pause(): void {
    this.#system = undefined;
  }

  /**
   * Holds broadcasts until `pending` settles, then broadcasts once: the first subscriber's
   * snapshot waits for the other instances' sessions (cluster.ts) rather than going out without.
   */
  holdUntil(pending: Promise<unknown>): void {
    this.#holds++;
    void pending.finally(() => {
      this.#holds--;
      this.broadcast();
    });
  }

  /** Broadcasts the current snapshot (sample tick or session change). */
  broadcast(): void {
    if (!this.#system || this.#holds > 0) return;
    const snapshot = this.snapshot(this.#system);
    this.#deps.broadcast(snapshot);
    for (const listener of this.#listeners) listener(snapshot);
  }

  /**
   * Also hands every broadcast snapshot to `listener` (the other profiles' topics); returns its
   * removal. `deps.broadcast` publishes the full snapshot; listeners derive from the same one.
   */
  onBroadcast(listener: (snapshot: Snapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  update(
    identity: Identity & { kind: 'user' },
    body: protocol.nowPlaying.SessionUpdate,
  ): TrackedSession {
    const tracked = this.tracker.update(identity, body);
    this.changed();
    return tracked;
  }

  stop(identity: Identity & { kind: 'user' }, sessionId: string): TrackedSession {
    const upstream = this.upstreamSession(sessionId)?.session.source;
    if (upstream !== undefined) {
      throw new MarqueeError(
        'CONFLICT',
        `Session ${sessionId} plays on ${upstream === 'plex' ? 'Plex' : 'Jellyfin'}; stop it there`,
      );
    }
    const tracked = this.tracker.stop(identity, sessionId);
    this.changed();
    return tracked;
  }

  /**
   * Expires stale sessions, a player's and a media server's alike (one whose server has not
   * answered for the TTL); broadcasts only when something went away.
   */
  sweep(): void {
    const ended = this.tracker.sweep();
    if (ended > 0) for (const listener of this.#changeListeners) listener();
    let removed = ended;
    const limit = this.#deps.ttlSeconds * 1000;
    for (const [source, list] of this.#upstream) {
      if (this.#deps.monotonic() - list.seenAt < limit) continue;
      this.#upstream.delete(source);
      const at = this.#deps.now();
      for (const each of list.sessions) this.#endUpstream(each.session, 'expired', at);
      removed += list.sessions.length;
    }
    if (removed > 0) this.broadcast();
  }

  #recordHistory(ended: TrackedSession, reason: EndReason, atMs: number): void {
    const { session, path, startedAtMs, watchedSeconds } = ended;
    this.#addHistory(session, path, startedAtMs, watchedSeconds, reason, atMs);
  }

  #addHistory(
    s: Session,
    path: string | null,
    startedAtMs: number,
    watchedSeconds: number,
    reason: EndReason,
    atMs: number,
  ): void {
    this.#deps.history
      .add({
        sessionId: s.session_id,
        userId: s.user_id,
        username: s.username,
        title: s.title,
        mediaType: s.media_type,
        path,
        startedAt: new Date(startedAtMs).toISOString(),
        // A wall clock stepped back during the session must not end it before it started.
        endedAt: new Date(Math.max(atMs, startedAtMs)).toISOString(),
        watchedSeconds: Math.round(watchedSeconds),
        endReason: reason,
      })
      .catch((error: unknown) =>
        this.#deps.logger?.error({ err: error }, 'could not store session history'),
      );
  }
}
