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
 *
 * Across instances (`MARQUEE_REDIS_URL`): a device's socket, a pairing request or an ack may reach
 * any instance, so each sends the notices it makes to the instances with console sockets, and only
 * those: an instance declares its interest in the bus topic `signage-admin` while it has a console
 * socket and gives it up with the last one. The notices of one event-loop turn go as one bus
 * message (at most `MAX_BATCH`; the bus bounds what waits for Redis); the instance that made a
 * notice gives it to its own consoles directly, and the bus never sends a message back to its
 * sender, so each console gets each notice once. A notice made while Redis is away goes when it is
 * back (the bus replays what an instance missed). The interest reaches Redis one write after an
 * instance's first console connects: a notice another instance makes in that moment misses that
 * console, which shows it at its next read of the REST lists (each reconnect, each later notice
 * of the same view).
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import { authorizeUpgrade, type AuthService, type UserIdentity } from '../../core/auth';
import type { ClusterBus } from '../../core/bus';
import type { Hub, WsGateway } from '../../core/ws';
import type { FleetEvents } from './fleet-events';

const { signage } = protocol;

/** The hub topic every console socket listens on. */
export const SIGNAGE_ADMIN_TOPIC = 'signage.admin';
/** The bus topic of the instances with console sockets. */
export const ADMIN_BUS_TOPIC = 'signage-admin';
/** The bus message kind: `{ notices: Notice[] }`. */
const ADMIN_NOTICES = 'signage.admin.notices';
/** Notices in one bus message, at most. */
export const MAX_BATCH = 256;

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
  /** The other instances (`LocalBus` alone: nothing crosses). */
  readonly bus: ClusterBus;
  readonly logger: { warn(obj: object, msg?: string): void };
  /** Unix ms. */
  readonly now: () => number;
}

/** Gives a notice to this instance's console sockets. */
function deliver(hub: Hub, message: Notice): void {
  if (hub.subscriberCount(SIGNAGE_ADMIN_TOPIC) === 0) return;
  const key = latestKey(message);
  if (key === undefined) hub.publish(SIGNAGE_ADMIN_TOPIC, message);
  else hub.publishLatest(SIGNAGE_ADMIN_TOPIC, key, message);
}

/** Sends this instance's notices to the instances with consoles, a turn's worth per message. */
function shareAcross(options: AdminChannelOptions): () => void {
  const { bus, hub, logger } = options;
  if (!bus.clustered) return () => undefined;
  let pending: Notice[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  const send = () => {
    if (scheduled !== undefined) clearImmediate(scheduled);
    scheduled = undefined;
    if (pending.length === 0) return;
    bus.publish(ADMIN_BUS_TOPIC, ADMIN_NOTICES, { notices: pending });
    pending = [];
  };
  let releaseInterest: (() => void) | undefined;
  const stops = [
    options.events.on((message) => {
      pending.push(message);
      if (pending.length >= MAX_BATCH) send();
      else scheduled ??= setImmediate(send);
    }),
    bus.on(ADMIN_NOTICES, (payload, from) => {
      const notices = (payload as { notices?: unknown } | null)?.notices;
      if (!Array.isArray(notices)) {
        logger.warn({ from }, 'an instance sent fleet notices that do not parse');
        return;
      }
      for (const notice of notices) {
        const parsed = signage.AdminServerMessage.safeParse(notice);
        if (!parsed.success || parsed.data.type === 'hello') {
          logger.warn({ from }, 'an instance sent a fleet notice that does not parse');
          continue;
        }
        deliver(hub, parsed.data);
      }
    }),
    hub.onFirstSubscriber(SIGNAGE_ADMIN_TOPIC, () => {
      releaseInterest ??= bus.interest(ADMIN_BUS_TOPIC);
    }),
    hub.onLastUnsubscribed(SIGNAGE_ADMIN_TOPIC, () => {
      releaseInterest?.();
      releaseInterest = undefined;
    }),
  ];
  return () => {
    send();
    for (const stop of stops) stop();
    releaseInterest?.();
    releaseInterest = undefined;
  };
}

/** Registers the channel; returns the removal of its listeners. */
export function mountAdminChannel(options: AdminChannelOptions): () => void {
  const { gateway, hub, events } = options;
  const channel = signage.signageChannels[1];
  const offLocal = events.on((message) => deliver(hub, message));
  const offAcross = shareAcross(options);
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
  return () => {
    offLocal();
    offAcross();
  };
}
