/**
 * The fleet admin API's route table: Marquee's extension of seed 002, in the seed's style (paths
 * under `/api/v1/admin/cloud/` with trailing slashes, errors as `{message, status_code}`), for
 * admins only. Lists answer `{count, results}`.
 *
 * Note the device route `GET /api/v1/admin/cloud/playlists?sn_number=` (the seed's, no trailing
 * slash) and the admin list `GET /api/v1/admin/cloud/playlists/` are two routes.
 */
import { defineRoute, response, type ResponseDef, type RouteDef } from '../tables';
import {
  BroadcastAccepted,
  BroadcastCommandRequest,
  CommandIdParams,
  CommandList,
  CommandListQuery,
  CommandRecord,
  CommandRequest,
  CommandsAccepted,
} from './admin-commands';
import {
  AdminScreen,
  DeviceDetail,
  DeviceList,
  DeviceListQuery,
  DeviceParams,
  ScreenInput,
  ScreenParams,
  ScreenshotIdParams,
  ScreenshotList,
} from './admin-devices';
import { MediaIdParams, MediaList, MediaRecord, MediaUploadFields } from './admin-media';
import { AdminPlaylist, PlaylistIdParams, PlaylistInput, PlaylistList } from './admin-playlists';
import { SignageError, signageStorageErrors } from './errors';

const BASE = '/api/v1/admin/cloud';

const err = (description: string) => response(description, SignageError);
const unauthorized = err('Missing or invalid token');
const forbidden = err('Not an operator or admin');

/** What every fleet admin route adds: operators and admins, Marquee's extension, 401 and 403. */
type AdminRoute<R extends Omit<RouteDef, 'auth' | 'extension'>> = R & {
  readonly auth: 'operator';
  readonly extension: true;
  readonly responses: R['responses'] & { readonly 401: ResponseDef; readonly 403: ResponseDef };
};

/**
 * One fleet admin route: `route` with its operator policy, extension mark and 401/403 answers,
 * and for a write the storage faults (`signageStorageErrors`).
 */
/* @__NO_SIDE_EFFECTS__ */
function adminRoute<const R extends Omit<RouteDef, 'auth' | 'extension'>>(route: R): AdminRoute<R> {
  return defineRoute({
    ...route,
    auth: 'operator',
    extension: true,
    responses: {
      // Writes may meet a full or read-only disk; a route's own 503 description wins.
      ...(route.method === 'GET' ? {} : signageStorageErrors),
      ...route.responses,
      401: unauthorized,
      403: forbidden,
    },
  });
}

