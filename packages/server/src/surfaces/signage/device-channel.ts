/**
 * `WS /ws/cloud/tb_device/?token=&sn_number=`: one socket per device. The upgrade is refused
 * before the handshake, in the seed's error shape, when:
 *
 * - 401: no token, or an invalid or expired one (the device refreshes and reconnects);
 * - 400: no `sn_number`;
 * - 403: a display token, or a user that may not act as this device (see `access.ts`);
 * - 404: no device with that `sn_number` (register first).
 *
 * Once open: the device's queued commands are delivered in order (with `acks=1`, also those an
 * earlier socket carried that were never acknowledged; see `commands.ts`); every message it sends is
 * validated against the seed's schemas and a bad one (malformed JSON, unknown `type`, a
 * `downloading` status without counts, ...) is answered with `{"type":"error", ...}` while the
 * socket stays open. Online/offline and last seen are tracked per device; a newer socket for the
 * same device replaces the older one (close code 4009 REPLACED), and deleting the device in the
 * admin API closes its socket (4004 DEVICE_REMOVED).
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import * as z from 'zod';
import { authorizeUpgrade, type AuthService, type UserIdentity } from '../../core/auth';
import { validationError } from '../../core/http-errors';
import { parseClientInput } from '../../core/parse-input';
import type { SignageRepositories } from './store';
import type { Connection, WsGateway } from '../../core/ws';
import { deviceFor, requireUser } from './access';
import type { SignageCommands } from './commands';
import type { SignageCluster } from './cluster';
import type { DeviceConnections } from './connections';
import type { FleetEvents } from './fleet-events';
import { BatcherClosedError } from './write-batcher';

const { signage } = protocol;

interface DeviceContext {
  readonly user: UserIdentity;
  readonly snNumber: string;
  /** `acks=1`: the device acknowledges commands and drops re-deliveries. */
  readonly acks: boolean;
}

export interface DeviceChannelOptions {
  readonly gateway: WsGateway;
  readonly auth: Pick<AuthService, 'authenticate'>;
  readonly store: SignageRepositories;
  readonly connections: DeviceConnections;
  readonly commands: SignageCommands;
  /** Claims each socket in the bus registry, so commands posted elsewhere find it. */
  readonly cluster: SignageCluster;
  /** Unix ms. */
  readonly now: () => number;
  readonly logger: { warn(obj: object, msg?: string): void };
  /** Where playlist status reports are announced to operator consoles. */
  readonly events?: FleetEvents;
}

export function mountDeviceChannel(options: DeviceChannelOptions): void {
  const { store, connections, commands, logger } = options;
  const iso = () => new Date(options.now()).toISOString();
  const channel = signage.signageChannels[0];

  /** Last seen, written with the next batch; not once the surface stopped. */
  const touch = (sn: string): void => {
    commands.touch(sn).catch((error: unknown) => {
      if (error instanceof BatcherClosedError) return;
      logger.warn({ err: error, sn_number: sn }, 'could not record last seen');
    });
  };

  const reply = (conn: Connection<DeviceContext>, error: MarqueeError): void => {
    conn.send(JSON.stringify({ type: 'error', code: error.code, message: error.message }));
  };

  const handle = async (conn: Connection<DeviceContext>, text: string): Promise<void> => {
    const sn = conn.ctx.snNumber;
    // Last seen is written with the next batch; the message need not wait for it.
    touch(sn);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      reply(conn, new MarqueeError('BAD_REQUEST', 'Malformed JSON message'));
      return;
    }
    const parsed = parseClientInput(channel.clientMessages, json);
    if (!parsed.success) {
      reply(conn, validationError(parsed.error, 'message'));
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'ready_playlists':
        await commands.setReadyPlaylists(sn, [...new Set(message.playlist_ids)]);
        return;
      case 'playlist_status':
        await store.reports.put({
          snNumber: sn,
          playlistId: message.playlist_id,
          status: message.status,
          totalItems: message.total_items ?? null,
          downloadedItems: message.downloaded_items ?? null,
          missingFiles: message.status === 'partial' ? message.missing_files : [],
          error: message.status === 'failed' ? (message.error ?? null) : null,
          reportedAt: iso(),
        });
        options.events?.device('status', sn, {
          playlist_status: { playlist_id: message.playlist_id, status: message.status },
        });
        return;
      case 'health': {
        const { type: _type, ...report } = message;
        await store.devices.setHealth(sn, report, iso());
        return;
      }
      case 'ack': {
        let result;
        try {
          result = await commands.ack(sn, message);
        } catch (error) {
          // Shutting down: the command stays sent, is written again on the device's next
          // socket, and the device repeats this ack then.
          if (error instanceof BatcherClosedError) return;
          throw error;
        }
        if (result === 'unknown') {
          reply(
            conn,
            new MarqueeError('NOT_FOUND', `No command ${message.command_id} for this device`),
          );
        }
        return;
      }
    }
  };

  options.gateway.channel<DeviceContext>(channel.path, {
    authorize: async (req, url) => {
      const identity = await authorizeUpgrade(options.auth, req, url, channel, 'signage');
      const user = requireUser(identity);
      const snNumber = url.searchParams.get('sn_number') ?? '';
      const query = z.safeParse(signage.DeviceSocketQuery.shape.sn_number, snNumber);
      if (!query.success) {
        throw new MarqueeError('BAD_REQUEST', 'The sn_number query parameter is required');
      }
      const acks = z.safeParse(
        signage.DeviceSocketQuery.shape.acks,
        url.searchParams.get('acks') ?? undefined,
      );
      if (!acks.success) {
        throw new MarqueeError('BAD_REQUEST', 'The acks query parameter must be 1 when present');
      }
      await deviceFor(store, user, snNumber);
      return { user, snNumber, acks: acks.data === '1' };
    },
    identityOf: (ctx) => ctx.user,
    // One socket per device already bounds these; an operator's fleet tool may hold many.
    perUserLimit: false,
    onConnection: (conn) => {
      const sn = conn.ctx.snNumber;
      connections.attach({ snNumber: sn, conn, connectedAt: iso(), acks: conn.ctx.acks });
      conn.onMessage((text) => handle(conn, text));
      conn.onClose(() => {
        // A replaced or removed (deleted device) socket is no longer the device's: its close
        // must not touch the newer socket's device, nor a device registered anew since.
        if (!connections.detach(sn, conn)) return;
        options.cluster.detached(sn);
        touch(sn);
      });
      touch(sn);
      // Claimed first: a command stored elsewhere after this flush read the queue is routed here.
      void options.cluster
        .attached(sn)
        .then(() => commands.flush(sn))
        .catch((error: unknown) => {
          if (error instanceof BatcherClosedError) return; // the next start delivers them
          logger.warn({ err: error, sn_number: sn }, 'could not deliver queued commands');
        });
    },
    renderError: (error) =>
      signage.signageErrorShape.render({
        status: error.status,
        code: error.code,
        message: error.message,
      }),
  });
}
