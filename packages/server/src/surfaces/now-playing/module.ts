/**
 * The Now Playing surface (seed 000) as a module: the session tracker and its broadcast, the
 * seed's routes and `/api/dashboard/ws` (mount.ts), thumbnails and avatars, playback history and
 * playback control (Marquee's extensions).
 */
import { protocol } from '@marquee/sdk';
import { defineSurfaceModule } from '../../core/surface';
import { mountAvatars } from './avatars';
import { mountPlaybackControl, type PlaybackControl } from './control';
import { mountHistory } from './history';
import { NowPlayingCluster } from './cluster';
import { mountNowPlaying } from './mount';
import { NOW_PLAYING_TOPIC, NowPlayingService } from './service';
import { mountThumbnails, type Thumbnails } from './thumbnails';
import type { PosterRelayCache } from './poster-relay-cache';
import { mountUpstreamPosters } from './upstream-poster';
import { watchUpstreamSessions } from './upstream-sessions';

/** What the Now Playing surface exposes on `MarqueeServer`. */
export interface NowPlaying {
  readonly service: NowPlayingService;
  /** Media roots, thumbnail cache and the poster_thumb resolver. */
  readonly thumbnails: Thumbnails;
  /** The relayed Plex / Jellyfin posters kept in memory (bounded). */
  readonly upstreamPosters: PosterRelayCache;
  /** Playback control of a session's player (the control route's path; MQTT commands use it). */
  readonly control: PlaybackControl;
}

export const nowPlayingModule = defineSurfaceModule<NowPlaying>({
  name: 'now-playing',
  errorShape: protocol.nowPlaying.nowPlayingErrorShape,
  prefixes: ['/api/dashboard', '/api/media/'],
  mount(ctx) {
    const { app, hub, store, config, now, monotonic, authenticate, validateResponses, mediaStack } =
      ctx;
    const service = new NowPlayingService({
      broadcast: (snapshot) => hub.publishLatest(NOW_PLAYING_TOPIC, 'snapshot', snapshot),
      history: store.sessionHistory,
      now,
      monotonic,
      ttlSeconds: config.sessionTtlSeconds,
      maxSessionsPerUser: config.maxSessionsPerUser,
      maxSessions: config.maxSessions,
      logger: app.log,
    });
    const thumbnails = mountThumbnails(app, { config, authenticate, validateResponses });
    // First to give space back when the disk runs low: every thumbnail can be rendered again.
    ctx.storage.addReclaimer('thumbnail cache', (wanted) => thumbnails.cache.giveBack(wanted));
    mountAvatars(app, { authenticate, validateResponses });
    const cluster = new NowPlayingCluster({ bus: ctx.bus, service, logger: app.log });
    const stopNowPlaying = mountNowPlaying({
      ...ctx,
      service,
      posters: thumbnails.posters,
      cluster,
    });
    mountHistory(app, { store, authenticate, validateResponses });
    const playback = mountPlaybackControl({ ...ctx, service, mediaStack });
    // Plex / Jellyfin sessions, from the same pollers the media-stack surface reads.
    const upstreamPosters = mountUpstreamPosters(app, {
      service,
      stack: mediaStack,
      authenticate,
      validateResponses,
      access: config.nowPlayingWsAuth,
      now,
    });
    const stopUpstream = watchUpstreamSessions(mediaStack, service);
    return {
      api: { service, thumbnails, upstreamPosters, control: playback.control },
      stop() {
        stopUpstream();
        stopNowPlaying();
        cluster.stop();
        playback.stop();
      },
    };
  },
});
