/**
 * The player client's update cadence, on fake timers with an injected fetch: every
 * `updateIntervalMs` while playing, at once on a state change, a slow keep-alive while paused
 * and a final `stopped` update at the end. No socket is opened: updates work without one.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPlayerClient, type PlayerClientOptions } from '../../src/clients/now-playing-player';
import type { MarqueeError } from '../../src/errors';
import type { SessionUpdate } from '../../src/protocol/now-playing';

interface Posted {
  readonly at: number;
  readonly url: string;
  readonly authorization: string | null;
  readonly body: SessionUpdate;
}

const START = Date.UTC(2026, 0, 17, 12, 0, 0);

let posted: Posted[];
let answer: (body: SessionUpdate) => Response;

const fakeFetch: typeof fetch = (input, init) => {
  const body = JSON.parse(typeof init?.body === 'string' ? init.body : '') as SessionUpdate;
  posted.push({
    at: Date.now() - START,
    url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
    authorization: new Headers(init?.headers).get('authorization'),
    body,
  });
  return Promise.resolve(answer(body));
};

beforeEach(() => {
  vi.useFakeTimers({ now: START });
  posted = [];
  answer = (body) => Response.json({ status: 'ok', session_id: body.session_id });
});
afterEach(() => {
  vi.useRealTimers();
});

function client(options: Partial<PlayerClientOptions> = {}) {
  return createPlayerClient({
    baseUrl: 'http://marquee.test:8000/',
    token: () => 'user-token',
    fetch: fakeFetch,
    now: () => Date.now(),
    ...options,
  });
}

const movie = {
  session_id: 'movie-1',
  title: 'The Matrix',
  media_type: 'movie',
  duration: 8160,
  current_time: 100,
} as const;

const summary = () => posted.map((p) => [p.at, p.body.state, p.body.current_time]);

describe('player client update cadence', () => {
  it('posts at once on start, then every updateIntervalMs while playing, with a moving position', async () => {
    const player = client();
    await expect(player.startSession(movie)).resolves.toBe('movie-1');
    expect(posted).toEqual([
      {
        at: 0,
        url: 'http://marquee.test:8000/api/dashboard/session/update',
        authorization: 'Bearer user-token',
        body: { ...movie, state: 'playing' },
      },
    ]);
    await vi.advanceTimersByTimeAsync(4999);
    expect(posted).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(summary()).toEqual([
      [0, 'playing', 100],
      [5000, 'playing', 105],
      [10_000, 'playing', 110],
      [15_000, 'playing', 115],
    ]);
    player.close();
  });

  it('honours a custom interval within the seed 5–10 s', async () => {
    const player = client({ updateIntervalMs: 10_000 });
    await player.startSession(movie);
    await vi.advanceTimersByTimeAsync(25_000);
    expect(posted.map((p) => p.at)).toEqual([0, 10_000, 20_000]);
    player.close();
  });

  it('sends a reported position with the next periodic update, not at once', async () => {
    const player = client();
    await player.startSession(movie);
    await vi.advanceTimersByTimeAsync(2000);
    await player.updatePosition(500, 'playing'); // a seek; same state
    expect(posted).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(summary().at(-1)).toEqual([5000, 'playing', 503]);
    player.close();
  });

  it('posts a state change at once and restarts the cadence from it', async () => {
    const player = client();
    await player.startSession(movie);
    await vi.advanceTimersByTimeAsync(3000);
    await player.updatePosition(103, 'buffering');
    await vi.advanceTimersByTimeAsync(1000);
    await player.updatePosition(103, 'playing');
    await vi.advanceTimersByTimeAsync(5000);
    expect(summary()).toEqual([
      [0, 'playing', 100],
      [3000, 'buffering', 103],
      [4000, 'playing', 103],
      [9000, 'playing', 108],
    ]);
    player.close();
  });

  it('while paused: one update on the change, then only a keep-alive every pausedKeepAliveMs', async () => {
    const player = client();
    await player.startSession(movie);
    await vi.advanceTimersByTimeAsync(2000);
    await player.updatePosition(102, 'paused');
    await vi.advanceTimersByTimeAsync(19_999);
    expect(summary()).toEqual([
      [0, 'playing', 100],
      [2000, 'paused', 102],
    ]);
    await vi.advanceTimersByTimeAsync(1);
    expect(summary().at(-1)).toEqual([22_000, 'paused', 102]);
    await player.updatePosition(102, 'playing');
    expect(summary().at(-1)).toEqual([22_000, 'playing', 102]);
    player.close();
  });

  it('pausedKeepAliveMs: false posts nothing while paused (the seed: expiry after 30 s)', async () => {
    const player = client({ pausedKeepAliveMs: false });
    await player.startSession(movie);
    await player.updatePosition(100, 'paused');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(summary()).toEqual([
      [0, 'playing', 100],
      [0, 'paused', 100],
    ]);
    player.close();
  });

  it('endSession posts a final stopped update and nothing after', async () => {
    const player = client();
    await player.startSession(movie);
    await vi.advanceTimersByTimeAsync(7000);
    await player.endSession();
    expect(player.session).toBeUndefined();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(summary()).toEqual([
      [0, 'playing', 100],
      [5000, 'playing', 105],
      [7000, 'stopped', 107],
    ]);
    // Ending twice, or reporting without a session, posts nothing.
    await player.endSession();
    await player.updatePosition(1, 'playing');
    expect(posted).toHaveLength(3);
    player.close();
  });

  it("updatePosition(t, 'stopped') ends the session like endSession", async () => {
    const player = client();
    await player.startSession(movie);
    await player.updatePosition(150, 'stopped');
    expect(summary().at(-1)).toEqual([0, 'stopped', 150]);
    expect(player.session).toBeUndefined();
    player.close();
  });

  it('a failed periodic update is reported as an error and the cadence goes on', async () => {
    const player = client();
    const errors: MarqueeError[] = [];
    player.on('error', (error) => errors.push(error));
    await player.startSession(movie);
    answer = () => Response.json({ detail: 'Server restarting' }, { status: 503 });
    await vi.advanceTimersByTimeAsync(5000);
    expect(errors).toEqual([
      expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', message: 'Server restarting' }),
    ]);
    answer = (body) => Response.json({ status: 'ok', session_id: body.session_id });
    await vi.advanceTimersByTimeAsync(5000);
    expect(posted.map((p) => p.at)).toEqual([0, 5000, 10_000]);
    player.close();
  });

  it('skips a periodic update while the previous one is still on its way', async () => {
    let release: (() => void) | undefined;
    const slowFetch: typeof fetch = async (input, init) => {
      const response = await fakeFetch(input, init);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return response;
    };
    const slow = client({ fetch: slowFetch });
    const started = slow.startSession(movie);
    await vi.advanceTimersByTimeAsync(12_000);
    expect(posted).toHaveLength(1);
    release?.();
    await started;
    await vi.advanceTimersByTimeAsync(5000);
    expect(posted.map((p) => p.at)).toEqual([0, 15_000]);
    slow.close();
  });

  it('refuses invalid session info before posting anything', async () => {
    const player = client();
    await expect(player.startSession({ ...movie, title: '' })).rejects.toMatchObject({
      code: 'INVALID_MESSAGE',
    });
    expect(posted).toHaveLength(0);
    player.close();
  });

  it('generates a session id when none is given', async () => {
    const player = client();
    const id = await player.startSession({ title: 'Song', duration: 200 });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(posted[0]?.body).toMatchObject({ session_id: id, current_time: 0, state: 'playing' });
    player.close();
  });
});
