/**
 * Fleet admin API, devices and their screens: `GET devices/`, `GET devices/{sn}/` (registration,
 * online, last seen, playlist statuses, ready playlists, screens, last screenshot, pending
 * commands) and `PUT`/`DELETE devices/{sn}/screens/{front|back|right|left}/`. A screen change
 * sends `reload_playlist` to the device (queued while it is offline).
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import { noContent, pickRoutes } from '../../core/routes';
import type { SignageDeviceRecord } from '../../core/store';
import type { SignageCommands } from './commands';
import type { DeviceConnections } from './connections';
import { defaultPlaylist } from './device-screens';
import { findDevice, listOf, mountSignageRoutes, type SignageRouteOptions } from './route-helpers';
import { adminScreen, commandRecord, playlistReport, screenshotRecord } from './views';

const { signage } = protocol;

type DeviceSummary = protocol.signage.DeviceSummary;
type DeviceDetail = protocol.signage.DeviceDetail;

export interface AdminDevicesOptions extends SignageRouteOptions {
  readonly connections: DeviceConnections;
  readonly commands: SignageCommands;
}

const routes = pickRoutes(signage.signageAdminRoutes, [
  'signage.adminDeviceList',
  'signage.adminDeviceGet',
  'signage.adminScreenPut',
  'signage.adminScreenDelete',
]);

const SCREEN_KEYS = {
  front: 'front_screen',
  back: 'back_screen',
  right: 'right_screen',
  left: 'left_screen',
} as const;

export function mountAdminDevices(app: FastifyInstance, options: AdminDevicesOptions): void {
  const { store, connections, commands } = options;
  const { devices, screens } = store.signage;

  const summary = async (device: SignageDeviceRecord): Promise<DeviceSummary> => ({
    ...device.info,
    sn_number: device.snNumber,
    mac_address: device.info.mac_address ?? null,
    ip_address: device.info.ip_address ?? null,
    owner: device.ownerUsername,
    registered_at: device.registeredAt,
    updated_at: device.updatedAt,
    online: connections.isOnline(device.snNumber),
    last_seen: device.lastSeenAt,
    pending_command_count: await store.signage.commands.countQueued(device.snNumber),
  });

  const detail = async (device: SignageDeviceRecord): Promise<DeviceDetail> => {
    const sn = device.snNumber;
    const deviceScreens = await screens.listForDevice(sn);
    const [latestShot] = await store.signage.screenshots.listForDevice(sn, 1);
    const result: DeviceDetail = {
      ...(await summary(device)),
      current_playlist: device.currentPlaylistId ?? defaultPlaylist(deviceScreens),
      ready_playlists: [...device.readyPlaylists],
      ready_playlists_at: device.readyPlaylistsAt,
      playlist_statuses: (await store.signage.reports.listForDevice(sn)).map(playlistReport),
      front_screen: null,
      back_screen: null,
      right_screen: null,
      left_screen: null,
      last_screenshot: latestShot === undefined ? null : screenshotRecord(latestShot),
      pending_commands: (await store.signage.commands.queued(sn)).map(commandRecord),
    };
    for (const screen of deviceScreens) result[SCREEN_KEYS[screen.position]] = adminScreen(screen);
    return result;
  };

  mountSignageRoutes(app, routes, options, {
    'signage.adminDeviceList': async () => {
      await commands.expire();
      return listOf(await Promise.all((await devices.list()).map(summary)));
    },
    'signage.adminDeviceGet': async ({ params }) => {
      await commands.expire();
      return detail(await findDevice(store, params.sn_number));
    },
    'signage.adminScreenPut': async ({ params, body }) => {
      const device = await findDevice(store, params.sn_number);
      const ids = [...new Set(body.playlist_ids)];
      const known = new Set((await store.signage.playlists.findMany(ids)).map((p) => p.id));
      const unknown = ids.filter((id) => !known.has(id));
      if (unknown.length > 0) {
        throw new MarqueeError(
          'BAD_REQUEST',
          `Invalid body: playlist_ids: no playlist with id ${unknown.join(', ')}`,
        );
      }
      const current =
        body.current_playlist === undefined ? (ids[0] ?? null) : body.current_playlist;
      if (current !== null && !ids.includes(current)) {
        throw new MarqueeError(
          'BAD_REQUEST',
          `Invalid body: current_playlist: ${current} is not one of playlist_ids`,
        );
      }
      const screen = await screens.put(
        {
          snNumber: device.snNumber,
          position: params.position,
          screenName: body.screen_name,
          resolution: body.resolution,
          playlistIds: ids,
          currentPlaylistId: current,
        },
        new Date(options.now()).toISOString(),
      );
      await commands.reload([device.snNumber]);
      return adminScreen(screen);
    },
    'signage.adminScreenDelete': async ({ params }) => {
      const device = await findDevice(store, params.sn_number);
      if (!(await screens.delete(device.snNumber, params.position))) {
        throw new MarqueeError(
          'NOT_FOUND',
          `Device ${device.snNumber} has no ${params.position} screen`,
        );
      }
      await commands.reload([device.snNumber]);
      return noContent();
    },
  });
}
