/**
 * Fleet admin API: devices, their screens and screenshots. A device's detail joins what it
 * registered with what the server tracks: online/offline, last seen, the latest status of each
 * playlist, the ready playlists, the current playlist, the last screenshot and pending commands.
 */
import * as z from 'zod/mini';
import { isoDateTime, nonNegativeInt, positiveInt, queryBoolean, queryInt } from '../primitives';
import { CommandRecord } from './admin-commands';
import { idParam } from './admin-media';
import { HealthMessage } from './client-messages';

/** The four screens a device may have, named as in `DeviceScreens` (`front` → `front_screen`). */
export const ScreenPosition = z
  .enum(['front', 'back', 'right', 'left'])
  .register(z.globalRegistry, { id: 'SignageScreenPosition' });
export type ScreenPosition = z.infer<typeof ScreenPosition>;

const snNumber = z.string().check(z.minLength(1), z.maxLength(255));

export const DeviceParams = z.object({ sn_number: snNumber });
export type DeviceParams = z.infer<typeof DeviceParams>;

export const ScreenParams = z.object({ sn_number: snNumber, position: ScreenPosition });
export type ScreenParams = z.infer<typeof ScreenParams>;

/** Body of `PUT devices/{sn_number}/screens/{position}/`; creates or replaces that screen. */
export const ScreenInput = z
  .object({
    screen_name: z.string().check(z.minLength(1), z.maxLength(255)),
    /** e.g. `1920x1080`. */
    resolution: z.string().check(z.minLength(1), z.maxLength(64)),
    /** The screen's playlists in order; each must exist. */
    playlist_ids: z._default(z.array(positiveInt).check(z.maxLength(100)), []),
    /**
     * The active playlist; must be one of `playlist_ids`.
     * @default the first of `playlist_ids`, or null when there is none
     */
    current_playlist: z.optional(z.nullable(positiveInt)),
  })
  .register(z.globalRegistry, { id: 'SignageScreenInput' });
export type ScreenInput = z.input<typeof ScreenInput>;

/** A screen as the admin API shows it (playlists by id; devices get them in full). */
export const AdminScreen = z
  .object({
    screen_id: positiveInt,
    position: ScreenPosition,
    screen_name: z.string(),
    resolution: z.string(),
    playlist_ids: z.array(positiveInt),
    current_playlist: z.nullable(positiveInt),
    updated_at: isoDateTime,
  })
  .register(z.globalRegistry, { id: 'SignageAdminScreen' });
export type AdminScreen = z.infer<typeof AdminScreen>;

/** The latest `playlist_status` a device sent for one playlist. */
export const PlaylistReport = z
  .object({
    playlist_id: positiveInt,
    status: z.enum(['ready', 'downloading', 'partial', 'failed']),
    total_items: z.nullable(nonNegativeInt),
    downloaded_items: z.nullable(nonNegativeInt),
    missing_files: z.array(z.string()),
    error: z.nullable(z.string()),
    reported_at: isoDateTime,
  })
  .register(z.globalRegistry, { id: 'SignagePlaylistReport' });
export type PlaylistReport = z.infer<typeof PlaylistReport>;

/** One stored screenshot; `url` serves the JPEG to admins. */
export const ScreenshotRecord = z
  .object({
    id: positiveInt,
    sn_number: z.string(),
    media_id: positiveInt,
    file_size: nonNegativeInt,
    created_at: isoDateTime,
    url: z.string().check(z.minLength(1)),
  })
  .register(z.globalRegistry, { id: 'SignageScreenshotRecord' });
export type ScreenshotRecord = z.infer<typeof ScreenshotRecord>;

export const ScreenshotList = z
  .object({ count: nonNegativeInt, results: z.array(ScreenshotRecord) })
  .register(z.globalRegistry, { id: 'SignageScreenshotList' });
export type ScreenshotList = z.infer<typeof ScreenshotList>;

export const ScreenshotIdParams = z.object({ screenshot_id: idParam() });
export type ScreenshotIdParams = z.infer<typeof ScreenshotIdParams>;

