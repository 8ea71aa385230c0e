/**
 * Now Playing pushed by Plex and Jellyfin, end to end: a real server (port 0, a fresh SQLite file)
 * pointed at the simulators' fake Plex (notification socket) and fake Jellyfin (`/socket`), both
 * polled only once an hour, so whatever reaches a panel within the test came by push. Measured:
 * the time from the change upstream to the `/api/dashboard/ws` message that shows it (printed;
 * the speed target itself is the benchmark's). Also: playback control relayed to the media
 * servers (the fakes record the commands), history rows when their sessions end, `poster_thumb`
 * as a baseline JPEG, and polling as the fallback while a socket is refused, with the socket back
 * after its backoff.
 */
import { protocol } from '@marquee/sdk';
import {
  FAKE_CREDENTIALS,
  startFakeJellyfin,
  startFakeMediaStack,
  type FakeJellyfin,
  type FakeMediaStack,
} from '@marquee/simulators';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { call, startTestServer, type TestServer } from '../helpers/server';

type Snapshot = protocol.nowPlaying.Snapshot;
type Session = protocol.nowPlaying.Session;

/** A panel on `/api/dashboard/ws`: every snapshot, and a wait for one a test accepts. */
class Panel {
  readonly snapshots: Snapshot[] = [];
  readonly #waiters: { test: (s: Snapshot) => boolean; resolve: (s: Snapshot) => void }[] = [];
  readonly ws: WebSocket;

