/**
 * Fake media-stack upstreams on real sockets (port 0 or given ports): Plex, Tautulli, Overseerr,
 * qBittorrent, Sonarr, Radarr and Prowlarr, answering the recorded shapes of fixtures.ts and checking each one's credential the way the
 * real one does. Each has a mode switch: `ok`, `down` (the connection is cut), `unauthorized`
 * (401 / qBittorrent's `Fails.`), `malformed` (HTML where JSON belongs) and `slow` (answers after
 * `slowMs`). Tests change the answers through `state`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createFakePlexPush, type FakePlexPush } from './fake-plex-push';
import * as api from './fixtures';

export type FakeMode = 'ok' | 'down' | 'unauthorized' | 'malformed' | 'slow';

export interface FakeUpstream {
  readonly url: string;
  mode: FakeMode;
  slowMs: number;
  /** Requests answered, by path (without the query). */
  readonly hits: Map<string, number>;
  close(): Promise<void>;
}

type Answer = {
  status?: number;
  json?: unknown;
  text?: string;
  /** A binary body (a poster), sent with `headers`' content type. */
  bytes?: Buffer;
  headers?: Record<string, string>;
};
export type Route = (request: IncomingMessage, url: URL, body: string) => Answer | undefined;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Takes a WebSocket upgrade (a push socket); false when it is not for it. */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

