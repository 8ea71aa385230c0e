/**
 * The pieces of push from Plex and Jellyfin, without a server: which Plex notifications are worth
 * a poll (on an injected monotonic clock), the reconnection backoff, socket URLs, the poller's
 * pushed values and its poll-after-the-one-in-flight, and the remote-control calls of the Plex
 * and Jellyfin adapters against msw (what path, which header, what status comes back).
 */
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  PlexNotificationFilter,
  SEEK_THRESHOLD_MS,
  createJellyfinAdapter,
  createPlexAdapter,
  sharedPush,
} from '../../src/integrations/media';
import { createPoller, pushBackoffMs, socketUrl } from '../../src/integrations/upstream';

describe('the Plex notification filter', () => {
  let clock = 1_000_000;
  const filter = () => new PlexNotificationFilter(() => clock);
  const note = (state: string, viewOffset?: number, sessionKey = '12') => ({
    sessionKey,
    state,
    ...(viewOffset === undefined ? {} : { viewOffset }),
  });

  it('polls for a new session and a state change, not for buffering', () => {
    const f = filter();
    expect(f.changes(note('playing', 0))).toBe(true);
    expect(f.changes(note('buffering', 0))).toBe(false);
    expect(f.changes(note('paused', 0))).toBe(true);
    expect(f.changes(note('paused', 0))).toBe(false);
    expect(f.changes(note('playing', 0, '13'))).toBe(true);
  });

  it('ignores progress that follows the clock and polls for a seek beyond 5 s', () => {
    const f = filter();
    f.changes(note('playing', 10_000));
    clock += 10_000;
    expect(f.changes(note('playing', 20_500))).toBe(false);
    clock += 10_000;
    expect(f.changes(note('playing', 30_500 + SEEK_THRESHOLD_MS - 1))).toBe(false);
    clock += 1000;
    // Expected near 35 999; a jump back to 5 s is a seek.
    expect(f.changes(note('playing', 5000))).toBe(true);
    // While paused the position should stand still: 6 s further on is a seek too.
    f.changes(note('paused', 5000));
    clock += 60_000;
    expect(f.changes(note('paused', 5000))).toBe(false);
    expect(f.changes(note('paused', 11_001))).toBe(true);
  });

  it('polls for stopped and forgets the session, so its return is new again', () => {
    const f = filter();
    f.changes(note('playing', 0));
    expect(f.changes(note('stopped', 0))).toBe(true);
    expect(f.changes(note('playing', 0))).toBe(true);
    f.clear();
    expect(f.changes(note('playing', 0))).toBe(true);
  });
});

describe('push socket helpers', () => {
  it('doubles the reconnection wait from the minimum up to the maximum', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => pushBackoffMs(n, 1000, 30_000))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
    expect(pushBackoffMs(0, 1000, 30_000)).toBe(1000);
  });

  it('turns the configured base URL into the socket URL', () => {
    expect(socketUrl('http://plex:32400/', '/:/websockets/notifications')).toBe(
      'ws://plex:32400/:/websockets/notifications',
    );
    expect(
      socketUrl('https://media.example/jellyfin', '/socket', { api_key: 'k y', deviceId: 'd' }),
    ).toBe('wss://media.example/jellyfin/socket?api_key=k+y&deviceId=d');
  });
});

describe('a shared push connection', () => {
  it('opens for its first holder, closes after the last, and stays closed while paused', () => {
    const opened: { stopped: boolean }[] = [];
    const push = sharedPush(() => {
      const socket = { stopped: false };
      opened.push(socket);
      const state = {
        connected: true,
        opened: opened.length,
        failures: 0,
        lastError: undefined,
        retryAt: undefined,
      };
      return { state: () => state, stop: () => void (socket.stopped = true) };
    });
    const first = push.hold();
    const second = push.hold();
    expect(opened).toHaveLength(1);
    // Another instance holds the upstream's socket: this one closes its own and opens none.
    push.pause();
    expect(opened[0]?.stopped).toBe(true);
    expect(push.state()).toBeUndefined();
    const third = push.hold();
    expect(opened).toHaveLength(1);
    // The lease came here: held, so open again.
    push.resume();
    expect(opened).toHaveLength(2);
    expect(push.state()).toMatchObject({ connected: true, opened: 2 });
    first();
    second();
    expect(opened[1]?.stopped).toBe(false);
    third();
    expect(opened[1]?.stopped).toBe(true);
    // Resumed with nobody holding it: nothing opens.
    push.pause();
    push.resume();
    expect(opened).toHaveLength(2);
  });
});

