/**
 * The signage surface's route and channel tables. Paths are the seed's, under its base URL
 * `/api/v1`; media files are served from `/media/...` at the origin, as the seed's
 * `media_url` examples show.
 */
import * as z from 'zod/mini';
import { defineChannel, defineRoute, defineSurface, response } from '../tables';
import { signageAdminRoutes } from './admin';
import { pairingRoutes } from './pairing';
import { proofOfPlayRoutes } from './proof-of-play';
import { AuthModel, LoginBody, RefreshBody } from './auth';
import { AdminServerMessage } from './admin-events';
import { ClientMessage } from './client-messages';
import { DeviceModel, RegisterDeviceResponse } from './device';
import { signageErrorShape, SignageError, signageStorageErrors } from './errors';
import { DeviceScreens, PlaylistsQuery } from './playlist';
import { ScreenshotFormFields, ScreenshotResponse } from './screenshot';
import { ServerMessage } from './server-messages';

const errorResponse = (description: string) => response(description, SignageError);

/**
 * `{path}` of the media route: the rest of the URL after `/media/` (slashes included). `..`
 * segments are refused so a path can never leave the media root.
 */
export const MediaPathParams = z.object({
  path: z.string().check(
    z.minLength(1),
    z.refine((p) => !p.split('/').includes('..'), 'Path may not contain ".." segments'),
  ),
});
export type MediaPathParams = z.infer<typeof MediaPathParams>;

/** `?token=&sn_number=` of the device socket; the browser WebSocket API cannot set headers. */
export const DeviceSocketQuery = z.object({
  token: z.string().check(z.minLength(1)),
  sn_number: z.string().check(z.minLength(1), z.maxLength(255)),
  acks: z.optional(z.literal('1')).register(z.globalRegistry, {
    description:
      'Marquee extension: the device acknowledges commands (`ack`) and drops a `command_id` it ' +
      'already applied, so commands written but not acknowledged before a disconnect are ' +
      'delivered again on its next socket (at least once on the wire, exactly once applied).',
  }),
});
export type DeviceSocketQuery = z.infer<typeof DeviceSocketQuery>;

export const signageRoutes = [
  defineRoute({
    id: 'signage.login',
    method: 'POST',
    path: '/api/v1/auth/token/',
    summary: 'Log in with username and password; returns access and refresh tokens',
    auth: 'none',
    body: LoginBody,
    bodyKind: 'json-or-form',
    responses: {
      200: response('Token pair', AuthModel),
      400: errorResponse('Invalid credentials or malformed body'),
      429: errorResponse(
        'Too many failed sign-ins from this address or for this user name; `Retry-After` says when to try again',
      ),
      500: errorResponse('Server error'),
      503: errorResponse('Too many sign-ins waiting for a password check; `Retry-After` applies'),
    },
  }),
  defineRoute({
    id: 'signage.refresh',
    method: 'POST',
    path: '/api/v1/auth/token/refresh/',
    summary: 'Exchange a refresh token for a new token pair',
    auth: 'none',
    body: RefreshBody,
    bodyKind: 'json-or-form',
    responses: {
      200: response('New token pair', AuthModel),
      400: errorResponse('Malformed body (no refresh token)'),
      401: errorResponse('Invalid or expired refresh token'),
      429: errorResponse('Too many failed refreshes from this address; `Retry-After` applies'),
    },
  }),
  defineRoute({
    id: 'signage.registerDevice',
    method: 'POST',
    path: '/api/v1/admin/cloud/device/register/',
    summary: 'Register a device or update its info (keyed by sn_number)',
    auth: 'device',
    body: DeviceModel,
    bodyKind: 'json',
    responses: {
      200: response('Existing device updated', RegisterDeviceResponse),
      201: response('Device created', RegisterDeviceResponse),
      400: errorResponse('Invalid device data'),
      401: errorResponse('Missing or invalid token'),
      403: errorResponse("Not a device account, operator or admin, or another account's device"),
      ...signageStorageErrors,
    },
  }),
  defineRoute({
    id: 'signage.playlists',
    method: 'GET',
    path: '/api/v1/admin/cloud/playlists',
    summary: "A device's screens and the playlists assigned to each",
    auth: 'device',
    query: PlaylistsQuery,
    responses: {
      200: response('Screens and playlists', DeviceScreens),
      400: errorResponse('Missing sn_number'),
      401: errorResponse('Missing or invalid token'),
      403: errorResponse("Not a device account, operator or admin, or another account's device"),
      404: errorResponse('Device not found'),
    },
  }),
  defineRoute({
    id: 'signage.mediaDownload',
    method: 'GET',
    path: '/media/{path}',
    summary:
      'Download a media file (the media_url of a media item); supports Range and conditional requests. Sent as its stored type with `X-Content-Type-Options: nosniff`; SVG as an attachment under `Content-Security-Policy: sandbox`',
    auth: 'device',
    params: MediaPathParams,
    responses: {
      200: response('The file', null, 'application/octet-stream'),
      206: response('The requested byte range', null, 'application/octet-stream'),
      304: response('Not modified since the cached copy', null),
      400: errorResponse('Invalid file path'),
      401: errorResponse('Missing or invalid token'),
      403: errorResponse("Not a device account, operator or admin, or another account's device"),
      404: errorResponse('No such file'),
      416: errorResponse('Range not satisfiable'),
    },
  }),
  defineRoute({
    id: 'signage.screenshot',
    method: 'POST',
    path: '/api/v1/screenshot',
    summary:
      'Upload a screenshot of the media on screen (multipart, file in image_file): a JPEG, or another raster image; the type is taken from the bytes',
    auth: 'device',
    body: ScreenshotFormFields,
    bodyKind: 'multipart',
    responses: {
      200: response('Screenshot stored', ScreenshotResponse),
      400: errorResponse('Missing fields, or a file whose bytes are not an image'),
      401: errorResponse('Missing or invalid token'),
      403: errorResponse("Not a device account, operator or admin, or another account's device"),
      404: errorResponse('No device with that device_id'),
      413: errorResponse('File too large'),
      ...signageStorageErrors,
    },
  }),
] as const;

export const signageChannels = [
  defineChannel({
    id: 'signage.device',
    path: '/ws/cloud/tb_device/',
    summary:
      'Remote control of one device: the server sends actions, the device reports playlist readiness.',
    auth: 'device',
    query: DeviceSocketQuery,
    serverMessages: ServerMessage,
    clientMessages: ClientMessage,
  }),
  defineChannel({
    id: 'signage.admin',
    path: '/ws/cloud/admin/',
    summary:
      "Fleet changes pushed to operator consoles: devices online/offline, last seen, playlist status and current playlist; pairing codes pending, approved or rejected; each command's state. Push-only; session cookie (same-origin pages) or Bearer / `?token=` of an operator or admin.",
    auth: 'operator',
    serverMessages: AdminServerMessage,
    extension: true,
  }),
] as const;

export const signageSurface = defineSurface({
  name: 'signage',
  title: 'Digital Signage',
  seed: '002_545698250415548c.txt',
  description:
    'Android TV signage players: JWT auth, device registration, playlists, media downloads, screenshots and WebSocket control.',
  errorShape: signageErrorShape,
  // The seed's device routes, then Marquee's fleet admin API (`admin.ts`), pairing and proof of play.
  routes: [...signageRoutes, ...signageAdminRoutes, ...pairingRoutes, ...proofOfPlayRoutes],
  channels: signageChannels,
});
