/**
 * Now Playing sessions read from the media servers (Plex, Jellyfin): each configured one's shared
 * poller (src/integrations/media/stack.ts, the same poller the media-stack surface reads) hands
 * its sessions here after every successful poll; they are mapped to seed 000's session shape,
 * marked with their `source`, and replace that source's previous list, so a session that is no
 * longer listed upstream leaves the snapshot at the next poll. A failed poll changes nothing: the
 * last confirmed sessions stay until they are older than the session TTL (as a player's session
 * without updates does), and a player's POSTed sessions are never touched.
 *
 * Upstream sessions belong to no Marquee account: `user_id` is 0; the stop route refuses them
 * (409), the control route relays pause / resume / stop to the media server (control.ts), and
 * each is recorded in playback history when it is no longer listed (service.ts). Posters are served by Marquee (`/api/media/upstream-poster/
 * {session_id}`), which fetches them from the media server with its credential, so the token
 * never reaches a browser or a panel.
 */
import { protocol } from '@marquee/sdk';
import {
  TICKS_PER_MS,
  type JellyfinSession,
  type MediaStack,
  type PlexSession,
} from '../../integrations/media';
import type { UpstreamPoller } from '../../integrations/upstream';
import { progressPercent } from './sessions';

type Session = protocol.nowPlaying.Session;
type SessionSource = protocol.nowPlaying.SessionSource;

/** Where a session's poster is served by Marquee. */
export function upstreamPosterPath(sessionId: string): string {
  return `/api/media/upstream-poster/${encodeURIComponent(sessionId)}`;
}

/** Where remote control of an upstream session goes (control.ts). */
export type RemoteTarget =
  | { readonly source: 'plex'; readonly clientId: string; readonly mediaType: string }
  | { readonly source: 'jellyfin'; readonly sessionId: string };

/** An upstream session as Marquee keeps it: the snapshot's session and where its poster lives. */
export interface UpstreamSession {
  readonly session: Session;
  /** The poster's path on the media server (fetched with its credential), if it has one. */
  readonly posterPath: string | undefined;
  /** Its player, when the media server can relay commands to it. */
  readonly remote: RemoteTarget | undefined;
}

/** A session's `poster_thumb`: its relayed poster as the panel's 150×225 baseline JPEG. */
export function upstreamThumbPath(sessionId: string): string {
  const { THUMB_DEFAULT_WIDTH: width, THUMB_DEFAULT_HEIGHT: height } = protocol.media;
  return `${upstreamPosterPath(sessionId)}?width=${width}&height=${height}`;
}

/** A poster path on the media server itself; a full URL elsewhere (plex.tv) is not relayed. */
function localPath(path: string | null | undefined): string | undefined {
  return path?.startsWith('/') && !path.startsWith('//') ? path : undefined;
}

function stateOf(state: string | undefined, paused?: boolean): Session['state'] {
  if (paused === true || state === 'paused') return 'paused';
  if (state === 'buffering') return 'buffering';
  return 'playing';
}

/** `track` / `Audio` are music in the seed's vocabulary; other types are kept, lower-cased. */
function mediaTypeOf(type: string | null | undefined): string {
  const lower = (type ?? 'video').toLowerCase();
  return lower === 'track' || lower === 'audio' ? 'music' : lower;
}

function episodeTitle(series: string | null | undefined, title: string): string {
  return series ? `${series}: ${title}` : title;
}

function base(
  source: SessionSource,
  id: string,
  username: string,
  atMs: number,
): Pick<
  Session,
  'session_id' | 'user_id' | 'username' | 'avatar_url' | 'last_update' | 'position_at_ms' | 'source'
> {
  return {
    session_id: `${source}-${id}`,
    user_id: 0,
    username,
    avatar_url: protocol.media.avatarPath(username),
    last_update: Math.floor(atMs / 1000),
    position_at_ms: atMs,
    source,
  };
}