describe('the poller with pushed values', () => {
  it('takes a pushed value as the newest, marks a down upstream up, and tells listeners', async () => {
    let fail = true;
    let clock = 5000;
    const poller = createPoller<string>({
      name: 'u',
      intervalMs: 60_000,
      now: () => clock,
      monotonic: () => clock,
      poll: () => (fail ? Promise.reject(new Error('refused')) : Promise.resolve({ value: 'p' })),
    });
    const seen: (string | undefined)[] = [];
    poller.subscribe((s) => seen.push(s.value));
    expect((await poller.refresh()).status).toBe('down');
    clock = 9000;
    poller.offer('pushed');
    expect(poller.snapshot()).toMatchObject({
      status: 'up',
      value: 'pushed',
      lastSuccessAt: 9000,
      consecutiveFailures: 0,
      nextPollAt: 9000 + 60_000,
    });
    expect(poller.pushesTaken).toBe(1);
    expect(poller.pollsStarted).toBe(1); // the first subscriber's poll, which refresh() joined
    expect(seen.at(-1)).toBe('pushed');
    fail = false;
    poller.stop();
    poller.offer('late');
    expect(poller.snapshot().value).toBe('pushed');
  });

  it('polls again after the poll in flight, once for any number of callers', async () => {
    let release: () => void = () => undefined;
    let polls = 0;
    const poller = createPoller<number>({
      name: 'u',
      intervalMs: 60_000,
      poll: async () => {
        polls += 1;
        if (polls === 1) await new Promise<void>((resolve) => (release = resolve));
        return { value: polls };
      },
    });
    const first = poller.refresh();
    const again = Promise.all([poller.refreshAfterInFlight(), poller.refreshAfterInFlight()]);
    release();
    expect((await first).value).toBe(1);
    const [a, b] = await again;
    expect(a.value).toBe(2);
    expect(b.value).toBe(2);
    expect(polls).toBe(2);
    expect((await poller.refreshAfterInFlight()).value).toBe(3);
    poller.stop();
  });
});

describe('remote control through the media servers', () => {
  const PLEX = 'http://plex.test:32400';
  const JELLYFIN = 'http://jellyfin.test:8096';
  const calls: { url: string; method: string; headers: Headers }[] = [];
  const server = setupServer(
    http.get(`${PLEX}/player/playback/:command`, ({ request }) => {
      calls.push({ url: request.url, method: 'GET', headers: request.headers });
      return request.headers.get('x-plex-target-client-identifier') === 'tv-1'
        ? new HttpResponse(null, { status: 200 })
        : new HttpResponse('Not Found', { status: 404 });
    }),
    http.post(`${JELLYFIN}/Sessions/:id/Playing/:command`, ({ request, params }) => {
      calls.push({ url: request.url, method: 'POST', headers: request.headers });
      return new HttpResponse(null, { status: params.id === 'js-1' ? 204 : 404 });
    }),
  );
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => {
    calls.length = 0;
  });
  afterAll(() => server.close());

  it('sends Plex companion commands to the named player, each with its own commandID', async () => {
    const plex = createPlexAdapter({ baseUrl: PLEX, token: 'tok', timeoutMs: 1000 });
    expect(await plex.playerCommand('tv-1', 'pause', 'episode')).toBe(200);
    expect(await plex.playerCommand('tv-1', 'play', 'track')).toBe(200);
    expect(await plex.playerCommand('gone', 'stop', 'movie')).toBe(404);
    expect(await plex.playerCommand('tv-1', 'seekTo', 'movie', 90_500)).toBe(200);
    const urls = calls.map((c) => new URL(c.url));
    expect(urls.map((u) => [u.pathname, u.searchParams.get('type')])).toEqual([
      ['/player/playback/pause', 'video'],
      ['/player/playback/play', 'music'],
      ['/player/playback/stop', 'video'],
      ['/player/playback/seekTo', 'video'],
    ]);
    expect(urls[3]?.searchParams.get('offset')).toBe('90500');
    expect(urls[0]?.searchParams.has('offset')).toBe(false);
    expect(new Set(urls.map((u) => u.searchParams.get('commandID'))).size).toBe(4);
    expect(calls[0]?.headers.get('x-plex-token')).toBe('tok');
  });

  it('posts Jellyfin playstate commands with the key in the MediaBrowser header', async () => {
    const jellyfin = createJellyfinAdapter({ baseUrl: JELLYFIN, apiKey: 'jf', timeoutMs: 1000 });
    expect(await jellyfin.playstate('js-1', 'Unpause')).toBe(204);
    expect(await jellyfin.playstate('nobody', 'Stop')).toBe(404);
    expect(await jellyfin.playstate('js-1', 'Seek', 905_000_000)).toBe(204);
    expect(calls.map((c) => [c.method, new URL(c.url).pathname])).toEqual([
      ['POST', '/Sessions/js-1/Playing/Unpause'],
      ['POST', '/Sessions/nobody/Playing/Stop'],
      ['POST', '/Sessions/js-1/Playing/Seek'],
    ]);
    expect(new URL(calls[2]?.url ?? '').searchParams.get('seekPositionTicks')).toBe('905000000');
    expect(calls[0]?.headers.get('authorization')).toContain('Token="jf"');
  });
});
