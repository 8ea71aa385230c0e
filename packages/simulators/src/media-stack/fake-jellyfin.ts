/**
 * A fake Jellyfin on a real socket: `GET /System/Info`, `GET /Sessions`, a session item's poster
 * (`/Items/{id}/Images/Primary`), the playstate commands (`POST /Sessions/{id}/Playing/{Pause|
 * Unpause|Seek|Stop}`, 204, applied to the listed sessions) and the WebSocket `/socket?api_key=…`:
 * `ForceKeepAlive` on connect; after the client's `SessionsStart` it is sent `Sessions` (the
 * `/Sessions` list) at once and after every change (`changed()`, which the commands call
 * themselves). The API key is checked as Jellyfin does: `Authorization: MediaBrowser …
 * Token="…"`, `X-Emby-Token` or `api_key`. The mode switches of the other fakes apply.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { startFake, type FakeUpstream } from './fake-media-stack';
import * as api from './fixtures';
import { createPushEndpoint, type PushEndpoint } from './push-endpoint';

export const FAKE_JELLYFIN_API_KEY = 'fake-jellyfin-key';

/** A `/Sessions` entry as the fake keeps it (fixtures.ts' JELLYFIN_SESSIONS, Jellyfin's nulls). */
export interface FakeJellyfinSession {
  Id: string;
  UserId?: string | null;
  UserName?: string | null;
  Client?: string | null;
  DeviceName?: string | null;
  SupportsRemoteControl?: boolean;
  NowPlayingItem: {
    Id: string;
    Name?: string | null;
    Type?: string | null;
    SeriesName?: string | null;
    RunTimeTicks?: number | null;
  } | null;
  PlayState?: {
    PositionTicks?: number | null;
    IsPaused?: boolean | null;
    PlayMethod?: string | null;
  };
  TranscodingInfo?: { Bitrate?: number | null } | null;
}

export interface JellyfinCommand {
  readonly sessionId: string;
  readonly command: string;
}

export interface FakeJellyfin {
  readonly upstream: FakeUpstream;
  readonly push: PushEndpoint;
  /** What `/Sessions` lists; tests change it, then call `changed()`. */
  sessions: FakeJellyfinSession[];
  /** Sends `Sessions` to every client that asked with `SessionsStart`. */
  changed(): void;
  /** Playstate commands received, in order. */
  readonly commands: JellyfinCommand[];
  /** Config overrides pointing a Marquee server at this fake. */
  readonly config: { jellyfinUrl: string; jellyfinApiKey: string };
  close(): Promise<void>;
}

function apiKeyOf(request: IncomingMessage, url: URL): string | undefined {
  const header = request.headers.authorization ?? '';
  const token = /Token="([^"]*)"/.exec(header)?.[1];
  const emby = request.headers['x-emby-token'];
  return (
    token ??
    (typeof emby === 'string' ? emby : undefined) ??
    url.searchParams.get('api_key') ??
    undefined
  );
}

export async function startFakeJellyfin(host = '127.0.0.1'): Promise<FakeJellyfin> {
  const subscribed = new WeakSet<WebSocket>();
  const commands: JellyfinCommand[] = [];
  let push: PushEndpoint | undefined;
  const fake = {
    sessions: structuredClone(api.JELLYFIN_SESSIONS) as FakeJellyfinSession[],
  };
  const sessionsFrame = () => ({ MessageType: 'Sessions', Data: fake.sessions });
  const changed = () => push?.broadcast(sessionsFrame(), (client) => subscribed.has(client));
  const authorized = (request: IncomingMessage, url: URL) =>
    apiKeyOf(request, url) === FAKE_JELLYFIN_API_KEY;
  const upstream = await startFake(
    host,
    authorized,
    (request, url) => {
      if (url.pathname === '/System/Info') return { json: api.JELLYFIN_INFO };
      if (url.pathname === '/Sessions') return { json: fake.sessions };
      if (/^\/Items\/[^/]+\/Images\/Primary$/.test(url.pathname)) {
        return { bytes: api.PLEX_POSTER_PNG, headers: { 'content-type': 'image/png' } };
      }
      const playing = /^\/Sessions\/([^/]+)\/Playing\/(\w+)$/.exec(url.pathname);
      if (playing === null || request.method !== 'POST') return undefined;
      const [, id = '', command = ''] = playing;
      const sessionId = decodeURIComponent(id);
      commands.push({ sessionId, command });
      const session = fake.sessions.find((each) => each.Id === sessionId);
      if (session === undefined) return { status: 404, text: 'Session not found' };
      if (command === 'Pause' || command === 'Unpause') {
        session.PlayState = { ...session.PlayState, IsPaused: command === 'Pause' };
      } else if (command === 'Seek') {
        const ticks = Number(url.searchParams.get('seekPositionTicks'));
        if (!Number.isFinite(ticks) || ticks < 0) return { status: 400, text: 'Bad position' };
        session.PlayState = { ...session.PlayState, PositionTicks: ticks };
      } else if (command === 'Stop') {
        session.NowPlayingItem = null;
      } else return { status: 400, text: `Unknown command ${command}` };
      setImmediate(changed);
      return { status: 204, text: '' };
    },
    (server) => {
      push = createPushEndpoint({
        path: '/socket',
        authorized,
        reachable: () => server.mode !== 'down',
        onConnection: (client) =>
          client.send(JSON.stringify({ MessageType: 'ForceKeepAlive', Data: 60 })),
        onMessage: (client, text) => {
          const frame = JSON.parse(text) as { MessageType?: string };
          if (frame.MessageType === 'SessionsStart') {
            subscribed.add(client);
            client.send(JSON.stringify(sessionsFrame()));
          } else if (frame.MessageType === 'SessionsStop') subscribed.delete(client);
        },
      });
      return push.upgrade;
    },
  );
  const socket = push;
  if (socket === undefined) throw new Error('the fake Jellyfin started without its socket');
  return {
    upstream,
    push: socket,
    get sessions() {
      return fake.sessions;
    },
    set sessions(value) {
      fake.sessions = value;
    },
    changed,
    commands,
    config: { jellyfinUrl: upstream.url, jellyfinApiKey: FAKE_JELLYFIN_API_KEY },
    async close() {
      socket.close();
      await upstream.close();
    },
  };
}
