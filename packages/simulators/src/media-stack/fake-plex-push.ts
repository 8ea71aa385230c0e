/**
 * The fake Plex's notification socket (`/:/websockets/notifications`, token in `X-Plex-Token`
 * header or query) and its companion player commands (`/player/playback/{pause|play|stop|seekTo}`
 * with
 * `X-Plex-Target-Client-Identifier`). Plex announces a session's change as a `playing`
 * notification (`PlaySessionStateNotification`: sessionKey, clientIdentifier, ratingKey, key,
 * viewOffset, state), not as the session itself: `changed()` compares what `/status/sessions`
 * lists now with what was announced last and sends one notification per session, `stopped` for
 * each one gone.
 */
import type { IncomingMessage } from 'node:http';
import { createPushEndpoint, type PushEndpoint } from './push-endpoint';

/** What the fake reads of its `/status/sessions` answer (fixtures.ts' PLEX_SESSIONS). */
interface PlexSession {
  readonly sessionKey: string;
  readonly ratingKey?: string;
  viewOffset?: number;
  readonly Player: { state: string; readonly machineIdentifier?: string };
}
interface PlexSessions {
  readonly MediaContainer: { size: number; Metadata: PlexSession[] };
}

export interface PlexCommand {
  readonly command: string;
  readonly target: string | undefined;
  readonly commandId: string | null;
}

export interface FakePlexPush {
  readonly endpoint: PushEndpoint;
  /** Announces what changed in the listed sessions since the last announcement. */
  changed(): void;
  /** Companion commands Plex was asked to relay, in order. */
  readonly commands: PlexCommand[];
  /** Answers `/player/playback/…`; undefined for other paths. */
  command(request: IncomingMessage, url: URL): { status: number; text: string } | undefined;
}

interface Announced {
  readonly state: string;
  readonly viewOffset: number | undefined;
}

export function createFakePlexPush(
  sessions: () => PlexSessions,
  token: string,
  reachable: () => boolean,
): FakePlexPush {
  const endpoint = createPushEndpoint({
    path: '/:/websockets/notifications',
    reachable,
    authorized: (request, url) =>
      (request.headers['x-plex-token'] ?? url.searchParams.get('X-Plex-Token')) === token,
  });
  let announced = new Map<string, Announced>();
  const notification = (
    sessionKey: string,
    state: string,
    viewOffset: number | undefined,
    session?: PlexSession,
  ) => ({
    sessionKey,
    clientIdentifier: session?.Player.machineIdentifier ?? '',
    guid: '',
    ratingKey: session?.ratingKey ?? '',
    url: '',
    key: `/library/metadata/${session?.ratingKey ?? ''}`,
    viewOffset,
    playQueueItemID: 1,
    state,
  });
  const changed = () => {
    const listed = sessions().MediaContainer.Metadata;
    const now = new Map<string, Announced>();
    const out: ReturnType<typeof notification>[] = [];
    for (const session of listed) {
      now.set(session.sessionKey, { state: session.Player.state, viewOffset: session.viewOffset });
      out.push(notification(session.sessionKey, session.Player.state, session.viewOffset, session));
    }
    for (const [key, before] of announced) {
      if (!now.has(key)) out.push(notification(key, 'stopped', before.viewOffset));
    }
    announced = now;
    if (out.length === 0) return;
    endpoint.broadcast({
      NotificationContainer: {
        type: 'playing',
        size: out.length,
        PlaySessionStateNotification: out,
      },
    });
  };
  const commands: PlexCommand[] = [];
  return {
    endpoint,
    changed,
    commands,
    command(request, url) {
      const name = /^\/player\/playback\/(\w+)$/.exec(url.pathname)?.[1];
      if (name === undefined) return undefined;
      const header = request.headers['x-plex-target-client-identifier'];
      const target = Array.isArray(header) ? header[0] : header;
      commands.push({ command: name, target, commandId: url.searchParams.get('commandID') });
      const container = sessions().MediaContainer;
      const session = container.Metadata.find((each) => each.Player.machineIdentifier === target);
      if (session === undefined) return { status: 404, text: 'Client not found' };
      if (name === 'pause') session.Player.state = 'paused';
      else if (name === 'play') session.Player.state = 'playing';
      else if (name === 'seekTo') {
        const offset = Number(url.searchParams.get('offset'));
        if (!Number.isFinite(offset) || offset < 0) return { status: 400, text: 'Bad offset' };
        session.viewOffset = offset;
      } else if (name === 'stop') {
        container.Metadata = container.Metadata.filter((each) => each !== session);
        container.size = container.Metadata.length;
      } else return { status: 400, text: `Unknown command ${name}` };
      // The player reports its new state, which Plex announces on its socket.
      setImmediate(changed);
      return { status: 200, text: '' };
    },
  };
}
