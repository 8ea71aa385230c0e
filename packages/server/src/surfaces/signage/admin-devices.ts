/**
 * Fleet admin API, devices and their screens: `GET devices/` (filtered by `online` and `search`,
 * paged with `limit`/`offset`, `count` the total that match), `GET devices/{sn}/` (registration,
 * online, last seen, playlist statuses, ready playlists, screens, last screenshot, pending
 * commands), `DELETE devices/{sn}/` and `PUT`/`DELETE devices/{sn}/screens/{position}/` (front,
 * back, right, left). A screen change sends `reload_playlist` to the device (queued while it is
 * offline).
 *
 * The list is built for fleets of thousands: search and paging run in SQL, the online filter
 * hands the store the in-memory set of open sockets, and the page's pending command counts come
 * from one grouped query. What each device of the page plays now (current playlist, how far it
 * is there, newest screenshot) costs three indexed reads per device, run together; a page holds
 * at most MAX_DEVICE_PAGE devices.
 *
 * Deleting a device removes its rows first (one store transaction), so a reconnect racing the
 * delete is refused with 404 instead of let in; then its socket is closed with DEVICE_REMOVED
 * (4004) and its screenshot files are deleted. Its user account stays; registering the same
 * `sn_number` again creates a new device.
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import { noContent, pickRoutes } from '../../core/routes';
import type { SignageDeviceRecord, SignageScreenRecord } from './store';
import type { SignageCluster } from './cluster';
import type { SignageCommands } from './commands';
import type { DeviceConnections } from './connections';
import { defaultPlaylist } from './device-screens';
import type { SignageFiles } from './files';
import type { FleetEvents } from './fleet-events';
import { findDevice, found, mountSignageRoutes, type SignageRouteOptions } from './route-helpers';
import { adminScreen, commandRecord, playlistReport, screenshotRecord } from './views';

const { signage } = protocol;

type DeviceSummary = protocol.signage.DeviceSummary;
type DeviceDetail = protocol.signage.DeviceDetail;

export interface AdminDevicesOptions extends SignageRouteOptions {
  readonly connections: DeviceConnections;
  readonly commands: SignageCommands;
  readonly files: SignageFiles;
  /** Online on any instance; removal closes the socket wherever it is. */
  readonly cluster: SignageCluster;
  /** Where removals and screen changes (the current playlist) are announced. */
  readonly events?: FleetEvents;
}

const routes = pickRoutes(signage.signageAdminRoutes, [
  'signage.adminDeviceList',
  'signage.adminDeviceGet',
  'signage.adminDeviceDelete',
  'signage.adminScreenPut',
  'signage.adminScreenDelete',
]);

const NOTHING_PLAYING = {
  current_playlist: null,
  current_playlist_status: null,
  last_screenshot: null,
} as const;

const SCREEN_KEYS = {
  front: 'front_screen',
  back: 'back_screen',
  right: 'right_screen',
  left: 'left_screen',
} as const;

