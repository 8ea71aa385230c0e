/**
 * The media-stack adapters against their upstreams' HTTP APIs mocked with msw, answering the
 * recorded shapes of the simulators' media-stack fixtures: the happy path, empty libraries, refused
 * credentials, errors, timeouts, unreachable hosts and malformed answers.
 */
import { HttpResponse, delay, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createArrAdapter,
  createJellyfinAdapter,
  createOverseerrAdapter,
  createPlexAdapter,
  createQbittorrentAdapter,
  createTautulliAdapter,
} from '../../src/integrations/media';
import { UpstreamError, createUpstreamHttp } from '../../src/integrations/upstream';
import { api, type Json } from '../helpers/media-api';
import { z } from 'zod';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const PLEX = 'http://plex.test:32400';
const JELLYFIN = 'http://jellyfin.test:8096';
const TAUTULLI = 'http://tautulli.test:8181';
const OVERSEERR = 'http://overseerr.test:5055';
const QBIT = 'http://qbit.test:8080';
const SONARR = 'http://sonarr.test:8989';
const PROWLARR = 'http://prowlarr.test:9696';

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof UpstreamError))
    throw new Error(`expected an UpstreamError, got ${String(error)}`);
  return error;
}

describe('the shared HTTP client', () => {
  const client = (timeoutMs = 1000) =>
    createUpstreamHttp({
      name: 'thing',
      baseUrl: 'http://thing.test',
      credentialHint: 'MARQUEE_THING_KEY',
      timeoutMs,
      headers: () => ({ 'x-api-key': 'k' }),
    });
  const Shape = z.object({ n: z.number() });

  it('merges identical GETs in flight into one call', async () => {
    let calls = 0;
    server.use(
      http.get('http://thing.test/x', async () => {
        calls += 1;
        await delay(50);
        return HttpResponse.json({ n: 1 });
      }),
    );
    const c = client();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => c.json(Shape, { path: '/x', what: 'x' })),
    );
    expect(answers).toHaveLength(20);
    expect(answers.every((a) => a.n === 1)).toBe(true);
    expect(calls).toBe(1);
    await c.json(Shape, { path: '/x', what: 'x' });
    expect(calls).toBe(2);
  });

  it('times out a slow answer', async () => {
    server.use(
      http.get('http://thing.test/x', async () => {
        await delay(2000);
        return HttpResponse.json({ n: 1 });
      }),
    );
    const error = await failure(client(100).json(Shape, { path: '/x', what: 'x' }));
    expect(error.kind).toBe('timeout');
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(error.status).toBe(504);
  });

  it('reports an unreachable host as 503', async () => {
    server.use(http.get('http://thing.test/x', () => HttpResponse.error()));
    const error = await failure(client().json(Shape, { path: '/x', what: 'x' }));
    expect(error.kind).toBe('unreachable');
    expect(error.status).toBe(503);
    expect(error.message).toContain('http://thing.test');
  });

  it('names the variable to fix when credentials are refused', async () => {
    server.use(http.get('http://thing.test/x', () => new HttpResponse('nope', { status: 401 })));
    const error = await failure(client().json(Shape, { path: '/x', what: 'x' }));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('MARQUEE_THING_KEY');
  });

  it('refuses non-JSON, a wrong shape and an error status', async () => {
    server.use(http.get('http://thing.test/a', () => new HttpResponse('<html>', { status: 200 })));
    server.use(http.get('http://thing.test/b', () => HttpResponse.json({ n: 'one' })));
    server.use(http.get('http://thing.test/c', () => new HttpResponse('boom', { status: 500 })));
    expect((await failure(client().json(Shape, { path: '/a', what: 'a' }))).kind).toBe('malformed');
    const shape = await failure(client().json(Shape, { path: '/b', what: 'b' }));
    expect(shape.kind).toBe('malformed');
    expect(shape.message).toContain('n:');
    const status = await failure(client().json(Shape, { path: '/c', what: 'c' }));
    expect(status.kind).toBe('http');
    expect(status.message).toContain('HTTP 500: boom');
  });

  it('refuses an answer beyond the size bound', async () => {
    const big = 'x'.repeat(9 * 1024 * 1024);
    server.use(http.get('http://thing.test/x', () => new HttpResponse(`"${big}"`)));
    const error = await failure(client(5000).json(z.string(), { path: '/x', what: 'x' }));
    expect(error.kind).toBe('malformed');
    expect(error.message).toContain('bytes');
  });
});