export const signageAdminRoutes = [
  adminRoute({
    id: 'signage.adminMediaUpload',
    method: 'POST',
    path: `${BASE}/media/`,
    summary:
      'Upload a media file (multipart, the file in `file`); the server computes its size and MD5 and takes its type from its bytes, not the declared Content-Type or name',
    body: MediaUploadFields,
    bodyKind: 'multipart',
    responses: {
      201: response('Stored', MediaRecord),
      400: err('No file part, or an empty file'),
      413: err('File larger than MARQUEE_MAX_MEDIA_UPLOAD_BYTES'),
      415: err(
        'The bytes are neither an accepted image (JPEG, PNG, GIF, WebP, BMP, AVIF, HEIC/HEIF, SVG) nor an accepted video (MP4, M4V, MOV, 3GP, WebM, Matroska, AVI, MPEG-TS); the message names what was detected',
      ),
    },
  }),
  adminRoute({
    id: 'signage.adminMediaList',
    method: 'GET',
    path: `${BASE}/media/`,
    summary: 'The media library, newest first',
    responses: { 200: response('Media', MediaList) },
  }),
  adminRoute({
    id: 'signage.adminMediaGet',
    method: 'GET',
    path: `${BASE}/media/{media_id}/`,
    summary: 'One media file',
    params: MediaIdParams,
    responses: {
      200: response('Media', MediaRecord),
      400: err('Invalid media_id'),
      404: err('No such media'),
    },
  }),
  adminRoute({
    id: 'signage.adminMediaDelete',
    method: 'DELETE',
    path: `${BASE}/media/{media_id}/`,
    summary: 'Delete a media file; refused while a playlist uses it',
    params: MediaIdParams,
    responses: {
      204: response('Deleted', null),
      400: err('Invalid media_id'),
      404: err('No such media'),
      409: err('A playlist uses it'),
    },
  }),
  adminRoute({
    id: 'signage.adminPlaylistCreate',
    method: 'POST',
    path: `${BASE}/playlists/`,
    summary: 'Create a playlist from library media',
    body: PlaylistInput,
    bodyKind: 'json',
    responses: {
      201: response('Created', AdminPlaylist),
      400: err('Invalid playlist, or an unknown media_id'),
    },
  }),
  adminRoute({
    id: 'signage.adminPlaylistList',
    method: 'GET',
    path: `${BASE}/playlists/`,
    summary: 'Every playlist',
    responses: { 200: response('Playlists', PlaylistList) },
  }),
  adminRoute({
    id: 'signage.adminPlaylistGet',
    method: 'GET',
    path: `${BASE}/playlists/{playlist_id}/`,
    summary: 'One playlist',
    params: PlaylistIdParams,
    responses: {
      200: response('Playlist', AdminPlaylist),
      400: err('Invalid playlist_id'),
      404: err('No such playlist'),
    },
  }),
  adminRoute({
    id: 'signage.adminPlaylistUpdate',
    method: 'PUT',
    path: `${BASE}/playlists/{playlist_id}/`,
    summary: 'Replace a playlist; devices showing it get reload_playlist',
    params: PlaylistIdParams,
    body: PlaylistInput,
    bodyKind: 'json',
    responses: {
      200: response('Updated', AdminPlaylist),
      400: err('Invalid playlist, or an unknown media_id'),
      404: err('No such playlist'),
    },
  }),
  adminRoute({
    id: 'signage.adminPlaylistDelete',
    method: 'DELETE',
    path: `${BASE}/playlists/{playlist_id}/`,
    summary: 'Delete a playlist (removed from every screen); affected devices get reload_playlist',
    params: PlaylistIdParams,
    responses: {
      204: response('Deleted', null),
      400: err('Invalid playlist_id'),
      404: err('No such playlist'),
    },
  }),
  adminRoute({
    id: 'signage.adminDeviceList',
    method: 'GET',
    path: `${BASE}/devices/`,
    summary:
      'Registered devices with online state, last seen, current playlist and its status, newest screenshot, free storage, app version and pending commands, by sn_number; filtered by online and search, paged with limit and offset (count is the total that match)',
    query: DeviceListQuery,
    responses: {
      200: response('Devices', DeviceList),
      400: err('Invalid online, search, limit or offset'),
    },
  }),
  adminRoute({
    id: 'signage.adminDeviceGet',
    method: 'GET',
    path: `${BASE}/devices/{sn_number}/`,
    summary:
      'One device: registration, online, last seen, playlist statuses, ready playlists, screens, last screenshot, pending commands',
    params: DeviceParams,
    responses: {
      200: response('Device', DeviceDetail),
      400: err('Invalid sn_number'),
      404: err('Device not found'),
    },
  }),
  adminRoute({
    id: 'signage.adminDeviceDelete',
    method: 'DELETE',
    path: `${BASE}/devices/{sn_number}/`,
    summary:
      'Decommission a device: close its socket (4004 DEVICE_REMOVED) and delete its screens, reports, commands and screenshots; its user account stays, and it may register again as a new device',
    params: DeviceParams,
    responses: {
      204: response('Deleted', null),
      400: err('Invalid sn_number'),
      404: err('Device not found'),
    },
  }),
  adminRoute({
    id: 'signage.adminScreenPut',
    method: 'PUT',
    path: `${BASE}/devices/{sn_number}/screens/{position}/`,
    summary: "Create or replace one of a device's screens; the device gets reload_playlist",
    params: ScreenParams,
    body: ScreenInput,
    bodyKind: 'json',
    responses: {
      200: response('The screen', AdminScreen),
      400: err('Invalid screen, unknown playlist, or current_playlist not among playlist_ids'),
      404: err('Device not found'),
    },
  }),
  adminRoute({
    id: 'signage.adminScreenDelete',
    method: 'DELETE',
    path: `${BASE}/devices/{sn_number}/screens/{position}/`,
    summary: 'Remove a screen (it becomes null); the device gets reload_playlist',
    params: ScreenParams,
    responses: {
      204: response('Removed', null),
      400: err('Invalid sn_number or position'),
      404: err('Device or screen not found'),
    },
  }),
  adminRoute({
    id: 'signage.adminDeviceCommand',
    method: 'POST',
    path: `${BASE}/devices/{sn_number}/commands/`,
    summary: 'Send an action to a device now, or queue it until it connects',
    params: DeviceParams,
    body: CommandRequest,
    bodyKind: 'json',
    responses: {
      202: response('Accepted', CommandsAccepted),
      400: err('Invalid command'),
      404: err('Device not found'),
      429: err(
        'The device already holds MARQUEE_MAX_PENDING_COMMANDS_PER_DEVICE undelivered commands; nothing was queued',
      ),
    },
  }),
  adminRoute({
    id: 'signage.adminDeviceCommands',
    method: 'GET',
    path: `${BASE}/devices/{sn_number}/commands/`,
    summary: "A device's commands and their states, newest first",
    params: DeviceParams,
    query: CommandListQuery,
    responses: {
      200: response('Commands', CommandList),
      400: err('Invalid sn_number, state or limit'),
      404: err('Device not found'),
    },
  }),
  adminRoute({
    id: 'signage.adminBroadcastCommand',
    method: 'POST',
    path: `${BASE}/commands/`,
    summary: 'Send an action to a list of devices or all of them (one command per device)',
    body: BroadcastCommandRequest,
    bodyKind: 'json',
    responses: {
      202: response(
        'Accepted; `skipped` names the devices whose queue was full',
        BroadcastAccepted,
      ),
      400: err('Invalid command'),
      404: err('A listed device does not exist'),
    },
  }),
  adminRoute({
    id: 'signage.adminCommandGet',
    method: 'GET',
    path: `${BASE}/commands/{command_id}/`,
    summary: 'One command and its state',
    params: CommandIdParams,
    responses: {
      200: response('Command', CommandRecord),
      400: err('Invalid command_id'),
      404: err('No such command'),
    },
  }),
  adminRoute({
    id: 'signage.adminScreenshotList',
    method: 'GET',
    path: `${BASE}/devices/{sn_number}/screenshots/`,
    summary: "A device's screenshots, newest first",
    params: DeviceParams,
    responses: {
      200: response('Screenshots', ScreenshotList),
      400: err('Invalid sn_number'),
      404: err('Device not found'),
    },
  }),
  adminRoute({
    id: 'signage.adminScreenshotView',
    method: 'GET',
    path: `${BASE}/screenshots/{screenshot_id}/`,
    summary:
      'A screenshot, as the image type its bytes were sniffed as at upload (JPEG from seed devices)',
    params: ScreenshotIdParams,
    responses: {
      200: response('The image', null, 'image/jpeg'),
      400: err('Invalid screenshot_id'),
      404: err('No such screenshot'),
    },
  }),
] as const;
