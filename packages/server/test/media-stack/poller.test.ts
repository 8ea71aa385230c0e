/**
 * The shared upstream poller and the media stack built from config: one poll however many
 * subscribers, a refresh during a poll joins it, backoff while down, up / degraded / down with
 * lastSuccessAt and latency, polling only while somebody listens. Waits on events, not on sleeps.
 */
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config';
import { createMediaStack } from '../../src/integrations/media';
import {
  createPoller,
  latencySummary,
  type PollResult,
  type UpstreamSnapshot,
} from '../../src/integrations/upstream';
import { api, type Json } from '../helpers/media-api';

/** Resolves with the first snapshot `test` accepts. */
function until<T>(
  poller: { subscribe(l: (s: UpstreamSnapshot<T>) => void): () => void },
  test: (s: UpstreamSnapshot<T>) => boolean,
): Promise<UpstreamSnapshot<T>> {
  return new Promise((resolve) => {
    const off = poller.subscribe((snapshot) => {
      if (!test(snapshot)) return;
      off();
      resolve(snapshot);
    });
  });
}

function gate() {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('the poller', () => {
  it('polls once for any number of subscribers, and a refresh joins the poll in flight', async () => {
    const release = gate();
    let polls = 0;
    const poller = createPoller<number>({
      name: 'u',
      intervalMs: 60_000,
      poll: async () => {
        polls += 1;
        await release.promise;
        return { value: polls };
      },
    });
    const seen: number[] = [];
    const offs = Array.from({ length: 1000 }, () =>
      poller.subscribe((s) => seen.push(s.value ?? -1)),
    );
    const refreshes = Promise.all(Array.from({ length: 50 }, () => poller.refresh()));
    release.open();
    await refreshes;
    expect(polls).toBe(1);
    expect(seen).toHaveLength(1000);
    expect(poller.snapshot()).toMatchObject({ status: 'up', value: 1, consecutiveFailures: 0 });
    expect(poller.snapshot().nextPollAt).toBeGreaterThan(Date.now());
    for (const off of offs) off();
    expect(poller.snapshot().nextPollAt).toBeUndefined();
    poller.stop();
  });

  it('goes down with the reason, backs off while down, and comes back up', async () => {
    let fail = true;
    let clock = 1_000_000;
    const poller = createPoller<string>({
      name: 'u',
      intervalMs: 20,
      maxBackoffMs: 80,
      now: () => clock,
      monotonic: () => clock,
      poll: (): Promise<PollResult<string>> => {
        clock += 7;
        if (fail) return Promise.reject(new Error('ECONNREFUSED'));
        return Promise.resolve({ value: 'ok' });
      },
    });
    const off = poller.subscribe(() => undefined);
    const down = await until(poller, (s) => s.consecutiveFailures >= 4);
    expect(down).toMatchObject({
      status: 'down',
      reason: 'ECONNREFUSED',
      lastSuccessAt: undefined,
      latencyMs: 7,
    });
    fail = false;
    const up = await until(poller, (s) => s.status === 'up');
    expect(up.lastSuccessAt).toBe(clock);
    expect(up.consecutiveFailures).toBe(0);
    expect(up.counts.failed).toBeGreaterThanOrEqual(4);
    off();
    poller.stop();
  });

  it('doubles the wait per failure up to the cap while down', async () => {
    let clock = 0;
    const gaps: number[] = [];
    const done = gate();
    const poller = createPoller<number>({
      name: 'v',
      intervalMs: 20,
      maxBackoffMs: 80,
      now: () => clock,
      poll: () => {
        // The clock moves only inside polls, so the scheduled wait is read exactly.
        const before = poller.snapshot();
        if (before.nextPollAt !== undefined && before.lastCheckAt !== undefined) {
          gaps.push(before.nextPollAt - before.lastCheckAt);
        }
        clock += 3;
        if (gaps.length >= 5) done.open();
        return Promise.reject(new Error('down'));
      },
    });
    const off = poller.subscribe(() => undefined);
    await done.promise;
    off();
    poller.stop();
    expect(gaps.slice(0, 5)).toEqual([20, 40, 80, 80, 80]);
  });

  it('is degraded when slow or when the upstream reports trouble, and reports transitions', async () => {
    let clock = 0;
    let slow = true;
    const poller = createPoller<number>({
      name: 'u',
      intervalMs: 10,
      degradedLatencyMs: 100,
      now: () => clock,
      monotonic: () => clock,
      poll: () => {
        clock += slow ? 150 : 5;
        return Promise.resolve(slow ? { value: 1 } : { value: 2, degraded: 'indexer down' });
      },
    });
    const transitions: string[] = [];
    const off = poller.subscribe((s, previous) => {
      if (s.status !== previous) transitions.push(`${String(previous)}→${String(s.status)}`);
    });
    const first = await until(poller, () => true);
    expect(first).toMatchObject({ status: 'degraded', latencyMs: 150 });
    expect(first.reason).toContain('150 ms');
    slow = false;
    const second = await until(poller, (s) => s.value === 2);
    expect(second).toMatchObject({ status: 'degraded', reason: 'indexer down' });
    off();
    poller.stop();
    expect(transitions[0]).toBe('undefined→degraded');
  });

  it('follows another instance: no polls of its own, its snapshots mirrored, refresh asked for', async () => {
    let polls = 0;
    let clock = 1_000;
    const poller = createPoller<number>({
      name: 'u',
      intervalMs: 60_000,
      now: () => clock,
      monotonic: () => clock,
      poll: () => {
        polls += 1;
        return Promise.resolve({ value: polls });
      },
    });
    let asked = 0;
    poller.follow(() => (asked += 1));
    expect(poller.following).toBe(true);
    const seen: (number | undefined)[] = [];
    const off = poller.subscribe((s) => seen.push(s.value));
    expect(polls).toBe(0);

    // What the holder polled, taken whole: value, status, times, counts, latencies.
    const holder: UpstreamSnapshot<number> = {
      name: 'u',
      status: 'degraded',
      reason: 'slow',
      value: 42,
      lastCheckAt: 900,
      lastSuccessAt: 900,
      latencyMs: 7,
      consecutiveFailures: 0,
      nextPollAt: 60_900,
      counts: { total: 3, successful: 3, failed: 0 },
      recentLatencies: [5, 6, 7],
    };
    poller.mirror(holder);
    expect(poller.snapshot()).toEqual(holder);
    expect(seen).toEqual([42]);

    // A refresh asks the holder and resolves with the next snapshot it sends.
    const refreshed = poller.refresh();
    expect(asked).toBe(1);
    poller.mirror({ ...holder, value: 43, counts: { total: 4, successful: 4, failed: 0 } });
    expect((await refreshed).value).toBe(43);
    expect(polls).toBe(0);
    expect(poller.pollsStarted).toBe(0);

    // The lease came here: it polls at once, and on at its interval.
    clock = 2_000;
    poller.lead();
    expect(poller.following).toBe(false);
    // The poll lead() started (refresh joins it), then the next one scheduled.
    expect((await poller.refresh()).value).toBe(1);
    expect(polls).toBe(1);
    expect(poller.snapshot()).toMatchObject({
      status: 'up',
      lastSuccessAt: 2_000,
      nextPollAt: 62_000,
    });
    off();
    poller.stop();
  });

  it('summarises latencies', () => {
    expect(latencySummary([])).toEqual({ min: 0, max: 0, avg: 0, p95: 0 });
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(latencySummary(values)).toEqual({ min: 1, max: 100, avg: 50.5, p95: 95 });
  });
});

describe('the media stack from config', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it('builds only the configured upstreams, from the environment', () => {
    const config = loadConfig({
      env: {
        MARQUEE_SONARR_URL: 'http://sonarr.test:8989/',
        MARQUEE_SONARR_API_KEY: 'k',
        MARQUEE_SONARR_INTERVAL_SECONDS: '15',
      },
      cwd: '/nonexistent',
    });
    const stack = createMediaStack(config);
    expect(stack.upstreams.map((u) => [u.name, u.url, u.poller.intervalMs])).toEqual([
      ['sonarr', 'http://sonarr.test:8989', 15_000],
    ]);
    expect(stack.get('plex')).toBeUndefined();
    stack.stop();
  });

  it('refuses a URL without its credentials, naming both variables', () => {
    expect(() =>
      loadConfig({
        env: { MARQUEE_QBITTORRENT_URL: 'http://q:8080', MARQUEE_QBITTORRENT_USERNAME: 'a' },
        cwd: '/nonexistent',
      }),
    ).toThrow(/MARQUEE_QBITTORRENT_PASSWORD: required when MARQUEE_QBITTORRENT_URL is set/);
    expect(() =>
      loadConfig({
        env: { MARQUEE_PLEX_URL: 'ftp://x', MARQUEE_PLEX_TOKEN: 't' },
        cwd: '/nonexistent',
      }),
    ).toThrow(/MARQUEE_PLEX_URL: not an http\(s\) URL/);
  });

  it('polls Sonarr into one summary and marks its health errors degraded', async () => {
    const SONARR = 'http://sonarr.test:8989';
    let health: Json = api.ARR_HEALTH_OK;
    server.use(
      http.get(`${SONARR}/api/v3/system/status`, () => HttpResponse.json(api.ARR_STATUS)),
      http.get(`${SONARR}/api/v3/health`, () => HttpResponse.json(health)),
      http.get(`${SONARR}/api/v3/queue`, () => HttpResponse.json(api.ARR_QUEUE)),
      http.get(`${SONARR}/api/v3/calendar`, () => HttpResponse.json(api.SONARR_CALENDAR)),
    );
    const config = loadConfig({
      overrides: { sonarrUrl: SONARR, sonarrApiKey: 'k' },
      env: {},
      cwd: '/nonexistent',
    });
    const stack = createMediaStack(config);
    const sonarr = stack.get('sonarr');
    if (!sonarr) throw new Error('sonarr not configured');
    const up = await sonarr.poller.refresh();
    expect(up.status).toBe('up');
    expect(up.value?.queue.totalRecords).toBe(1);
    expect(up.value?.calendar).toHaveLength(1);
    health = api.ARR_HEALTH_ERROR;
    const degraded = await sonarr.poller.refresh();
    expect(degraded).toMatchObject({
      status: 'degraded',
      reason: 'Unable to communicate with qBittorrent',
    });
    stack.stop();
  });

  it('polls Plex with library counts, and keeps the last value while down', async () => {
    const PLEX = 'http://plex.test:32400';
    let down = false;
    const maybe = (body: Json) => () => (down ? HttpResponse.error() : HttpResponse.json(body));
    server.use(
      http.get(`${PLEX}/`, maybe(api.PLEX_IDENTITY)),
      http.get(`${PLEX}/status/sessions`, maybe(api.PLEX_SESSIONS)),
      http.get(`${PLEX}/library/sections`, maybe(api.PLEX_SECTIONS)),
      http.get(`${PLEX}/library/sections/:key/all`, ({ params, request }) =>
        HttpResponse.json(
          api.plexCount(
            params.key === '1'
              ? 2156
              : new URL(request.url).searchParams.get('type') === '4'
                ? 15423
                : 487,
          ),
        ),
      ),
    );
    const config = loadConfig({
      overrides: { plexUrl: PLEX, plexToken: 't' },
      env: {},
      cwd: '/nonexistent',
    });
    const stack = createMediaStack(config);
    const plex = stack.get('plex');
    if (!plex) throw new Error('plex not configured');
    const up = await plex.poller.refresh();
    expect(up.value?.libraries.map((l) => [l.section.title, l.count, l.episodes])).toEqual([
      ['Movies', 2156, undefined],
      ['TV Shows', 487, 15423],
    ]);
    down = true;
    const after = await plex.poller.refresh();
    expect(after.status).toBe('down');
    expect(after.reason).toContain('not reachable');
    expect(after.value).toBe(up.value);
    expect(after.lastSuccessAt).toBe(up.lastSuccessAt);
    stack.stop();
  });
});