export async function startFake(
  host: string,
  authorized: (request: IncomingMessage, url: URL) => boolean,
  route: Route,
  upgrade?: (fake: FakeUpstream) => UpgradeHandler,
): Promise<FakeUpstream> {
  const sockets = new Set<Socket>();
  const fake = {
    url: '',
    mode: 'ok' as FakeMode,
    slowMs: 3000,
    hits: new Map<string, number>(),
    close: () => Promise.resolve(),
  };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://fake');
      fake.hits.set(url.pathname, (fake.hits.get(url.pathname) ?? 0) + 1);
      const body = await readBody(request);
      if (fake.mode === 'down') {
        request.socket.destroy();
        return;
      }
      if (fake.mode === 'slow') await new Promise((resolve) => setTimeout(resolve, fake.slowMs));
      if (fake.mode === 'unauthorized' || !authorized(request, url)) {
        response.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized');
        return;
      }
      if (fake.mode === 'malformed') {
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
        return;
      }
      const answer = route(request, url, body);
      if (answer === undefined) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
        return;
      }
      const sent = answer.bytes ?? answer.text ?? JSON.stringify(answer.json);
      response
        .writeHead(answer.status ?? 200, {
          'content-type': answer.text === undefined ? 'application/json' : 'text/plain',
          ...answer.headers,
        })
        .end(sent);
    })();
  });
  const onUpgrade = upgrade?.(fake);
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (onUpgrade?.(request, socket, head) !== true) socket.destroy();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const where = host.includes(':') ? `[${host}]` : host;
  fake.url = `http://${where}:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return fake;
}

export interface FakeMediaStack {
  readonly plex: FakeUpstream;
  /**
   * Plex's notification socket and companion commands: after changing `state.plexSessions`, a
   * test calls `plexPush.changed()` to have Plex announce it (as the real one does on its own).
   */
  readonly plexPush: FakePlexPush;
  readonly overseerr: FakeUpstream;
  readonly qbittorrent: FakeUpstream;
  readonly sonarr: FakeUpstream;
  readonly tautulli: FakeUpstream;
  readonly radarr: FakeUpstream;
  readonly prowlarr: FakeUpstream;
  /** What the fakes answer; tests change it between polls. */
  readonly state: {
    /** Plex's `/status/sessions` answer: what plays now. */
    plexSessions: typeof api.PLEX_SESSIONS;
    torrents: typeof api.QBIT_TORRENTS;
    requests: typeof api.OVERSEERR_REQUESTS;
    /** Radarr's queue. */
    radarrQueue: typeof api.RADARR_QUEUE;
  };
  /** Config overrides that point a Marquee server at the fakes. */
  readonly config: Record<string, string>;
  close(): Promise<void>;
}

export const FAKE_CREDENTIALS = {
  plexToken: 'fake-plex-token',
  overseerrApiKey: 'fake-overseerr-key',
  sonarrApiKey: 'fake-sonarr-key',
  tautulliApiKey: 'fake-tautulli-key',
  radarrApiKey: 'fake-radarr-key',
  prowlarrApiKey: 'fake-prowlarr-key',
  qbittorrentUsername: 'admin',
  qbittorrentPassword: 'adminadmin',
} as const;

export interface FakeMediaStackOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
}

export async function startFakeMediaStack(
  options: FakeMediaStackOptions = {},
): Promise<FakeMediaStack> {
  const host = options.host ?? '127.0.0.1';
  const state = {
    plexSessions: structuredClone(api.PLEX_SESSIONS),
    torrents: structuredClone(api.QBIT_TORRENTS),
    requests: structuredClone(api.OVERSEERR_REQUESTS),
    radarrQueue: structuredClone(api.RADARR_QUEUE),
  };
  let plexPush: FakePlexPush | undefined;
  const plex = await startFake(
    host,
    (request) => request.headers['x-plex-token'] === FAKE_CREDENTIALS.plexToken,
    (request, url) => {
      if (url.pathname === '/') return { json: api.PLEX_IDENTITY };
      const command = plexPush?.command(request, url);
      if (command !== undefined) return command;
      if (url.pathname === '/status/sessions') return { json: state.plexSessions };
      // Posters (`thumb`, `grandparentThumb`): a small PNG, as Plex serves a library image.
      if (/^\/library\/metadata\/\d+\/(thumb|art)\/\d+$/.test(url.pathname)) {
        return { bytes: api.PLEX_POSTER_PNG, headers: { 'content-type': 'image/png' } };
      }
      if (url.pathname === '/library/sections') return { json: api.PLEX_SECTIONS };
      const section = /^\/library\/sections\/(\d+)\/all$/.exec(url.pathname)?.[1];
      if (section === '1') return { json: api.plexCount(2156) };
      if (section === '2') {
        return { json: api.plexCount(url.searchParams.get('type') === '4' ? 15423 : 487) };
      }
      return undefined;
    },
    (fake) => {
      plexPush = createFakePlexPush(
        () => state.plexSessions,
        FAKE_CREDENTIALS.plexToken,
        () => fake.mode !== 'down',
      );
      return plexPush.endpoint.upgrade;
    },
  );
  const plexSocket = plexPush;
  if (plexSocket === undefined) throw new Error('the fake Plex started without its socket');
  const overseerr = await startFake(
    host,
    (request) => request.headers['x-api-key'] === FAKE_CREDENTIALS.overseerrApiKey,
    (_request, url) => {
      if (url.pathname === '/api/v1/status') return { json: api.OVERSEERR_STATUS };
      if (url.pathname === '/api/v1/request/count') return { json: api.OVERSEERR_COUNTS };
      if (url.pathname === '/api/v1/request') return { json: state.requests };
      if (url.pathname === '/api/v1/user') return { json: api.OVERSEERR_USERS };
      const title = api.OVERSEERR_TITLES[url.pathname.replace('/api/v1/', '')];
      return title === undefined ? undefined : { json: title };
    },
  );
  const sids = new Set<string>();
  const qbittorrent = await startFake(
    host,
    () => true,
    (request, url, body) => {
      if (url.pathname === '/api/v2/auth/login') {
        const form = new URLSearchParams(body);
        if (
          form.get('username') !== FAKE_CREDENTIALS.qbittorrentUsername ||
          form.get('password') !== FAKE_CREDENTIALS.qbittorrentPassword
        ) {
          return { text: 'Fails.' };
        }
        const sid = `sid-${sids.size + 1}`;
        sids.add(sid);
        return { text: 'Ok.', headers: { 'set-cookie': `SID=${sid}; HttpOnly; path=/` } };
      }
      const sid = /SID=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
      if (sid === undefined || !sids.has(sid)) return { status: 403, text: 'Forbidden' };
      if (url.pathname === '/api/v2/app/version') return { text: api.QBIT_VERSION };
      if (url.pathname === '/api/v2/transfer/info') return { json: api.QBIT_TRANSFER };
      if (url.pathname === '/api/v2/torrents/info') return { json: state.torrents };
      return undefined;
    },
  );
  const sonarr = await startFake(
    host,
    (request) => request.headers['x-api-key'] === FAKE_CREDENTIALS.sonarrApiKey,
    (_request, url) => {
      if (url.pathname === '/api/v3/system/status') return { json: api.ARR_STATUS };
      if (url.pathname === '/api/v3/health') return { json: api.ARR_HEALTH_WARNING };
      if (url.pathname === '/api/v3/queue') return { json: api.ARR_QUEUE };
      if (url.pathname === '/api/v3/calendar') return { json: api.SONARR_CALENDAR };
      return undefined;
    },
  );
  // Tautulli's API v2: one path, the command in `cmd`, the key in `apikey` (Tautulli's API.md).
  const tautulliCommands: Record<string, unknown> = {
    get_activity: api.TAUTULLI_ACTIVITY,
    get_history: api.TAUTULLI_HISTORY,
    get_libraries: api.TAUTULLI_LIBRARIES,
    get_users: api.TAUTULLI_USERS,
  };
  const tautulli = await startFake(
    host,
    (_request, url) => url.searchParams.get('apikey') === FAKE_CREDENTIALS.tautulliApiKey,
    (_request, url) => {
      if (url.pathname !== '/api/v2') return undefined;
      const answer = tautulliCommands[url.searchParams.get('cmd') ?? ''];
      return answer === undefined ? undefined : { json: answer };
    },
  );
  const radarr = await startFake(
    host,
    (request) => request.headers['x-api-key'] === FAKE_CREDENTIALS.radarrApiKey,
    (_request, url) => {
      if (url.pathname === '/api/v3/system/status') return { json: api.RADARR_STATUS };
      if (url.pathname === '/api/v3/health') return { json: api.ARR_HEALTH_OK };
      if (url.pathname === '/api/v3/queue') return { json: state.radarrQueue };
      if (url.pathname === '/api/v3/calendar') return { json: api.RADARR_CALENDAR };
      return undefined;
    },
  );
  const prowlarr = await startFake(
    host,
    (request) => request.headers['x-api-key'] === FAKE_CREDENTIALS.prowlarrApiKey,
    (_request, url) => {
      if (url.pathname === '/api/v1/system/status') return { json: api.PROWLARR_STATUS };
      if (url.pathname === '/api/v1/health') return { json: api.ARR_HEALTH_OK };
      if (url.pathname === '/api/v1/indexer') return { json: api.PROWLARR_INDEXERS };
      return undefined;
    },
  );
  const all = [plex, overseerr, qbittorrent, sonarr, tautulli, radarr, prowlarr];
  return {
    plex,
    plexPush: plexSocket,
    overseerr,
    qbittorrent,
    sonarr,
    tautulli,
    radarr,
    prowlarr,
    state,
    config: {
      plexUrl: plex.url,
      plexToken: FAKE_CREDENTIALS.plexToken,
      overseerrUrl: overseerr.url,
      overseerrApiKey: FAKE_CREDENTIALS.overseerrApiKey,
      qbittorrentUrl: qbittorrent.url,
      qbittorrentUsername: FAKE_CREDENTIALS.qbittorrentUsername,
      qbittorrentPassword: FAKE_CREDENTIALS.qbittorrentPassword,
      sonarrUrl: sonarr.url,
      sonarrApiKey: FAKE_CREDENTIALS.sonarrApiKey,
      tautulliUrl: tautulli.url,
      tautulliApiKey: FAKE_CREDENTIALS.tautulliApiKey,
      radarrUrl: radarr.url,
      radarrApiKey: FAKE_CREDENTIALS.radarrApiKey,
      prowlarrUrl: prowlarr.url,
      prowlarrApiKey: FAKE_CREDENTIALS.prowlarrApiKey,
    },
    async close() {
      plexSocket.endpoint.close();
      await Promise.all(all.map((fake) => fake.close()));
    },
  };
}
