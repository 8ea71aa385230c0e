/**
 * Mounts the Now Playing surface (seed 000): its REST routes from the SDK's route table and the
 * `/api/dashboard/ws` channel. The sampler runs only while someone subscribes, to any profile;
 * each sample is one broadcast, serialised once per profile that has subscribers (profiles.ts).
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import type { AuthService, Identity } from '../../core/auth';
import { authenticateRequest, authorize, credentialsFromRequest } from '../../core/auth';
import type { Config } from '../../core/config';
import { mountRoutes, type Authenticator } from '../../core/routes';
import type { SystemSampler } from '../../core/sampler';
import type { Hub, WsGateway } from '../../core/ws';
import type { NowPlayingCluster } from './cluster';
import type { PosterThumbs } from './poster-thumb';
import { ProfileTopics, profileOfUrl, snapshotProfile } from './profiles';
import { NOW_PLAYING_TOPIC, type NowPlayingService } from './service';

const { nowPlaying } = protocol;

export interface NowPlayingMountOptions {
  readonly app: FastifyInstance;
  readonly service: NowPlayingService;
  /** Resolves `poster_thumb` for posters inside the media roots. */
  readonly posters: PosterThumbs;
  readonly sampler: SystemSampler;
  readonly hub: Hub;
  readonly gateway: WsGateway;
  readonly auth: AuthService;
  readonly authenticate: Authenticator;
  readonly config: Pick<Config, 'nowPlayingWsAuth' | 'sessionTtlSeconds'>;
  readonly validateResponses: boolean;
  /** The other instances' sessions (listened to while this one has subscribers). */
  readonly cluster: NowPlayingCluster;
}

function requireUser(identity: Identity | undefined): Identity & { kind: 'user' } {
  if (identity?.kind !== 'user') throw new MarqueeError('FORBIDDEN', 'A user account is required');
  return identity;
}

/** Wires routes, the socket channel and the sampler; returns a stop function for shutdown. */
export function mountNowPlaying(options: NowPlayingMountOptions): () => void {
  const { app, service, sampler, hub, gateway, auth, cluster } = options;

  mountRoutes(app, nowPlaying.nowPlayingRoutes, {
    surface: nowPlaying.nowPlayingSurface,
    authenticate: options.authenticate,
    validateResponses: options.validateResponses,
    handlers: {
      'nowPlaying.get': async ({ query }) => {
        await cluster.current();
        return snapshotProfile(query).render(service.snapshot(await sampler.latest()));
      },
      'nowPlaying.stats': async () => {
        await cluster.current();
        return { ...(await sampler.latest()), active_users: service.activeUsers() };
      },
      'nowPlaying.sessionUpdate': async ({ body, identity, reply }) => {
        let tracked;
        try {
          tracked = service.update(requireUser(identity), body);
        } catch (error) {
          // Refused by the session bounds: an idle session ends within the TTL.
          if (error instanceof MarqueeError && error.code === 'RATE_LIMITED') {
            void reply.header('retry-after', String(Math.ceil(options.config.sessionTtlSeconds)));
          }
          throw error;
        }
        // The thumbnail URL is known once the poster path is resolved; broadcast again if it changed.
        if (await options.posters.sync(service.tracker, tracked.session.session_id))
          service.changed();
        return { status: 'ok' as const, session_id: tracked.session.session_id };
      },
      'nowPlaying.sessionStop': async ({ params, identity }) => {
        const user = requireUser(identity);
        const id = params.session_id;
        // Posted to another instance: that one stops it (its panels' update follows at once).
        if (service.tracker.get(id) === undefined && service.upstreamSession(id) === undefined) {
          await cluster.current();
          if (cluster.stopElsewhere(user, id)) {
            return { status: 'ok' as const, message: 'Session stopped' };
          }
        }
        service.stop(user, id);
        return { status: 'ok' as const, message: 'Session stopped' };
      },
    },
  });

  // Demand counts the full topic (while it has subscribers) and each other live profile.
  let demand = 0;
  let unsubscribeSampler: (() => void) | undefined;
  const wanted = () => {
    demand++;
    cluster.wanted();
    unsubscribeSampler ??= sampler.subscribe((sample) => service.onSample(sample));
  };
  const unwanted = () => {
    demand--;
    if (demand > 0) return;
    unsubscribeSampler?.();
    unsubscribeSampler = undefined;
    cluster.unwanted();
    service.pause();
  };
  const stopFirst = hub.onFirstSubscriber(NOW_PLAYING_TOPIC, wanted);
  const stopLast = hub.onLastUnsubscribed(NOW_PLAYING_TOPIC, unwanted);
  const profiles = new ProfileTopics({ hub, onFirst: wanted, onLast: unwanted });
  const stopProfiles = service.onBroadcast((snapshot) => profiles.publish(snapshot));

  gateway.channel<Identity | undefined>(nowPlaying.nowPlayingChannels[0].path, {
    authorize: async (req, url) => {
      const creds = credentialsFromRequest(req.headers, url);
      let identity: Identity | undefined;
      if (options.config.nowPlayingWsAuth === 'open') {
        // Open on the LAN (seed 000); credentials, when sent, still identify the caller.
        identity = await authenticateRequest(auth, creds).catch(() => undefined);
      } else {
        identity = await authenticateRequest(auth, creds);
        authorize('display', identity, 'now-playing');
      }
      profileOfUrl(url); // an unknown profile or field is refused before the handshake (400)
      return identity;
    },
    identityOf: (identity) => identity,
    onConnection: async (conn, _identity, url) => {
      const profile = profileOfUrl(url);
      profiles.join(conn, profile);
      // The first message on connect: the current snapshot, without waiting for the next tick
      // (with the other instances' sessions, read when this is the first subscriber here).
      await cluster.current();
      const first = profile.render(service.snapshot(await sampler.latest()));
      if (!conn.isClosed) conn.sendLatest('snapshot', JSON.stringify(first));
    },
    renderError: (error) =>
      nowPlaying.nowPlayingErrorShape.render({
        status: error.status,
        code: error.code,
        message: error.message,
      }),
  });

  const sweep = setInterval(() => service.sweep(), 1000);
  sweep.unref();
  return () => {
    clearInterval(sweep);
    stopFirst();
    stopLast();
    stopProfiles();
    unsubscribeSampler?.();
  };
}