/** What a device registered (the seed's `DeviceModel`, absent optionals as null) and its state. */
export const DeviceSummary = z
  .object({
    sn_number: z.string(),
    brand: z.string(),
    model: z.string(),
    manufacturer: z.string(),
    os_version: z.string(),
    screen_resolution: z.string(),
    total_storage: z.string(),
    free_storage: z.string(),
    mac_address: z.nullable(z.string()),
    app_version: z.string(),
    ip_address: z.nullable(z.string()),
    brightness: z.number().check(z.int(), z.minimum(0), z.maximum(100)),
    volume: z.number().check(z.int(), z.minimum(0), z.maximum(100)),
    /** The user account the device registered with (it alone, and operators, may act as it). */
    owner: z.nullable(z.string()),
    /** What the operator named the screen when pairing it; null for a screen never paired. */
    name: z.nullable(z.string()),
    registered_at: isoDateTime,
    /** Last registration (devices re-register on every start). */
    updated_at: isoDateTime,
    /** A device socket is open now. */
    online: z.boolean(),
    /** Last connect, message or disconnect on the device socket; null when it never connected. */
    last_seen: z.nullable(isoDateTime),
    /** Commands waiting for the device to connect. */
    pending_command_count: nonNegativeInt,
    /**
     * The playlist the device plays now: the last `switch_playlist` it acknowledged, else the
     * front screen's (or first assigned screen's) current playlist.
     */
    current_playlist: z.nullable(positiveInt),
    /**
     * How far the current playlist is on the device: its latest `playlist_status` for it, else
     * `ready` when its last `ready_playlists` names it; null when it reported neither (or plays
     * nothing).
     */
    current_playlist_status: z.nullable(z.enum(['ready', 'downloading', 'partial', 'failed'])),
    /** The newest screenshot (its `url` serves the image to operators); null when none. */
    last_screenshot: z.nullable(ScreenshotRecord),
  })
  .register(z.globalRegistry, { id: 'SignageDeviceSummary' });
export type DeviceSummary = z.infer<typeof DeviceSummary>;

/**
 * One page of devices, ordered by `sn_number`: `count` is how many devices match the query in
 * all, `results` the page (every match when no `limit` was given).
 */
export const DeviceList = z
  .object({ count: nonNegativeInt, results: z.array(DeviceSummary) })
  .register(z.globalRegistry, { id: 'SignageDeviceList' });
export type DeviceList = z.infer<typeof DeviceList>;

/** Most devices one page of `GET devices/` may hold. */
export const MAX_DEVICE_PAGE = 1000;

/** `?online=&search=&limit=&offset=` of the device list; every filter is optional. */
export const DeviceListQuery = z.object({
  /** Only devices with (`true`) or without (`false`) an open device socket. */
  online: z.optional(queryBoolean),
  /**
   * A substring of the device's `sn_number`, `brand`, `model` (the name Android gives a
   * device) or paired `name`; ASCII letters match in any case, and an empty value matches every
   * device.
   */
  search: z.optional(z.string().check(z.maxLength(255))),
  /**
   * Page size.
   * @default every matching device
   */
  limit: z.optional(queryInt(1, MAX_DEVICE_PAGE)),
  /**
   * Matching devices to skip before the page.
   * @default 0
   */
  offset: z.optional(queryInt(0, Number.MAX_SAFE_INTEGER)),
});
export type DeviceListQuery = z.infer<typeof DeviceListQuery>;

/** The latest `health` message of a device, as it sent it, and when it arrived. */
export const DeviceHealth = z
  .extend(z.omit(HealthMessage, { type: true }), { reported_at: isoDateTime })
  .register(z.globalRegistry, { id: 'SignageDeviceHealth' });
export type DeviceHealth = z.infer<typeof DeviceHealth>;

/** `GET devices/{sn_number}/`. */
export const DeviceDetail = z
  .extend(DeviceSummary, {
    /** From the device's last `ready_playlists`. */
    ready_playlists: z.array(positiveInt),
    ready_playlists_at: z.nullable(isoDateTime),
    /** The latest `playlist_status` per playlist. */
    playlist_statuses: z.array(PlaylistReport),
    front_screen: z.nullable(AdminScreen),
    back_screen: z.nullable(AdminScreen),
    right_screen: z.nullable(AdminScreen),
    left_screen: z.nullable(AdminScreen),
    /** Queued commands, in delivery order. */
    pending_commands: z.array(CommandRecord),
    /**
     * The device's latest health report; null when it never sent one (absent from servers that
     * predate health reports).
     */
    health: z.optional(z.nullable(DeviceHealth)),
  })
  .register(z.globalRegistry, { id: 'SignageDeviceDetail' });
export type DeviceDetail = z.infer<typeof DeviceDetail>;
