/**
 * Now Playing fed by Plex, end to end: a real server (port 0, a fresh SQLite file) pointed at the
 * simulators' fake Plex on a real socket. Plex sessions appear in the `/api/dashboard/ws`
 * snapshot beside a player's POSTed one, marked `source: 'plex'`, with user, progress, state and
 * a poster Marquee relays without showing the token; progress follows Plex, a session Plex no
 * longer lists leaves, and a Plex outage never drops the POSTed session. Polls are driven with the
 * shared poller's `refresh()` and time with the injected clock, so nothing waits on an interval.
 */
import { protocol } from '@marquee/sdk';
import { FAKE_CREDENTIALS, startFakeMediaStack, type FakeMediaStack } from '@marquee/simulators';
import { mediaStackFixtures } from '@marquee/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { call, startTestServer, type TestServer } from '../helpers/server';
import { nowPlayingModule } from '../../src/surfaces/now-playing/module';

type Snapshot = protocol.nowPlaying.Snapshot;
type Session = protocol.nowPlaying.Session;

let fakes: FakeMediaStack;
let t: TestServer;
let token: string;
let clock = Date.UTC(2026, 11, 7, 20, 0, 0);
let ws: WebSocket;
const snapshots: Snapshot[] = [];
const waiters: { test: (s: Snapshot) => boolean; resolve: (s: Snapshot) => void }[] = [];

/** The first snapshot from now on (or the latest one already seen) that `test` accepts. */
function snapshotWhere(test: (s: Snapshot) => boolean): Promise<Snapshot> {
  const latest = snapshots.at(-1);
  if (latest && test(latest)) return Promise.resolve(latest);
  return new Promise((resolve) => waiters.push({ test, resolve }));
}

const byId = (s: Snapshot, id: string): Session | undefined =>
  s.sessions.find((session) => session.session_id === id);
const plex = () => {
  const upstream = t.server.mediaStack.get('plex');
  if (!upstream) throw new Error('plex is not configured');
  return upstream;
};
const listed = () => fakes.state.plexSessions.MediaContainer.Metadata;
/** Poster fetches the fake Plex has answered. */
const posterHits = () =>
  [...fakes.plex.hits].reduce(
    (sum, [path, count]) => (path.startsWith('/library/metadata/') ? sum + count : sum),
    0,
  );

const playerUpdate = {
  session_id: 'web-player-1',
  title: 'The Matrix',
  media_type: 'movie',
  current_time: 100,
  duration: 8160,
  state: 'playing',
};

