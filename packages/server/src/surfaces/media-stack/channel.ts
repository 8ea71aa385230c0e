/**
 * `/ws/dashboard`: seed 001's real-time updates, push-only. A socket gets the current
 * `stats_update` at once on connect (the cached statistics, as Now Playing sends its snapshot),
 * then every `stats_update` when the statistics are recomputed (every 5 minutes),
 * `service_status_change` when a health check finds a service in a new state, and
 * `new_notification` for each new notification. Auth as the routes: viewers, operators, admins
 * and display tokens scoped to `media-stack`.
 */
import { protocol } from '@marquee/sdk';
import { authorizeUpgrade, type AuthService, type Identity } from '../../core/auth';
import type { Hub, WsGateway } from '../../core/ws';
import type { MediaStackService } from './service';

const { mediaStack } = protocol;

/** The hub topic every dashboard socket listens on. */
export const MEDIA_STACK_TOPIC = 'media-stack';

export interface MediaStackChannelOptions {
  readonly gateway: WsGateway;
  readonly hub: Hub;
  readonly auth: AuthService;
  readonly service: MediaStackService;
  readonly onError: (error: unknown) => void;
}

/** Registers the channel; returns the removal of its listener. */
export function mountMediaStackChannel(options: MediaStackChannelOptions): () => void {
  const { gateway, hub, auth, service } = options;
  const channel = mediaStack.mediaStackChannels[0];
  const off = service.onPush((message) => {
    if (message.type === 'stats_update') hub.publishLatest(MEDIA_STACK_TOPIC, 'stats', message);
    else hub.publish(MEDIA_STACK_TOPIC, message);
  });
  gateway.channel<Identity | undefined>(channel.path, {
    authorize: (req, url) =>
      authorizeUpgrade(auth, req, url, channel, mediaStack.mediaStackSurface.name),
    identityOf: (identity) => identity,
    onConnection: async (conn) => {
      hub.subscribe(MEDIA_STACK_TOPIC, conn);
      try {
        const cached = await service.stats();
        const message: protocol.mediaStack.StatsUpdateMessage = {
          type: 'stats_update',
          data: cached.value.data,
        };
        conn.sendLatest('stats', JSON.stringify(message));
      } catch (error) {
        options.onError(error);
      }
    },
    renderError: (error) =>
      mediaStack.mediaStackErrorShape.render({
        status: error.status,
        code: error.code,
        message: error.message,
      }),
  });
  return off;
}
