/**
 * Media-server sessions mapped to seed 000 (upstream-sessions.ts), from the recorded-shape
 * fixtures parsed by the adapters' own zod shapes: Jellyfin's ticks and pause flag, sessions
 * without an item left out, music, full-URL posters not relayed; and the service's bound per
 * source and its TTL for a media server that stopped answering.
 */
import { mediaStackFixtures as api } from '@marquee/simulators';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JellyfinSession, PlexSessions } from '../../src/integrations/media';
import type { SessionHistoryRecord } from '../../src/core/store/types';
import { NowPlayingService } from '../../src/surfaces/now-playing/service';
import { fromJellyfin, fromPlex } from '../../src/surfaces/now-playing/upstream-sessions';

const AT = Date.UTC(2026, 11, 7, 20, 0, 0);
const jellyfinSessions = () => z.array(JellyfinSession).parse(api.JELLYFIN_SESSIONS);
const plexSessions = (metadata: unknown[]) =>
  PlexSessions.parse({ MediaContainer: { size: metadata.length, Metadata: metadata } })
    .MediaContainer.Metadata ?? [];

describe('Jellyfin sessions', () => {
  it('maps a playing item (ticks to seconds) and leaves out sessions that play nothing', () => {
    const mapped = fromJellyfin(jellyfinSessions(), AT);
    expect(mapped).toHaveLength(1);
    expect(mapped[0]?.posterPath).toBe('/Items/item-9/Images/Primary');
    // Controlled through Jellyfin unless the client says it takes no remote control.
    expect(mapped[0]?.remote).toEqual({ source: 'jellyfin', sessionId: 'js-1' });
    const [first] = jellyfinSessions();
    if (!first) throw new Error('fixture without sessions');
    expect(fromJellyfin([{ ...first, SupportsRemoteControl: false }], AT)[0]?.remote).toBe(
      undefined,
    );
    expect(mapped[0]?.session).toEqual({
      session_id: 'jellyfin-js-1',
      user_id: 0,
      username: 'alice',
      avatar_url: '/api/media/avatar/alice',
      media_type: 'movie',
      title: 'Arrival',
      poster_url: '/api/media/upstream-poster/jellyfin-js-1',
      poster_thumb: '/api/media/upstream-poster/jellyfin-js-1?width=150&height=225',
      progress_percent: 17.2,
      current_time: 1200,
      duration: 6960,
      state: 'playing',
      bitrate: null,
      last_update: Math.floor(AT / 1000),
      position_at_ms: AT,
      source: 'jellyfin',
    });
  });

  it('reads a paused episode of a series, transcoded', () => {
    const [first] = jellyfinSessions();
    if (!first?.NowPlayingItem) throw new Error('fixture without an item');
    const episode = {
      ...first,
      NowPlayingItem: { ...first.NowPlayingItem, Type: 'Episode', SeriesName: 'Severance' },
      PlayState: { ...first.PlayState, IsPaused: true },
      TranscodingInfo: { Bitrate: 6_000_000 },
    };
    expect(fromJellyfin([episode], AT)[0]?.session).toMatchObject({
      media_type: 'episode',
      title: 'Severance: Arrival',
      state: 'paused',
      bitrate: 6_000_000,
    });
  });
});

describe('Plex sessions', () => {
  it('calls a track music, prefers the show poster for an episode, relays no outside URL', () => {
    const [track, episode] = fromPlex(
      plexSessions([
        {
          sessionKey: 7,
          type: 'track',
          title: 'Song',
          thumb: 'https://plex.tv/some/poster.jpg',
          Player: { state: 'buffering' },
        },
        {
          sessionKey: '8',
          type: 'episode',
          title: 'Pilot',
          thumb: '/library/metadata/2/thumb/1',
          grandparentThumb: '/library/metadata/1/thumb/1',
        },
      ]),
      AT,
    );
    expect(track?.session).toMatchObject({
      session_id: 'plex-7',
      username: 'Plex user',
      media_type: 'music',
      poster_url: null,
      state: 'buffering',
      duration: 0,
      progress_percent: 0,
    });
    expect(track?.posterPath).toBeUndefined();
    expect(track?.session.poster_thumb).toBeNull();
    expect(episode?.posterPath).toBe('/library/metadata/1/thumb/1');
    expect(episode?.session.poster_thumb).toBe(
      '/api/media/upstream-poster/plex-8?width=150&height=225',
    );
    // Neither names its player: Plex could not relay a command to it.
    expect(track?.remote).toBeUndefined();
    const [controllable] = fromPlex(
      plexSessions([
        {
          sessionKey: '9',
          type: 'track',
          title: 'Song',
          Player: { state: 'playing', machineIdentifier: 'phone-1' },
        },
      ]),
      AT,
    );
    expect(controllable?.remote).toEqual({
      source: 'plex',
      clientId: 'phone-1',
      mediaType: 'track',
    });
  });
});

