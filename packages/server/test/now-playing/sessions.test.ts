import { describe, expect, it } from 'vitest';
import { SessionTracker, type EndReason } from '../../src/surfaces/now-playing/sessions';

const alice = { kind: 'user', userId: 1, username: 'alice', role: 'operator' } as const;
const bob = { kind: 'user', userId: 2, username: 'bob', role: 'operator' } as const;
const admin = { kind: 'user', userId: 3, username: 'root', role: 'admin' } as const;

function setup(ttlSeconds = 30, bounds = { maxPerUser: 10, maxTotal: 1000 }) {
  let now = 1_768_670_000_000;
  const ended: Array<{ id: string; reason: EndReason; watched: number }> = [];
  const tracker = new SessionTracker({
    ttlSeconds,
    ...bounds,
    now: () => now,
    monotonic: () => now,
    onEnded: (t, reason) =>
      ended.push({ id: t.session.session_id, reason, watched: t.watchedSeconds }),
  });
  return { tracker, ended, advance: (ms: number) => (now += ms), now: () => now };
}

const update = (over: Partial<Parameters<SessionTracker['update']>[1]> = {}) => ({
  session_id: 's1',
  title: 'The Matrix',
  current_time: 100,
  duration: 1000,
  state: 'playing' as const,
  ...over,
});

describe('SessionTracker', () => {
  it('creates a session with seed fields, progress and interpolation time', () => {
    const { tracker, now } = setup();
    const t = tracker.update(alice, update({ poster_url: '/p.jpg', media_type: 'movie' }));
    expect(t.session).toMatchObject({
      session_id: 's1',
      user_id: 1,
      username: 'alice',
      title: 'The Matrix',
      media_type: 'movie',
      poster_url: '/p.jpg',
      progress_percent: 10,
      current_time: 100,
      duration: 1000,
      state: 'playing',
      last_update: Math.floor(now() / 1000),
      position_at_ms: now(),
    });
    expect(tracker.activeUsers()).toBe(1);
  });

  it('expires a session after 30 s without updates, not before', () => {
    const { tracker, ended, advance } = setup(30);
    tracker.update(alice, update());
    advance(29_999);
    expect(tracker.sweep()).toBe(0);
    expect(tracker.list()).toHaveLength(1);
    advance(1);
    expect(tracker.sweep()).toBe(1);
    expect(tracker.list()).toHaveLength(0);
    expect(ended).toEqual([{ id: 's1', reason: 'expired', watched: 0 }]);
  });

  it('an update restarts the expiry clock', () => {
    const { tracker, advance } = setup(30);
    tracker.update(alice, update());
    advance(20_000);
    tracker.update(alice, update({ current_time: 120 }));
    advance(20_000);
    expect(tracker.sweep()).toBe(0);
  });

  it('counts watched seconds only while playing and bounded by wall time', () => {
    const { tracker, ended, advance } = setup();
    tracker.update(alice, update({ current_time: 0 }));
    advance(10_000);
    tracker.update(alice, update({ current_time: 10 }));
    advance(10_000);
    tracker.update(alice, update({ current_time: 500 })); // a seek, not 490 s watched
    tracker.update(alice, update({ current_time: 500, state: 'paused' }));
    advance(10_000);
    tracker.update(alice, update({ current_time: 500, state: 'playing' }));
    tracker.stop(alice, 's1');
    expect(ended[0]?.reason).toBe('stopped');
    expect(ended[0]?.watched).toBeGreaterThanOrEqual(10);
    expect(ended[0]?.watched).toBeLessThanOrEqual(22);
  });

  it("refuses another user's session, allows the owner and an admin", () => {
    const { tracker } = setup();
    tracker.update(alice, update());
    expect(() => tracker.update(bob, update())).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', status: 403 }),
    );
    expect(() => tracker.stop(bob, 's1')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(tracker.stop(admin, 's1').session.session_id).toBe('s1');
  });

  it('refuses a new session past the per-user bound; updates pass; a session that ends frees a slot', () => {
    const { tracker, advance } = setup(30, { maxPerUser: 2, maxTotal: 100 });
    tracker.update(alice, update({ session_id: 'a1' }));
    tracker.update(alice, update({ session_id: 'a2' }));
    expect(() => tracker.update(alice, update({ session_id: 'a3' }))).toThrow(
      expect.objectContaining({ code: 'RATE_LIMITED', status: 429 }),
    );
    // An existing session still updates, another user is unaffected, nothing was stored.
    expect(tracker.update(alice, update({ session_id: 'a2', current_time: 200 }))).toBeDefined();
    tracker.update(bob, update({ session_id: 'b1' }));
    expect(tracker.get('a3')).toBeUndefined();

    tracker.stop(alice, 'a1');
    tracker.update(alice, update({ session_id: 'a3' }));
    // An admin updating alice's session counts for alice, not for the admin.
    tracker.update(admin, update({ session_id: 'a3', current_time: 300 }));
    advance(31_000);
    tracker.sweep();
    tracker.update(alice, update({ session_id: 'a4' }));
    tracker.update(alice, update({ session_id: 'a5' }));
    expect(tracker.list().map((t) => t.session.session_id)).toEqual(['a4', 'a5']);
  });

  it('refuses a new session past the total bound, whoever asks', () => {
    const { tracker } = setup(30, { maxPerUser: 10, maxTotal: 2 });
    tracker.update(alice, update({ session_id: 'a1' }));
    tracker.update(bob, update({ session_id: 'b1' }));
    expect(() => tracker.update(admin, update({ session_id: 'c1' }))).toThrow(
      expect.objectContaining({
        code: 'RATE_LIMITED',
        message: expect.stringContaining('MARQUEE_MAX_SESSIONS'),
      }),
    );
    expect(tracker.list()).toHaveLength(2);
  });

  it('stopping an unknown session is NOT_FOUND', () => {
    const { tracker } = setup();
    expect(() => tracker.stop(alice, 'nope')).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', status: 404 }),
    );
  });

  it('progress is capped at 100 and 0 for unknown duration', () => {
    const { tracker } = setup();
    expect(tracker.update(alice, update({ current_time: 2000 })).session.progress_percent).toBe(
      100,
    );
    expect(tracker.update(alice, update({ duration: 0 })).session.progress_percent).toBe(0);
  });
});
