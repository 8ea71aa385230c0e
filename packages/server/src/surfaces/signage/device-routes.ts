/**
 * The seed's device routes: `POST /admin/cloud/device/register/` (201 created, 200 updated; the
 * first non-admin account to register a device owns it, see `access.ts`) and
 * `GET /admin/cloud/playlists?sn_number=` (DeviceScreens; 404 unknown device, 403 another
 * account's device). Bodies are validated from the protocol's schemas by `mountRoutes`, so a
 * brightness of 101 or a missing `brand` is a 400 naming the field.
 */
import { protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import { mountRoutes, pickRoutes, Status, type Authenticator } from '../../core/routes';
import type { Store } from '../../core/store';
import { assertMayRegister, deviceFor, requireUser } from './access';
import { deviceScreens } from './device-screens';
import type { SignageFiles } from './files';

const { signage } = protocol;

export interface DeviceRoutesOptions {
  readonly store: Pick<Store, 'signage'>;
  readonly files: SignageFiles;
  readonly authenticate: Authenticator;
  /** Unix ms. */
  readonly now: () => number;
  readonly validateResponses: boolean;
}

const routes = pickRoutes(signage.signageRoutes, ['signage.registerDevice', 'signage.playlists']);

export function mountDeviceRoutes(app: FastifyInstance, options: DeviceRoutesOptions): void {
  const { store, files } = options;
  const devices = store.signage.devices;
  mountRoutes(app, routes, {
    surface: signage.signageSurface,
    authenticate: options.authenticate,
    validateResponses: options.validateResponses,
    handlers: {
      'signage.registerDevice': async ({ body, identity }) => {
        const user = requireUser(identity);
        const existing = await devices.find(body.sn_number);
        if (existing !== undefined) assertMayRegister(user, existing);
        const { created } = await devices.upsert(
          body,
          user.role === 'admin' ? null : user.userId,
          new Date(options.now()).toISOString(),
        );
        return new Status(created ? 201 : 200, { data: { sn_number: body.sn_number } });
      },
      'signage.playlists': async ({ query, identity }) =>
        deviceScreens(store, files, await deviceFor(store, identity, query.sn_number)),
    },
  });
}