describe('the service with media-server sessions', () => {
  function service(now: () => number) {
    return new NowPlayingService({
      broadcast: () => undefined,
      history: { add: () => Promise.reject(new Error('unused')), list: () => Promise.resolve([]) },
      now,
      monotonic: now,
      ttlSeconds: 30,
      maxSessionsPerUser: 10,
      maxSessions: 2,
    });
  }
  const listed = (np: NowPlayingService) =>
    ['plex-1', 'plex-2', 'plex-3', 'jellyfin-js-1'].filter((id) => np.upstreamSession(id));

  it('keeps at most maxSessions per source and drops a silent source after the TTL', () => {
    let clock = AT;
    const np = service(() => clock);
    const many = plexSessions(
      ['1', '2', '3'].map((key) => ({ sessionKey: key, type: 'movie', title: `M${key}` })),
    );
    np.setUpstreamSessions('plex', fromPlex(many, clock), clock);
    np.setUpstreamSessions('jellyfin', fromJellyfin(jellyfinSessions(), clock), clock);
    expect(listed(np)).toEqual(['plex-1', 'plex-2', 'jellyfin-js-1']);
    // 'Plex user' (both Plex sessions) and alice.
    expect(np.activeUsers()).toBe(2);

    clock += 20_000;
    np.setUpstreamSessions('jellyfin', fromJellyfin(jellyfinSessions(), clock), clock);
    clock += 10_000;
    np.sweep();
    expect(listed(np)).toEqual(['jellyfin-js-1']);
  });

  it('records a media-server session in history when it is no longer listed or goes silent', () => {
    let clock = AT;
    const rows: Omit<SessionHistoryRecord, 'id'>[] = [];
    const np = new NowPlayingService({
      broadcast: () => undefined,
      history: {
        add: (row) => {
          rows.push(row);
          return Promise.resolve({ id: rows.length, ...row });
        },
        list: () => Promise.resolve([]),
      },
      now: () => clock,
      monotonic: () => clock,
      ttlSeconds: 30,
      maxSessionsPerUser: 10,
      maxSessions: 10,
    });
    const movie = (key: string, viewOffset: number, state = 'playing') =>
      plexSessions([
        { sessionKey: key, type: 'movie', title: `M${key}`, viewOffset, Player: { state } },
      ]);
    np.setUpstreamSessions('plex', fromPlex(movie('1', 0), clock), clock);
    clock += 10_000;
    np.setUpstreamSessions('plex', fromPlex(movie('1', 10_000), clock), clock);
    clock += 10_000;
    // A 60 s jump in 10 s (a seek) counts at most the elapsed time + 1 s; then it is paused.
    np.setUpstreamSessions('plex', fromPlex(movie('1', 70_000, 'paused'), clock), clock);
    clock += 5000;
    np.setUpstreamSessions('plex', fromPlex([], clock), clock);
    expect(rows).toEqual([
      {
        sessionId: 'plex-1',
        userId: 0,
        username: 'Plex user',
        title: 'M1',
        mediaType: 'movie',
        path: null,
        startedAt: new Date(AT).toISOString(),
        endedAt: new Date(AT + 25_000).toISOString(),
        watchedSeconds: 21,
        endReason: 'stopped',
      },
    ]);

    // A session whose server goes silent past the TTL ends as expired.
    np.setUpstreamSessions('plex', fromPlex(movie('2', 0), clock), clock);
    clock += 31_000;
    np.sweep();
    expect(rows.at(-1)).toMatchObject({
      sessionId: 'plex-2',
      endReason: 'expired',
      watchedSeconds: 0,
    });
  });
});