  constructor(url: string) {
    this.ws = new WebSocket(`${url}/api/dashboard/ws`);
    this.ws.on('message', (data: Buffer) => {
      const snapshot = protocol.nowPlaying.Snapshot.parse(JSON.parse(data.toString('utf8')));
      this.snapshots.push(snapshot);
      for (const waiter of [...this.#waiters]) {
        if (!waiter.test(snapshot)) continue;
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(snapshot);
      }
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  /** The first snapshot from now on (or the latest one) that `test` accepts. */
  where(test: (s: Snapshot) => boolean): Promise<Snapshot> {
    const latest = this.snapshots.at(-1);
    if (latest && test(latest)) return Promise.resolve(latest);
    return new Promise((resolve) => this.#waiters.push({ test, resolve }));
  }
}

const byId = (s: Snapshot, id: string): Session | undefined =>
  s.sessions.find((session) => session.session_id === id);

/** Polls `test` every 20 ms until it holds (a socket's state, a fake's counters). */
async function until(test: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  const started = performance.now();
  while (!test()) {
    if (performance.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Milliseconds from `change()` to the first panel message that `test` accepts. */
async function latencyOf(
  panel: Panel,
  change: () => void,
  test: (s: Snapshot) => boolean,
): Promise<{ ms: number; snapshot: Snapshot }> {
  const started = performance.now();
  const arrived = panel.where(test);
  change();
  const snapshot = await arrived;
  return { ms: performance.now() - started, snapshot };
}

describe('Now Playing pushed by Plex and Jellyfin', () => {
  let fakes: FakeMediaStack;
  let jellyfin: FakeJellyfin;
  let t: TestServer;
  let token: string;
  let panel: Panel;
  const latencies: Record<string, number> = {};

  const plex = () => t.server.mediaStack.get('plex')!;
  const jelly = () => t.server.mediaStack.get('jellyfin')!;
  const episode = () => fakes.state.plexSessions.MediaContainer.Metadata[0]!;
  const control = (id: string, action: string, position?: number) =>
    call(`${t.url}/api/dashboard/session/${id}/control`, {
      token,
      body: position === undefined ? { action } : { action, position },
    });

  beforeAll(async () => {
    fakes = await startFakeMediaStack();
    jellyfin = await startFakeJellyfin();
    jellyfin.sessions[0]!.SupportsRemoteControl = true;
    jellyfin.sessions[1]!.SupportsRemoteControl = false;
    t = await startTestServer({
      plexUrl: fakes.plex.url,
      plexToken: FAKE_CREDENTIALS.plexToken,
      ...jellyfin.config,
      // Polls an hour apart: within the test only push can move a session.
      plexIntervalSeconds: 3600,
      jellyfinIntervalSeconds: 3600,
      upstreamTimeoutSeconds: 2,
    });
    token = await t.login();
    panel = new Panel(t.wsUrl);
    await panel.opened();
    await until(
      () => plex().push?.state()?.connected === true && jelly().push?.state()?.connected === true,
      'both push sockets',
    );
    await panel.where(
      (s) => byId(s, 'plex-12') !== undefined && byId(s, 'jellyfin-js-1') !== undefined,
    );
  });
  afterAll(async () => {
    console.info('push latency, change upstream → panel message (ms):', latencies);
    panel.ws.close();
    await t.close();
    await jellyfin.close();
    await fakes.close();
  });

  it('holds one socket to each media server, with the credential each expects', () => {
    expect(fakes.plexPush.endpoint.clients).toBe(1);
    expect(jellyfin.push.clients).toBe(1);
    expect(fakes.plexPush.endpoint.refused).toBe(0);
    expect(jellyfin.push.refused).toBe(0);
  });

  it('a Plex pause and seek reach the panel by push, long before the next poll', async () => {
    const pollsBefore = plex().poller.pollsStarted;
    const { ms, snapshot } = await latencyOf(
      panel,
      () => {
        episode().Player.state = 'paused';
        episode().viewOffset = 2_400_000;
        fakes.plexPush.changed();
      },
      (s) => byId(s, 'plex-12')?.state === 'paused',
    );
    latencies.plexPause = Math.round(ms);
    expect(byId(snapshot, 'plex-12')).toMatchObject({ current_time: 2400, state: 'paused' });
    // The notification named a change: one poll of /status/sessions followed it.
    expect(plex().poller.pollsStarted).toBeGreaterThan(pollsBefore);
  });

  it('a Plex notification that changes nothing costs no poll', async () => {
    const pollsBefore = plex().poller.pollsStarted;
    fakes.plexPush.endpoint.broadcast({
      NotificationContainer: {
        type: 'playing',
        size: 2,
        PlaySessionStateNotification: [
          { sessionKey: '12', state: 'paused', viewOffset: 2_400_000 },
          { sessionKey: '12', state: 'buffering', viewOffset: 0 },
        ],
      },
    });
    // A marker the filter must act on, sent after: once its poll ran, the others were handled.
    episode().viewOffset = 600_000;
    fakes.plexPush.changed();
    await panel.where((s) => byId(s, 'plex-12')?.current_time === 600);
    expect(plex().poller.pollsStarted).toBe(pollsBefore + 1);
  });

  it('a Jellyfin change reaches the panel by push, taken from the socket without a call', async () => {
    const calls = jellyfin.upstream.hits.get('/Sessions') ?? 0;
    const { ms, snapshot } = await latencyOf(
      panel,
      () => {
        jellyfin.sessions[0]!.PlayState = {
          PositionTicks: 30_000_000_000,
          IsPaused: true,
          PlayMethod: 'DirectPlay',
        };
        jellyfin.changed();
      },
      (s) => byId(s, 'jellyfin-js-1')?.state === 'paused',
    );
    latencies.jellyfinPause = Math.round(ms);
    expect(byId(snapshot, 'jellyfin-js-1')).toMatchObject({ current_time: 3000, state: 'paused' });
    expect(jellyfin.upstream.hits.get('/Sessions') ?? 0).toBe(calls);
    expect(jelly().poller.pushesTaken).toBeGreaterThan(0);
  });

  it('gives Plex and Jellyfin sessions a 150×225 baseline JPEG poster_thumb', async () => {
    const snapshot = panel.snapshots.at(-1)!;
    for (const id of ['plex-12', 'jellyfin-js-1']) {
      const thumb = byId(snapshot, id)?.poster_thumb;
      expect(thumb).toBe(`/api/media/upstream-poster/${id}?width=150&height=225`);
      const res = await fetch(`${t.url}${thumb}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      expect(meta).toMatchObject({ format: 'jpeg', isProgressive: false });
      expect(meta.width).toBeLessThanOrEqual(150);
      expect(meta.height).toBeLessThanOrEqual(225);
    }
    // A session without a poster has none.
    expect(byId(snapshot, 'plex-13')?.poster_thumb).toBeNull();
    const bad = await call(`${t.url}/api/media/upstream-poster/plex-12?width=0`);
    expect(bad.status).toBe(400);
  });

  it('relays pause and resume to Jellyfin, and the panel shows the effect', async () => {
    const { ms } = await latencyOf(
      panel,
      () => void control('jellyfin-js-1', 'resume'),
      (s) => byId(s, 'jellyfin-js-1')?.state === 'playing',
    );
    latencies.jellyfinResumeCommand = Math.round(ms);
    const paused = await control('jellyfin-js-1', 'pause');
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({
      status: 'ok',
      session_id: 'jellyfin-js-1',
      action: 'pause',
      acknowledged: true,
    });
    await panel.where((s) => byId(s, 'jellyfin-js-1')?.state === 'paused');
    expect(jellyfin.commands).toEqual([
      { sessionId: 'js-1', command: 'Unpause' },
      { sessionId: 'js-1', command: 'Pause' },
    ]);
  });

  it('relays pause and resume to the Plex player through the companion API', async () => {
    const resumed = await control('plex-12', 'resume');
    expect(resumed.status).toBe(200);
    await panel.where((s) => byId(s, 'plex-12')?.state === 'playing');
    expect(await control('plex-12', 'pause')).toMatchObject({ status: 200 });
    await panel.where((s) => byId(s, 'plex-12')?.state === 'paused');
    expect(fakes.plexPush.commands.map(({ command, target }) => [command, target])).toEqual([
      ['play', 'tv-1'],
      ['pause', 'tv-1'],
    ]);
    expect(new Set(fakes.plexPush.commands.map((c) => c.commandId)).size).toBe(2);
  });

  it('seeks on both media servers; seek wants a position and is refused for Marquee players', async () => {
    expect((await control('jellyfin-js-1', 'seek', 4000)).status).toBe(200);
    await panel.where((s) => byId(s, 'jellyfin-js-1')?.current_time === 4000);
    expect(jellyfin.commands.at(-1)).toEqual({ sessionId: 'js-1', command: 'Seek' });
    expect((await control('plex-12', 'seek', 90.5)).status).toBe(200);
    await panel.where((s) => byId(s, 'plex-12')?.current_time === 90.5);
    expect(fakes.plexPush.commands.at(-1)).toMatchObject({ command: 'seekTo', target: 'tv-1' });
    // Without a position, or a position without seek: 400, nothing sent.
    const sent = fakes.plexPush.commands.length;
    expect((await control('plex-12', 'seek')).status).toBe(400);
    expect((await control('plex-12', 'pause', 10)).status).toBe(400);
    expect((await control('plex-12', 'seek', -1)).status).toBe(400);
    expect(fakes.plexPush.commands).toHaveLength(sent);
    const posted = await call(`${t.url}/api/dashboard/session/update`, {
      token,
      body: {
        session_id: 'web-1',
        title: 'T',
        media_type: 'movie',
        current_time: 1,
        duration: 9,
        state: 'playing',
      },
    });
    expect(posted.status).toBe(200);
    const refused = await control('web-1', 'seek', 5);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'PLAYER_NOT_CONNECTED' });
    // Back where the later tests expect them.
    expect((await control('jellyfin-js-1', 'pause')).status).toBe(200);
  });

  it('answers 409 for players the media server cannot reach, 404 for unknown sessions', async () => {
    // plex-13 has no machineIdentifier; Jellyfin's js-2 says it takes no remote control (and
    // plays nothing, so it is not listed at all).
    const plexRefused = await control('plex-13', 'pause');
    expect(plexRefused.status).toBe(409);
    expect(plexRefused.body).toMatchObject({ code: 'PLAYER_NOT_CONNECTED' });
    const plexSent = fakes.plexPush.commands.length;
    expect((await control('plex-13', 'resume')).status).toBe(409);
    expect(fakes.plexPush.commands).toHaveLength(plexSent);
    jellyfin.sessions[1]!.NowPlayingItem = {
      Id: 'item-3',
      Name: 'Dune',
      Type: 'Movie',
      SeriesName: null,
      RunTimeTicks: 90_000_000_000,
    };
    jellyfin.changed();
    await panel.where((s) => byId(s, 'jellyfin-js-2') !== undefined);
    const jellySent = jellyfin.commands.length;
    const jellyRefused = await control('jellyfin-js-2', 'stop');
    expect(jellyRefused.status).toBe(409);
    expect(jellyfin.commands).toHaveLength(jellySent);
    expect((await control('plex-404', 'pause')).status).toBe(404);
  });

  it('stops sessions on both servers; each ended session is a history row', async () => {
    expect((await control('plex-12', 'stop')).status).toBe(200);
    expect((await control('jellyfin-js-1', 'stop')).status).toBe(200);
    await panel.where(
      (s) => byId(s, 'plex-12') === undefined && byId(s, 'jellyfin-js-1') === undefined,
    );
    expect(fakes.plexPush.commands.at(-1)).toMatchObject({ command: 'stop', target: 'tv-1' });
    expect(jellyfin.commands.at(-1)).toEqual({ sessionId: 'js-1', command: 'Stop' });
    // History rows are written behind the broadcast: read until both are there.
    let sessions: protocol.history.HistorySession[] = [];
    for (let tries = 0; tries < 50 && sessions.length < 2; tries++) {
      if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      const history = await call(`${t.url}/api/dashboard/history`, { token });
      expect(history.status).toBe(200);
      sessions = (history.body as { sessions: protocol.history.HistorySession[] }).sessions;
    }
    const row = (id: string) => sessions.find((s) => s.session_id === id);
    expect(row('plex-12')).toMatchObject({
      user_id: 0,
      username: 'john_doe',
      title: 'Breaking Bad: Pilot',
      media_type: 'episode',
      end_reason: 'stopped',
    });
    expect(row('jellyfin-js-1')).toMatchObject({
      user_id: 0,
      username: 'alice',
      title: 'Arrival',
      media_type: 'movie',
      end_reason: 'stopped',
    });
    expect(Date.parse(row('plex-12')!.ended_at)).toBeGreaterThanOrEqual(
      Date.parse(row('plex-12')!.started_at),
    );
  });
});

describe('polling is the fallback while a push socket is refused', () => {
  it('keeps sessions moving by polls, then takes push again once the socket answers', async () => {
    const fakes = await startFakeMediaStack();
    fakes.plexPush.endpoint.mode = 'refuse';
    const t = await startTestServer({
      plexUrl: fakes.plex.url,
      plexToken: FAKE_CREDENTIALS.plexToken,
      plexIntervalSeconds: 1,
      upstreamTimeoutSeconds: 2,
    });
    const panel = new Panel(t.wsUrl);
    try {
      await panel.opened();
      const plex = t.server.mediaStack.get('plex')!;
      await until(() => fakes.plexPush.endpoint.refused >= 1, 'a refused upgrade');
      expect(plex.push?.state()).toMatchObject({ connected: false });
      expect(plex.push?.state()?.lastError).toMatch(/503/);

      // Changed upstream, announced to nobody: the next poll (1 s) brings it.
      fakes.state.plexSessions.MediaContainer.Metadata[0]!.Player.state = 'paused';
      await panel.where((s) => byId(s, 'plex-12')?.state === 'paused');
      expect(plex.push?.state()?.connected).toBe(false);

      // The socket answers again: the next attempt (backoff 1, 2, 4 … s) connects.
      fakes.plexPush.endpoint.mode = 'ok';
      await until(() => plex.push?.state()?.connected === true, 'the reconnection', 20_000);
      expect(plex.push?.state()?.failures).toBeGreaterThanOrEqual(1);
      expect(fakes.plexPush.endpoint.clients).toBe(1);

      // A dropped connection is reconnected too.
      fakes.plexPush.endpoint.dropAll();
      await until(() => plex.push?.state()?.connected === false, 'the drop');
      await until(() => plex.push?.state()?.connected === true, 'the second reconnection', 20_000);
    } finally {
      panel.ws.close();
      await t.close();
      await fakes.close();
    }
  }, 60_000);
});