describe('Plex', () => {
  const plex = () => createPlexAdapter({ baseUrl: PLEX, token: 'plex-token', timeoutMs: 1000 });

  it('reads identity, sessions and libraries with the token', async () => {
    const tokens: (string | null)[] = [];
    server.use(
      http.get(`${PLEX}/`, ({ request }) => {
        tokens.push(request.headers.get('x-plex-token'));
        return HttpResponse.json(api.PLEX_IDENTITY);
      }),
      http.get(`${PLEX}/status/sessions`, () => HttpResponse.json(api.PLEX_SESSIONS)),
      http.get(`${PLEX}/library/sections`, () => HttpResponse.json(api.PLEX_SECTIONS)),
      http.get(`${PLEX}/library/sections/:key/all`, ({ params, request }) => {
        const url = new URL(request.url);
        expect(url.searchParams.get('X-Plex-Container-Size')).toBe('0');
        const episodes = url.searchParams.get('type') === '4';
        return HttpResponse.json(api.plexCount(params.key === '1' ? 2156 : episodes ? 15423 : 487));
      }),
    );
    const adapter = plex();
    const identity = await adapter.identity();
    expect(identity).toMatchObject({
      version: '1.32.7.7621-871adbd44',
      machineIdentifier: 'abcd1234efgh5678',
    });
    expect(tokens).toEqual(['plex-token']);
    const sessions = await adapter.sessions();
    expect(sessions.map((s) => [s.sessionKey, s.Player?.state, s.viewOffset])).toEqual([
      ['12', 'playing', 1245000],
      ['13', 'paused', 60000],
    ]);
    expect((await adapter.sections()).map((s) => [s.key, s.type])).toEqual([
      ['1', 'movie'],
      ['2', 'show'],
    ]);
    expect(await adapter.count('2', 4)).toBe(15423);
  });

  it('reads an empty container (no Metadata, no Directory) as empty lists', async () => {
    server.use(
      http.get(`${PLEX}/status/sessions`, () => HttpResponse.json({ MediaContainer: { size: 0 } })),
      http.get(`${PLEX}/library/sections`, () =>
        HttpResponse.json({ MediaContainer: { size: 0 } }),
      ),
    );
    expect(await plex().sessions()).toEqual([]);
    expect(await plex().sections()).toEqual([]);
  });

  it('reports a wrong token and a malformed session', async () => {
    server.use(
      http.get(`${PLEX}/`, () => new HttpResponse('<html>Unauthorized</html>', { status: 401 })),
    );
    const auth = await failure(plex().identity());
    expect(auth.kind).toBe('auth');
    expect(auth.message).toContain('MARQUEE_PLEX_TOKEN');
    server.use(
      http.get(`${PLEX}/status/sessions`, () =>
        HttpResponse.json({ MediaContainer: { size: 1, Metadata: [{ title: 'no key' }] } }),
      ),
    );
    expect((await failure(plex().sessions())).kind).toBe('malformed');
  });
});

describe('Jellyfin', () => {
  const jellyfin = () =>
    createJellyfinAdapter({ baseUrl: JELLYFIN, apiKey: 'jf-key', timeoutMs: 1000 });

  it('sends the key in the MediaBrowser authorization and reads sessions with nulls', async () => {
    let auth: string | null = null;
    server.use(
      http.get(`${JELLYFIN}/Sessions`, ({ request }) => {
        auth = request.headers.get('authorization');
        return HttpResponse.json(api.JELLYFIN_SESSIONS);
      }),
      http.get(`${JELLYFIN}/System/Info`, () => HttpResponse.json(api.JELLYFIN_INFO)),
    );
    const sessions = await jellyfin().sessions();
    expect(auth).toContain('Token="jf-key"');
    expect(sessions[0]?.NowPlayingItem?.Name).toBe('Arrival');
    expect(sessions[1]?.NowPlayingItem).toBeNull();
    expect((await jellyfin().info()).Version).toBe('10.9.11');
  });

  it('reports a refused key', async () => {
    server.use(http.get(`${JELLYFIN}/Sessions`, () => new HttpResponse(null, { status: 401 })));
    expect((await failure(jellyfin().sessions())).message).toContain('MARQUEE_JELLYFIN_API_KEY');
  });
});