export function mountAdminDevices(app: FastifyInstance, options: AdminDevicesOptions): void {
  const { store, commands, files, cluster, events } = options;

  /** A screen change may change what the device plays; consoles hear the playlist it plays now. */
  const announceCurrent = async (device: SignageDeviceRecord): Promise<void> => {
    if (events === undefined) return;
    const current =
      device.currentPlaylistId ?? defaultPlaylist(await screens.listForDevice(device.snNumber));
    events.device('current_playlist', device.snNumber, { current_playlist: current });
  };
  const { devices, screens } = store;

  /** What the list and the detail both say of a device beyond its registration. */
  const playing = async (
    device: SignageDeviceRecord,
    deviceScreens?: readonly SignageScreenRecord[],
  ) => {
    const sn = device.snNumber;
    const [shots, reports, assigned] = await Promise.all([
      store.screenshots.listForDevice(sn, 1),
      store.reports.listForDevice(sn),
      deviceScreens ?? screens.listForDevice(sn),
    ]);
    const current = device.currentPlaylistId ?? defaultPlaylist(assigned);
    const report = reports.find((r) => r.playlistId === current);
    const status =
      current === null
        ? null
        : (report?.status ?? (device.readyPlaylists.includes(current) ? 'ready' : null));
    return {
      reports,
      fields: {
        current_playlist: current,
        current_playlist_status: status,
        last_screenshot: shots[0] === undefined ? null : screenshotRecord(shots[0]),
      },
    };
  };

  const summary = (
    device: SignageDeviceRecord,
    pendingCommands: number,
    online: ReadonlySet<string>,
    fields: Pick<DeviceSummary, 'current_playlist' | 'current_playlist_status' | 'last_screenshot'>,
  ): DeviceSummary => ({
    ...device.info,
    sn_number: device.snNumber,
    mac_address: device.info.mac_address ?? null,
    ip_address: device.info.ip_address ?? null,
    owner: device.ownerUsername,
    name: device.name,
    registered_at: device.registeredAt,
    updated_at: device.updatedAt,
    online: online.has(device.snNumber),
    last_seen: device.lastSeenAt,
    pending_command_count: pendingCommands,
    ...fields,
  });

  const detail = async (device: SignageDeviceRecord): Promise<DeviceDetail> => {
    const sn = device.snNumber;
    const deviceScreens = await screens.listForDevice(sn);
    const { reports, fields } = await playing(device, deviceScreens);
    const pending = await store.commands.queued(sn);
    const result: DeviceDetail = {
      ...summary(device, pending.length, await cluster.online([sn]), fields),
      ready_playlists: [...device.readyPlaylists],
      ready_playlists_at: device.readyPlaylistsAt,
      playlist_statuses: reports.map(playlistReport),
      front_screen: null,
      back_screen: null,
      right_screen: null,
      left_screen: null,
      pending_commands: pending.map(commandRecord),
      health: device.health && { ...device.health.report, reported_at: device.health.at },
    };
    for (const screen of deviceScreens) result[SCREEN_KEYS[screen.position]] = adminScreen(screen);
    return result;
  };

  mountSignageRoutes(app, routes, options, {
    'signage.adminDeviceList': async ({ query }) => {
      await commands.expire();
      const online = query.online === undefined ? undefined : [...(await cluster.online())];
      const filter = {
        search: query.search,
        among: query.online === true ? online : undefined,
        except: query.online === false ? online : undefined,
      };
      const [count, page] = await Promise.all([
        devices.count(filter),
        devices.list(filter, { limit: query.limit, offset: query.offset }),
      ]);
      const sns = page.map((d) => d.snNumber);
      const pending = await store.commands.countQueuedFor(sns);
      const onlineNow = await cluster.online(sns);
      const extra = await Promise.all(page.map((device) => playing(device)));
      return {
        count,
        results: page.map((device, i) =>
          summary(
            device,
            pending.get(device.snNumber) ?? 0,
            onlineNow,
            extra[i]?.fields ?? NOTHING_PLAYING,
          ),
        ),
      };
    },
    'signage.adminDeviceGet': async ({ params }) => {
      await commands.expire();
      return detail(await findDevice(store, params.sn_number));
    },
    'signage.adminDeviceDelete': async ({ params }) => {
      const sn = params.sn_number;
      const removed = found(await devices.delete(sn), `Device ${sn}`);
      await cluster.disconnect(sn);
      events?.device('removed', sn);
      await files.removeScreenshots(removed.screenshotPaths);
      return noContent();
    },
    'signage.adminScreenPut': async ({ params, body }) => {
      const device = await findDevice(store, params.sn_number);
      const ids = [...new Set(body.playlist_ids)];
      const known = new Set((await store.playlists.findMany(ids)).map((p) => p.id));
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
      await announceCurrent(device);
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
      await announceCurrent(device);
      return noContent();
    },
  });
}