/** Plex `/status/sessions` entries (milliseconds; `bandwidth` in kbit/s). */
export function fromPlex(sessions: readonly PlexSession[], atMs: number): UpstreamSession[] {
  return sessions.map((plex) => {
    const head = base('plex', plex.sessionKey, plex.User?.title ?? 'Plex user', atMs);
    const position = Math.max(0, (plex.viewOffset ?? 0) / 1000);
    const duration = Math.max(0, (plex.duration ?? 0) / 1000);
    const posterPath = localPath(
      (plex.type === 'episode' ? plex.grandparentThumb : undefined) ?? plex.thumb,
    );
    const bandwidth = plex.Session?.bandwidth;
    return {
      session: {
        ...head,
        media_type: mediaTypeOf(plex.type),
        title: episodeTitle(plex.grandparentTitle, plex.title),
        poster_url: posterPath === undefined ? null : upstreamPosterPath(head.session_id),
        poster_thumb: posterPath === undefined ? null : upstreamThumbPath(head.session_id),
        progress_percent: progressPercent(position, duration),
        current_time: position,
        duration,
        state: stateOf(plex.Player?.state),
        bitrate: bandwidth === undefined ? null : Math.max(0, Math.round(bandwidth * 1000)),
      },
      posterPath,
      remote:
        plex.Player?.machineIdentifier === undefined
          ? undefined
          : { source: 'plex', clientId: plex.Player.machineIdentifier, mediaType: plex.type },
    };
  });
}

/** Jellyfin `/Sessions` entries that play something (ticks: 10,000 per millisecond). */
export function fromJellyfin(
  sessions: readonly JellyfinSession[],
  atMs: number,
): UpstreamSession[] {
  return sessions.flatMap((jellyfin) => {
    const item = jellyfin.NowPlayingItem;
    if (!item) return [];
    const head = base('jellyfin', jellyfin.Id, jellyfin.UserName ?? 'Jellyfin user', atMs);
    const seconds = (ticks: number | null | undefined) =>
      Math.max(0, (ticks ?? 0) / TICKS_PER_MS / 1000);
    const position = seconds(jellyfin.PlayState?.PositionTicks);
    const duration = seconds(item.RunTimeTicks);
    const bitrate = jellyfin.TranscodingInfo?.Bitrate;
    const posterPath = `/Items/${encodeURIComponent(item.Id)}/Images/Primary`;
    return [
      {
        session: {
          ...head,
          media_type: mediaTypeOf(item.Type),
          title: episodeTitle(item.SeriesName, item.Name ?? 'Untitled'),
          poster_url: upstreamPosterPath(head.session_id),
          poster_thumb: upstreamThumbPath(head.session_id),
          progress_percent: progressPercent(position, duration),
          current_time: position,
          duration,
          state: stateOf(undefined, jellyfin.PlayState?.IsPaused ?? false),
          bitrate:
            bitrate === undefined || bitrate === null ? null : Math.max(0, Math.round(bitrate)),
        },
        posterPath,
        remote:
          jellyfin.SupportsRemoteControl === false
            ? undefined
            : { source: 'jellyfin', sessionId: jellyfin.Id },
      },
    ];
  });
}

/** The sink the watcher feeds (NowPlayingService). */
export interface UpstreamSessionSink {
  setUpstreamSessions(source: SessionSource, sessions: UpstreamSession[], atMs: number): void;
}

/**
 * Subscribes the sink to the Plex and Jellyfin pollers of the stack (those configured) and holds
 * their push sockets open, so a change reaches the sink when it happens rather than at the next
 * poll; returns the unsubscription. Only successful polls are passed on (see the file comment for outages).
 */
export function watchUpstreamSessions(stack: MediaStack, sink: UpstreamSessionSink): () => void {
  const follow = <T>(
    poller: UpstreamPoller<T>,
    source: SessionSource,
    map: (value: T, atMs: number) => UpstreamSession[],
  ) =>
    poller.subscribe((snapshot) => {
      const at = snapshot.lastSuccessAt;
      if (snapshot.status === 'down' || snapshot.value === undefined || at === undefined) return;
      sink.setUpstreamSessions(source, map(snapshot.value, at), at);
    });
  const offs: (() => void)[] = [];
  // Push where the media server pushes (push.ts); polling stays the fallback.
  for (const upstream of stack.upstreams) if (upstream.push) offs.push(upstream.push.hold());
  const plex = stack.get('plex');
  if (plex) offs.push(follow(plex.poller, 'plex', (value, at) => fromPlex(value.sessions, at)));
  const jellyfin = stack.get('jellyfin');
  if (jellyfin) {
    offs.push(follow(jellyfin.poller, 'jellyfin', (value, at) => fromJellyfin(value.sessions, at)));
  }
  return () => {
    for (const off of offs) off();
  };
}