describe('Tautulli', () => {
  const tautulli = () =>
    createTautulliAdapter({ baseUrl: TAUTULLI, apiKey: 'tt-key', timeoutMs: 1000 });
  const byCommand = (answers: Record<string, Json>) =>
    http.get(`${TAUTULLI}/api/v2`, ({ request }) => {
      const url = new URL(request.url);
      if (url.searchParams.get('apikey') !== 'tt-key')
        return HttpResponse.json(api.TAUTULLI_BAD_KEY);
      return HttpResponse.json(answers[url.searchParams.get('cmd') ?? ''] ?? null);
    });

  it('reads the four commands, numbers sent as strings included', async () => {
    server.use(
      byCommand({
        get_activity: api.TAUTULLI_ACTIVITY,
        get_history: api.TAUTULLI_HISTORY,
        get_libraries: api.TAUTULLI_LIBRARIES,
        get_users: api.TAUTULLI_USERS,
      }),
    );
    const adapter = tautulli();
    const activity = await adapter.activity();
    expect(activity.stream_count).toBe(2);
    expect(activity.sessions[0]?.progress_percent).toBe(35);
    expect((await adapter.history(50)).recordsTotal).toBe(2);
    const libraries = await adapter.libraries();
    expect(libraries.map((l) => [l.section_id, l.count])).toEqual([
      ['1', 2156],
      ['2', 487],
    ]);
    expect((await adapter.users()).map((u) => u.user_id)).toEqual([1, 2]);
  });

  it('turns result "error" about the key into an auth failure', async () => {
    server.use(byCommand({}));
    const adapter = createTautulliAdapter({ baseUrl: TAUTULLI, apiKey: 'wrong', timeoutMs: 1000 });
    const error = await failure(adapter.activity());
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('Invalid apikey');
  });

  it('refuses a success without data', async () => {
    server.use(
      byCommand({ get_activity: { response: { result: 'success', message: null, data: {} } } }),
    );
    expect((await failure(tautulli().activity())).kind).toBe('malformed');
  });
});

describe('Overseerr', () => {
  const overseerr = () =>
    createOverseerrAdapter({ baseUrl: OVERSEERR, apiKey: 'os-key', timeoutMs: 1000 });

  it('reads status, counts, requests, users and caches titles', async () => {
    let titleCalls = 0;
    server.use(
      http.get(`${OVERSEERR}/api/v1/status`, ({ request }) =>
        request.headers.get('x-api-key') === 'os-key'
          ? HttpResponse.json(api.OVERSEERR_STATUS)
          : new HttpResponse(null, { status: 403 }),
      ),
      http.get(`${OVERSEERR}/api/v1/request/count`, () => HttpResponse.json(api.OVERSEERR_COUNTS)),
      http.get(`${OVERSEERR}/api/v1/request`, () => HttpResponse.json(api.OVERSEERR_REQUESTS)),
      http.get(`${OVERSEERR}/api/v1/user`, () => HttpResponse.json(api.OVERSEERR_USERS)),
      http.get(`${OVERSEERR}/api/v1/:type/:id`, ({ params }) => {
        titleCalls += 1;
        return HttpResponse.json(
          api.OVERSEERR_TITLES[`${String(params.type)}/${String(params.id)}`],
        );
      }),
    );
    const adapter = overseerr();
    expect((await adapter.status()).version).toBe('1.33.2');
    expect((await adapter.counts()).pending).toBe(12);
    const requests = await adapter.requests(20);
    expect(requests.total).toBe(1847);
    expect(requests.results.map((r) => r.status)).toEqual([2, 1]);
    expect((await adapter.users(1)).total).toBe(45);
    expect(await adapter.title('tv', 1396)).toBe('Breaking Bad');
    expect(await adapter.title('tv', 1396)).toBe('Breaking Bad');
    expect(titleCalls).toBe(1);
  });

  it('reports a refused key and an empty page as empty', async () => {
    server.use(
      http.get(`${OVERSEERR}/api/v1/status`, () => new HttpResponse(null, { status: 403 })),
    );
    expect((await failure(overseerr().status())).kind).toBe('auth');
    server.use(
      http.get(`${OVERSEERR}/api/v1/request`, () =>
        HttpResponse.json({
          pageInfo: { pages: 0, pageSize: 20, results: 0, page: 1 },
          results: [],
        }),
      ),
    );
    expect(await overseerr().requests(20)).toEqual({ total: 0, results: [] });
  });
});

