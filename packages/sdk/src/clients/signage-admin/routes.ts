/**
 * The admin client's routes, each checked against the protocol's admin route table at compile
 * time (method and path), and path templates filled with typed parameters.
 */
import type { signageAdminRoutes } from '../../protocol/signage/admin';
import type { pairingRoutes } from '../../protocol/signage/pairing';

type AdminRouteTable = (typeof signageAdminRoutes)[number] | (typeof pairingRoutes)[number];
export type AdminRouteId = AdminRouteTable['id'];
type AdminRoute<Id extends AdminRouteId> = Extract<AdminRouteTable, { id: Id }>;

/** The parameter names of a path template: `'/a/{x}/b/{y}/'` → `'x' | 'y'`. */
export type PathParams<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PathParams<Rest>
  : never;

export interface RouteRef<Id extends AdminRouteId> {
  readonly id: Id;
  readonly method: AdminRoute<Id>['method'];
  readonly path: AdminRoute<Id>['path'];
}

/** A route of the table; a wrong method or path for `id` fails to compile. */
function route<Id extends AdminRouteId>(
  id: Id,
  method: AdminRoute<Id>['method'],
  path: AdminRoute<Id>['path'],
): RouteRef<Id> {
  return { id, method, path };
}

const BASE = '/api/v1/admin/cloud';

export const ADMIN_ROUTES = {
  mediaUpload: route('signage.adminMediaUpload', 'POST', `${BASE}/media/`),
  mediaList: route('signage.adminMediaList', 'GET', `${BASE}/media/`),
  mediaGet: route('signage.adminMediaGet', 'GET', `${BASE}/media/{media_id}/`),
  mediaDelete: route('signage.adminMediaDelete', 'DELETE', `${BASE}/media/{media_id}/`),
  playlistCreate: route('signage.adminPlaylistCreate', 'POST', `${BASE}/playlists/`),
  playlistList: route('signage.adminPlaylistList', 'GET', `${BASE}/playlists/`),
  playlistGet: route('signage.adminPlaylistGet', 'GET', `${BASE}/playlists/{playlist_id}/`),
  playlistUpdate: route('signage.adminPlaylistUpdate', 'PUT', `${BASE}/playlists/{playlist_id}/`),
  playlistDelete: route(
    'signage.adminPlaylistDelete',
    'DELETE',
    `${BASE}/playlists/{playlist_id}/`,
  ),
  deviceList: route('signage.adminDeviceList', 'GET', `${BASE}/devices/`),
  deviceGet: route('signage.adminDeviceGet', 'GET', `${BASE}/devices/{sn_number}/`),
  deviceDelete: route('signage.adminDeviceDelete', 'DELETE', `${BASE}/devices/{sn_number}/`),
  screenPut: route(
    'signage.adminScreenPut',
    'PUT',
    `${BASE}/devices/{sn_number}/screens/{position}/`,
  ),
  screenDelete: route(
    'signage.adminScreenDelete',
    'DELETE',
    `${BASE}/devices/{sn_number}/screens/{position}/`,
  ),
  deviceCommand: route(
    'signage.adminDeviceCommand',
    'POST',
    `${BASE}/devices/{sn_number}/commands/`,
  ),
  deviceCommands: route(
    'signage.adminDeviceCommands',
    'GET',
    `${BASE}/devices/{sn_number}/commands/`,
  ),
  broadcastCommand: route('signage.adminBroadcastCommand', 'POST', `${BASE}/commands/`),
  commandGet: route('signage.adminCommandGet', 'GET', `${BASE}/commands/{command_id}/`),
  screenshotList: route(
    'signage.adminScreenshotList',
    'GET',
    `${BASE}/devices/{sn_number}/screenshots/`,
  ),
  screenshotView: route(
    'signage.adminScreenshotView',
    'GET',
    `${BASE}/screenshots/{screenshot_id}/`,
  ),
  pairingList: route('signage.pairingList', 'GET', '/api/v1/admin/cloud/pairing/'),
  pairingApprove: route(
    'signage.pairingApprove',
    'POST',
    '/api/v1/admin/cloud/pairing/{code}/approve/',
  ),
  pairingReject: route('signage.pairingReject', 'DELETE', '/api/v1/admin/cloud/pairing/{code}/'),
} as const;

/** Fills `{name}` placeholders, each value URL-encoded (a serial number may hold any character). */
export function fillPath<P extends string>(
  path: P,
  params: Readonly<Record<PathParams<P>, string | number>>,
): string {
  return path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const value = (params as Readonly<Record<string, string | number | undefined>>)[name];
    if (value === undefined) throw new TypeError(`Missing path parameter ${name} for ${path}`);
    return encodeURIComponent(String(value));
  });
}
