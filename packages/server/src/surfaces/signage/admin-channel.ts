/**
 * `WS /ws/cloud/admin/` (Marquee extension): the fleet's changes pushed to operator consoles
 * (`fleet-events.ts` says what and when). Auth as the fleet admin routes: an operator or admin,
 * by the session cookie (a page of this origin; a foreign Origin is refused by the gateway before
 * anything else), a Bearer header or `?token=`. Viewers and display tokens get 403 before the
 * handshake: they may not read the fleet over REST either. Push-only: a client's frames are
 * ignored.
 *
 * Every socket gets `hello` first, then each notice. Notices go through one hub topic: serialised
 * once for all consoles, each socket's queue bounded by the gateway (MARQUEE_WS_MAX_QUEUED_MESSAGES)
 * with latest-wins keys, so a device's repeated last-seen or status notices and a command's
 * successive states take one place in a slow console's queue; one that overflows anyway is closed
 * with SLOW_CONSUMER and reconnects.
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import { authorizeUpgrade, type AuthService, type UserIdentity } from '../../core/auth';
import type { Hub, WsGateway } from '../../core/ws';
import type { FleetEvents } from './fleet-events';

const { signage } = protocol;

/** The hub topic every console socket listens on. */
export const SIGNAGE_ADMIN_TOPIC = 'signage.admin';

type Notice = Exclude<protocol.signage.AdminServerMessage, { type: 'hello' }>;

/** Which queued notice a newer one replaces; undefined: none (each is kept). */
export function latestKey(message: Notice): string | undefined {
  switch (message.type) {
    case 'device':
      // online/offline/removed are kept in order; the repeated kinds replace their own.
      return message.change === 'last_seen' ||
        message.change === 'status' ||
        message.change === 'current_playlist' ||
        message.change === 'screenshot'
        ? `device:${message.change}:${message.sn_number}`
        : undefined;
    case 'command':
      return `command:${message.command_id}`;
    case 'pairing':
    case 'commands_expired':
      return undefined;
  }
}

export interface AdminChannelOptions {
  readonly gateway: WsGateway;
  readonly hub: Hub;
  readonly auth: Pick<AuthService, 'authenticate'>;
  readonly events: FleetEvents;
  /** Unix ms. */
  readonly now: () => number;
}

/** Registers the channel; returns the removal of its listener. */
export function mountAdminChannel(options: AdminChannelOptions): () => void {
  const { gateway, hub, events } = options;
  const channel = signage.signageChannels[1];
  const off = events.on((message) => {
    if (hub.subscriberCount(SIGNAGE_ADMIN_TOPIC) === 0) return;
    const key = latestKey(message);
    if (key === undefined) hub.publish(SIGNAGE_ADMIN_TOPIC, message);
    else hub.publishLatest(SIGNAGE_ADMIN_TOPIC, key, message);
  });
  gateway.channel<UserIdentity>(channel.path, {
    authorize: async (req, url) => {
      const identity = await authorizeUpgrade(options.auth, req, url, channel, 'signage');
      if (identity?.kind !== 'user') {
        throw new MarqueeError('FORBIDDEN', 'An operator or admin account is required');
      }
      return identity;
    },
    identityOf: (identity) => identity,
    onConnection: (conn, identity) => {
      const hello: protocol.signage.AdminHelloMessage = {
        type: 'hello',
        role: identity.role,
        at: new Date(options.now()).toISOString(),
      };
      conn.send(JSON.stringify(hello));
      hub.subscribe(SIGNAGE_ADMIN_TOPIC, conn);
    },
    renderError: (error) =>
      signage.signageErrorShape.render({
        status: error.status,
        code: error.code,
        message: error.message,
      }),
  });
  return off;
}
