/**
 * Fleet admin API, commands: `POST devices/{sn}/commands/` and `POST commands/` (a list of
 * devices or `"all"`) answer 202 with one `command_id` per device; `GET devices/{sn}/commands/`
 * and `GET commands/{id}/` show what became of them. Delivery and states: see `commands.ts`.
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import { pickRoutes, Status } from '../../core/routes';
import type { SignageCommands } from './commands';
import {
  findDevice,
  found,
  listOf,
  mountSignageRoutes,
  type SignageRouteOptions,
} from './route-helpers';
import { commandRecord } from './views';

const { signage } = protocol;

export interface AdminCommandsOptions extends SignageRouteOptions {
  readonly commands: SignageCommands;
  /** Named in the 429's message (MARQUEE_MAX_PENDING_COMMANDS_PER_DEVICE). */
  readonly maxQueuedPerDevice: number;
}

const routes = pickRoutes(signage.signageAdminRoutes, [
  'signage.adminDeviceCommand',
  'signage.adminDeviceCommands',
  'signage.adminBroadcastCommand',
  'signage.adminCommandGet',
]);

/** The action without any client-chosen `command_id`: the server assigns its own. */
function action(command: protocol.signage.ServerAction): protocol.signage.ServerAction {
  const { command_id: _ignored, ...rest } = command;
  return rest;
}

export function mountAdminCommands(app: FastifyInstance, options: AdminCommandsOptions): void {
  const { store, commands, maxQueuedPerDevice: maxQueued } = options;
  const { devices } = store;

  const existing = async (sn: string) => (await findDevice(store, sn)).snNumber;

  mountSignageRoutes(app, routes, options, {
    'signage.adminDeviceCommand': async ({ params, body }) => {
      const sn = await existing(params.sn_number);
      const { accepted, skipped } = await commands.issue(
        [sn],
        action(body.command),
        body.ttl_seconds,
      );
      if (skipped.length > 0) {
        throw new MarqueeError(
          'RATE_LIMITED',
          `Device ${sn} already holds ${maxQueued} undelivered commands ` +
            '(MARQUEE_MAX_PENDING_COMMANDS_PER_DEVICE); they go out when it connects, or expire',
        );
      }
      return new Status(202, { commands: accepted });
    },
    'signage.adminBroadcastCommand': async ({ body }) => {
      let targets: string[];
      if (body.sn_numbers === 'all') {
        targets = (await devices.list()).map((d) => d.snNumber);
      } else {
        const unique = [...new Set(body.sn_numbers)];
        const known = new Set((await devices.list({ among: unique })).map((d) => d.snNumber));
        const missing = unique.filter((sn) => !known.has(sn));
        if (missing.length > 0) {
          throw new MarqueeError('NOT_FOUND', `No device ${missing.join(', ')}; nothing was sent`);
        }
        targets = unique;
      }
      const { accepted, skipped } =
        targets.length === 0
          ? { accepted: [], skipped: [] }
          : await commands.issue(targets, action(body.command), body.ttl_seconds);
      return new Status(202, {
        commands: accepted,
        skipped: skipped.map((sn) => ({ sn_number: sn, reason: 'queue_full' as const })),
      });
    },
    'signage.adminDeviceCommands': async ({ params, query }) => {
      const sn = await existing(params.sn_number);
      await commands.expire();
      const results = (
        await store.commands.listForDevice(sn, {
          ...(query.state === undefined ? {} : { state: query.state }),
          limit: query.limit ?? 100,
        })
      ).map(commandRecord);
      return listOf(results);
    },
    'signage.adminCommandGet': async ({ params }) => {
      await commands.expire();
      const command = await store.commands.find(params.command_id);
      return commandRecord(found(command, `Command ${params.command_id}`));
    },
  });
}