describe('qBittorrent', () => {
  const qbit = (password = 'secret') =>
    createQbittorrentAdapter({ baseUrl: QBIT, username: 'admin', password, timeoutMs: 1000 });

  /** A qBittorrent that hands out SIDs and can expire them. */
  function fakeQbit() {
    const valid = new Set<string>();
    let next = 0;
    const state = { logins: 0, expire: () => valid.clear() };
    const authed = (request: Request) => {
      const sid = /SID=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1];
      return sid !== undefined && valid.has(sid);
    };
    server.use(
      http.post(`${QBIT}/api/v2/auth/login`, async ({ request }) => {
        state.logins += 1;
        const form = new URLSearchParams(await request.text());
        if (request.headers.get('referer') !== QBIT)
          return new HttpResponse('Forbidden', { status: 403 });
        if (form.get('username') !== 'admin' || form.get('password') !== 'secret')
          return new HttpResponse('Fails.');
        const sid = `sid-${(next += 1)}`;
        valid.add(sid);
        return new HttpResponse('Ok.', {
          headers: { 'set-cookie': `SID=${sid}; HttpOnly; path=/` },
        });
      }),
      http.get(`${QBIT}/api/v2/app/version`, ({ request }) =>
        authed(request)
          ? new HttpResponse(api.QBIT_VERSION)
          : new HttpResponse('Forbidden', { status: 403 }),
      ),
      http.get(`${QBIT}/api/v2/transfer/info`, ({ request }) =>
        authed(request)
          ? HttpResponse.json(api.QBIT_TRANSFER)
          : new HttpResponse('Forbidden', { status: 403 }),
      ),
      http.get(`${QBIT}/api/v2/torrents/info`, ({ request }) =>
        authed(request)
          ? HttpResponse.json(api.QBIT_TORRENTS)
          : new HttpResponse('Forbidden', { status: 403 }),
      ),
    );
    return state;
  }

  it('signs in once with a cookie and reuses the session', async () => {
    const fake = fakeQbit();
    const adapter = qbit();
    expect(await adapter.version()).toBe('4.5.4');
    const [transfer, torrents] = await Promise.all([adapter.transfer(), adapter.torrents()]);
    expect(transfer.dl_info_speed).toBe(45_200_000);
    expect(torrents.map((t) => t.state)).toEqual(['downloading', 'queuedDL', 'uploading']);
    expect(fake.logins).toBe(1);
  });

  it('signs in again when the session expired', async () => {
    const fake = fakeQbit();
    const adapter = qbit();
    await adapter.transfer();
    fake.expire();
    expect((await adapter.transfer()).dl_info_speed).toBe(45_200_000);
    expect(fake.logins).toBe(2);
  });

  it('reports wrong credentials ("Fails.") and a ban (403 on login)', async () => {
    fakeQbit();
    const wrong = await failure(qbit('wrong').transfer());
    expect(wrong.kind).toBe('auth');
    expect(wrong.message).toContain('Fails.');
    server.use(
      http.post(`${QBIT}/api/v2/auth/login`, () => new HttpResponse('Forbidden', { status: 403 })),
    );
    expect((await failure(qbit().transfer())).message).toContain('banned');
  });

  it('refuses a malformed torrent list', async () => {
    fakeQbit();
    server.use(http.get(`${QBIT}/api/v2/torrents/info`, () => HttpResponse.json([{ hash: 'x' }])));
    expect((await failure(qbit().torrents())).kind).toBe('malformed');
  });
});

describe('Sonarr, Radarr and Prowlarr', () => {
  it('reads v3 status, health, queue and calendar with the key', async () => {
    let query: URLSearchParams | undefined;
    server.use(
      http.get(`${SONARR}/api/v3/system/status`, ({ request }) =>
        request.headers.get('x-api-key') === 'sn-key'
          ? HttpResponse.json(api.ARR_STATUS)
          : new HttpResponse(null, { status: 401 }),
      ),
      http.get(`${SONARR}/api/v3/health`, () => HttpResponse.json(api.ARR_HEALTH_WARNING)),
      http.get(`${SONARR}/api/v3/queue`, () => HttpResponse.json(api.ARR_QUEUE)),
      http.get(`${SONARR}/api/v3/calendar`, ({ request }) => {
        query = new URL(request.url).searchParams;
        return HttpResponse.json(api.SONARR_CALENDAR);
      }),
    );
    const sonarr = createArrAdapter({
      kind: 'sonarr',
      baseUrl: SONARR,
      apiKey: 'sn-key',
      timeoutMs: 1000,
    });
    expect((await sonarr.systemStatus()).version).toBe('4.0.1.929');
    expect((await sonarr.health())[0]?.type).toBe('warning');
    expect((await sonarr.queue(100)).records[0]?.timeleft).toBe('01:28:33');
    const start = new Date('2024-01-01T00:00:00Z');
    const calendar = await sonarr.calendar(start, new Date('2024-01-08T00:00:00Z'));
    expect(calendar[0]?.series?.title).toBe('Stranger Things');
    expect(query?.get('start')).toBe(start.toISOString());
    const wrong = createArrAdapter({
      kind: 'sonarr',
      baseUrl: SONARR,
      apiKey: 'x',
      timeoutMs: 1000,
    });
    expect((await failure(wrong.systemStatus())).message).toContain('MARQUEE_SONARR_API_KEY');
  });

  it('reads Prowlarr v1 indexers and refuses an unknown health level', async () => {
    server.use(
      http.get(`${PROWLARR}/api/v1/indexer`, () => HttpResponse.json(api.PROWLARR_INDEXERS)),
      http.get(`${PROWLARR}/api/v1/health`, () =>
        HttpResponse.json([{ source: 'x', type: 'catastrophe', message: 'm' }]),
      ),
    );
    const prowlarr = createArrAdapter({
      kind: 'prowlarr',
      baseUrl: PROWLARR,
      apiKey: 'p',
      timeoutMs: 1000,
    });
    expect((await prowlarr.indexers()).map((i) => i.enable)).toEqual([true, false]);
    expect((await failure(prowlarr.health())).kind).toBe('malformed');
  });
});
