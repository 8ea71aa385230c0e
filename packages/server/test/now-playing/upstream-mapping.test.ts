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
    expect(mapped[0]?.session).toEqual({
      session_id: 'jellyfin-js-1',
      user_id: 0,
      username: 'alice',
      avatar_url: '/api/media/avatar/alice',
      media_type: 'movie',
      title: 'Arrival',
      poster_url: '/api/media/upstream-poster/jellyfin-js-1',
      poster_thumb: null,
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
    expect(episode?.posterPath).toBe('/library/metadata/1/thumb/1');
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
});