beforeAll(async () => {
  fakes = await startFakeMediaStack();
  t = await startTestServer(
    {
      plexUrl: fakes.plex.url,
      plexToken: FAKE_CREDENTIALS.plexToken,
      upstreamTimeoutSeconds: 1,
      sessionTtlSeconds: 30,
    },
    { now: () => clock, monotonic: () => clock },
  );
  token = await t.login();
  ws = new WebSocket(`${t.wsUrl}/api/dashboard/ws`);
  ws.on('message', (data: Buffer) => {
    const snapshot = protocol.nowPlaying.Snapshot.parse(JSON.parse(data.toString('utf8')));
    snapshots.push(snapshot);
    for (const waiter of [...waiters]) {
      if (!waiter.test(snapshot)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(snapshot);
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
});
afterAll(async () => {
  ws.close();
  await t.close();
  await fakes.close();
});

describe('Now Playing fed by Plex (polled)', () => {
  it('shows Plex sessions in the socket snapshot, mapped to seed 000 and marked plex', async () => {
    const snapshot = await snapshotWhere((s) => byId(s, 'plex-12') !== undefined);
    expect(byId(snapshot, 'plex-12')).toMatchObject({
      source: 'plex',
      user_id: 0,
      username: 'john_doe',
      avatar_url: '/api/media/avatar/john_doe',
      media_type: 'episode',
      title: 'Breaking Bad: Pilot',
      poster_url: '/api/media/upstream-poster/plex-12',
      current_time: 1245,
      duration: 3480,
      progress_percent: 35.8,
      state: 'playing',
      bitrate: 8_000_000,
    });
    expect(byId(snapshot, 'plex-13')).toMatchObject({
      source: 'plex',
      username: 'jane',
      media_type: 'movie',
      title: 'The Matrix',
      poster_url: null,
      state: 'paused',
    });
    expect(snapshot.system.active_users).toBe(2);
  });

  it('reads the one shared Plex poller, the one the media-stack surface reads', () => {
    // media-stack's health check and Now Playing: two subscribers, one poller, one call per poll.
    expect(plex().poller.subscribers).toBe(2);
    expect(fakes.plex.hits.get('/status/sessions')).toBe(plex().poller.pollsStarted);
  });

  it('relays the poster without the Plex token; a session without one answers 404', async () => {
    const res = await fetch(`${t.url}/api/media/upstream-poster/plex-12`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.equals(mediaStackFixtures.PLEX_POSTER_PNG)).toBe(true);
    const snapshotText = JSON.stringify(snapshots.at(-1));
    expect(snapshotText).not.toContain(FAKE_CREDENTIALS.plexToken);
    // Kept in memory: more screens asking for the same poster cost Plex nothing more.
    const fetches = posterHits();
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]{43}"$/);
    for (let i = 0; i < 5; i++) {
      const again = await fetch(`${t.url}/api/media/upstream-poster/plex-12`);
      expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
      expect(again.headers.get('etag')).toBe(etag);
    }
    const unchanged = await fetch(`${t.url}/api/media/upstream-poster/plex-12`, {
      headers: { 'if-none-match': etag ?? '' },
    });
    expect(unchanged.status).toBe(304);
    expect(posterHits()).toBe(fetches);
    expect(t.server.surface(nowPlayingModule).upstreamPosters.stats).toMatchObject({
      entries: 1,
      hits: 6,
    });
    for (const id of ['plex-13', 'plex-999', 'web-player-1']) {
      const missing = await call(`${t.url}/api/media/upstream-poster/${id}`);
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('lists a POSTed session beside the Plex ones; Plex sessions cannot be stopped here', async () => {
    const posted = await call(`${t.url}/api/dashboard/session/update`, {
      token,
      body: playerUpdate,
    });
    expect(posted.status).toBe(200);
    const snapshot = await snapshotWhere((s) => byId(s, 'web-player-1') !== undefined);
    expect(byId(snapshot, 'web-player-1')?.source).toBeUndefined();
    expect(byId(snapshot, 'plex-12')).toBeDefined();
    expect(snapshot.system.active_users).toBe(3);
    const stop = await call(`${t.url}/api/dashboard/session/plex-12/stop`, {
      token,
      method: 'POST',
    });
    expect(stop.status).toBe(409);
    expect(stop.body).toMatchObject({ code: 'CONFLICT' });
  });

  it('follows progress and state as Plex reports them', async () => {
    const episode = listed()[0];
    if (!episode) throw new Error('fixture without sessions');
    episode.viewOffset = 1_845_000;
    episode.Player.state = 'paused';
    clock += 5000; // within the TTL of the player's session (the sweep runs on this clock)
    await plex().poller.refresh();
    const snapshot = await snapshotWhere((s) => byId(s, 'plex-12')?.current_time === 1845);
    expect(byId(snapshot, 'plex-12')).toMatchObject({
      state: 'paused',
      progress_percent: 53,
      position_at_ms: clock,
      last_update: Math.floor(clock / 1000),
    });
  });

  it('removes a session Plex no longer lists', async () => {
    fakes.state.plexSessions.MediaContainer.Metadata = listed().filter(
      (session) => session.sessionKey !== '13',
    );
    fakes.state.plexSessions.MediaContainer.size = 1;
    await plex().poller.refresh();
    const snapshot = await snapshotWhere((s) => byId(s, 'plex-13') === undefined);
    expect(byId(snapshot, 'plex-12')).toBeDefined();
    expect(byId(snapshot, 'web-player-1')).toBeDefined();
  });

  it('keeps POSTed sessions through a Plex outage; Plex sessions go after the TTL', async () => {
    fakes.plex.mode = 'down';
    const down = await plex().poller.refresh();
    expect(down.status).toBe('down');
    // Within the TTL the last sessions Plex confirmed stay, and the player's is untouched.
    const during = await call(`${t.url}/api/dashboard/now-playing`, { token });
    const ids = protocol.nowPlaying.Snapshot.parse(during.body).sessions.map((s) => s.session_id);
    expect(ids).toEqual(expect.arrayContaining(['web-player-1', 'plex-12']));

    // Past the TTL with Plex still down: its sessions go; the player, still reporting, stays.
    // (The player reports before either session is 30 s old, so no sweep can take it.)
    clock += 20_000;
    const again = await call(`${t.url}/api/dashboard/session/update`, {
      token,
      body: { ...playerUpdate, current_time: 131 },
    });
    expect(again.status).toBe(200);
    clock += 11_000;
    const after = await snapshotWhere((s) => byId(s, 'plex-12') === undefined);
    expect(byId(after, 'web-player-1')).toMatchObject({ current_time: 131, state: 'playing' });
    expect(await plex().poller.refresh()).toMatchObject({ status: 'down' });

    // Plex back: its session is listed again. (The first poll may still meet a connection the
    // outage cut; the poller's next one gets through.)
    fakes.plex.mode = 'ok';
    let status = (await plex().poller.refresh()).status;
    for (let tries = 1; status !== 'up' && tries < 3; tries++) {
      status = (await plex().poller.refresh()).status;
    }
    expect(status).toBe('up');
    const back = await snapshotWhere((s) => byId(s, 'plex-12') !== undefined);
    expect(byId(back, 'web-player-1')).toBeDefined();
  });
});

describe('the poster relay is bounded per address', () => {
  // Last in this file: it spends this address's poster budget for the window.
  it('answers 429 with Retry-After past 120 requests a minute, before reaching the media server', async () => {
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 130 && limited === undefined; i += 1) {
      const res = await fetch(`${t.url}/api/media/upstream-poster/plex-999`);
      statuses.push(res.status);
      if (res.status === 429) limited = res;
      else await res.arrayBuffer();
    }
    expect(limited).toBeDefined();
    expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(120);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited?.json()).toMatchObject({ code: 'RATE_LIMITED' });
    const before = posterHits();
    const again = await fetch(`${t.url}/api/media/upstream-poster/plex-12`);
    expect(again.status).toBe(429);
    expect(posterHits()).toBe(before);
  });
});
