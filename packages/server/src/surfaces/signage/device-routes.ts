/**
 * The seed's device routes: `POST /admin/cloud/device/register/` (201 created, 200 updated; the
 * first device account to register a device owns it, see `access.ts`) and
 * `GET /admin/cloud/playlists?sn_number=` (DeviceScreens; 404 unknown device, 403 another
 * account's device). Bodies are validated from the protocol's schemas by `mountRoutes`, so a
 * brightness of 101 or a missing `brand` is a 400 naming the field.
 */
import { protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import { pickRoutes, Status } from '../../core/routes';
import { assertMayRegister, assertPairedWith, claimantOf, deviceFor, requireUser } from './access';
import { deviceScreens } from './device-screens';
import type { SignageFiles } from './files';
import { mountSignageRoutes, type SignageRouteOptions } from './route-helpers';

const { signage } = protocol;

export interface DeviceRoutesOptions extends SignageRouteOptions {
  readonly files: SignageFiles;
}

const routes = pickRoutes(signage.signageRoutes, ['signage.registerDevice', 'signage.playlists']);

export function mountDeviceRoutes(app: FastifyInstance, options: DeviceRoutesOptions): void {
  const { store, files } = options;
  const devices = store.devices;
  mountSignageRoutes(app, routes, options, {
    'signage.registerDevice': async ({ body, identity }) => {
      const user = requireUser(identity);
      await assertPairedWith(store, user, body.sn_number);
      const existing = await devices.find(body.sn_number);
      if (existing !== undefined) assertMayRegister(user, existing);
      const { created } = await devices.upsert(
        body,
        claimantOf(user),
        new Date(options.now()).toISOString(),
      );
      return new Status(created ? 201 : 200, { data: { sn_number: body.sn_number } });
    },
    'signage.playlists': async ({ query, identity }) =>
      deviceScreens(store, files, await deviceFor(store, identity, query.sn_number)),
  });
}
