/**
 * Device → server messages on `/ws/cloud/tb_device/`, discriminated by `type`, with
 * `playlist_status` further discriminated by `status` so each status's required fields are
 * enforced exactly as the seed's table lists them.
 */
import * as z from 'zod/mini';
import { nonNegativeInt, positiveInt } from '../primitives';

/** Every playlist that is fully downloaded and playable, sent after reload/switch and on start. */
export const ReadyPlaylistsMessage = z
  .object({
    type: z.literal('ready_playlists'),
    /** May be empty when nothing is ready yet. */
    playlist_ids: z.array(positiveInt),
  })
  .register(z.globalRegistry, { id: 'SignageReadyPlaylistsMessage' });
export type ReadyPlaylistsMessage = z.infer<typeof ReadyPlaylistsMessage>;

const statusBase = {
  type: z.literal('playlist_status'),
  playlist_id: positiveInt,
};

/** Longest `error` text a device report keeps (a `failed` status, a refused `ack`). */
export const MAX_REPORT_ERROR = 2000;

/** A device's error text, kept to its first MAX_REPORT_ERROR characters: a stack trace must not cost the report. */
const reportError = z.string().check(z.overwrite((text) => text.slice(0, MAX_REPORT_ERROR)));

/** All media downloaded and verified; the counts are optional. */
export const PlaylistReadyStatus = z
  .object({
    ...statusBase,
    status: z.literal('ready'),
    total_items: z.optional(nonNegativeInt),
    downloaded_items: z.optional(nonNegativeInt),
  })
  .register(z.globalRegistry, { id: 'SignagePlaylistReadyStatus' });
export type PlaylistReadyStatus = z.infer<typeof PlaylistReadyStatus>;

/** Download in progress; both counts are required. */
export const PlaylistDownloadingStatus = z
  .object({
    ...statusBase,
    status: z.literal('downloading'),
    total_items: nonNegativeInt,
    downloaded_items: nonNegativeInt,
  })
  .register(z.globalRegistry, { id: 'SignagePlaylistDownloadingStatus' });
export type PlaylistDownloadingStatus = z.infer<typeof PlaylistDownloadingStatus>;

/** Download finished with some files missing; playable with what arrived. */
export const PlaylistPartialStatus = z
  .object({
    ...statusBase,
    status: z.literal('partial'),
    total_items: nonNegativeInt,
    downloaded_items: nonNegativeInt,
    /** File names that failed to download. */
    missing_files: z.array(z.string()),
  })
  .register(z.globalRegistry, { id: 'SignagePlaylistPartialStatus' });
export type PlaylistPartialStatus = z.infer<typeof PlaylistPartialStatus>;

/** Nothing could be downloaded; every detail is optional. */
export const PlaylistFailedStatus = z
  .object({
    ...statusBase,
    status: z.literal('failed'),
    total_items: z.optional(nonNegativeInt),
    downloaded_items: z.optional(nonNegativeInt),
    error: z.optional(reportError),
  })
  .register(z.globalRegistry, { id: 'SignagePlaylistFailedStatus' });
export type PlaylistFailedStatus = z.infer<typeof PlaylistFailedStatus>;

/** The seed's `PlaylistStatusMessageModel`, one schema per status. */
export const PlaylistStatusMessage = z
  .discriminatedUnion('status', [
    PlaylistReadyStatus,
    PlaylistDownloadingStatus,
    PlaylistPartialStatus,
    PlaylistFailedStatus,
  ])
  .register(z.globalRegistry, { id: 'SignagePlaylistStatusMessage' });
export type PlaylistStatusMessage = z.infer<typeof PlaylistStatusMessage>;
export type PlaylistStatusValue = PlaylistStatusMessage['status'];

/**
 * Marquee's acknowledgement of an action that carried a `command_id`. Devices written from the
 * seed alone never send it; the server then simply records no outcome for the command.
 */
export const AckMessage = z
  .object({
    type: z.literal('ack'),
    command_id: z.string().check(z.minLength(1), z.maxLength(128)),
    ok: z.boolean(),
    /** Why the device could not apply the command, when `ok` is false. */
    error: z.optional(reportError),
    /**
     * Marquee: the command arrived after its `expires_at` and was not applied (`ok` is false);
     * the server records it as `expired` rather than `failed`.
     */
    expired: z.optional(z.literal(true)),
  })
  .register(z.globalRegistry, { id: 'SignageAckMessage' });
export type AckMessage = z.infer<typeof AckMessage>;

/** Most bytes a health figure may name (about 9 PB): anything larger is a device bug. */
const bytes = nonNegativeInt.check(z.maximum(2 ** 53 - 1));

/**
 * Marquee: a device's health, sent when its socket opens and then periodically (the web player:
 * every 5 minutes, and at most every 30 s after an item failed: the error report). The server keeps the latest per device; the admin device view shows it with
 * the time it arrived. Only `app_version`, `uptime_s` and the screen size are required; a device
 * leaves out what it cannot measure.
 */
export const HealthMessage = z
  .object({
    type: z.literal('health'),
    app_version: z.string().check(z.minLength(1), z.maxLength(64)),
    /** Seconds since the player (page or app) started. */
    uptime_s: nonNegativeInt,
    screen_width: positiveInt.check(z.maximum(100_000)),
    screen_height: positiveInt.check(z.maximum(100_000)),
    /** Bytes of storage the player uses (the browser's estimate, or the file system's). */
    storage_used_bytes: z.optional(bytes),
    /** Bytes the player may use in all. */
    storage_quota_bytes: z.optional(bytes),
    /** Bytes of media in the player's cache. */
    cache_bytes: z.optional(bytes),
    /** Files in the player's media cache. */
    cached_files: z.optional(nonNegativeInt),
    /** The WebView or browser, e.g. `Chrome/120.0.6099.224`. */
    webview_version: z.optional(z.string().check(z.maxLength(255))),
    /** Proof-of-play records waiting to be sent. */
    unsent_plays: z.optional(nonNegativeInt),
    /** Items that could not be shown (failed to load, a video that errored or stalled) since start. */
    playback_errors: z.optional(nonNegativeInt),
    /** The latest of those failures, in words. */
    last_error: z.optional(z.string().check(z.maxLength(500))),
    /** Times the player reloaded itself after repeated failures (the web player: this session). */
    self_reloads: z.optional(nonNegativeInt),
    /** Where the device's bridge reports them. */
    memory_used_bytes: z.optional(bytes),
    temperature_c: z.optional(z.number().check(z.minimum(-100), z.maximum(200))),
  })
  .register(z.globalRegistry, { id: 'SignageHealthMessage' });
export type HealthMessage = z.infer<typeof HealthMessage>;

/** Everything a device may send. */
export const ClientMessage = z
  .discriminatedUnion('type', [
    ReadyPlaylistsMessage,
    PlaylistStatusMessage,
    AckMessage,
    HealthMessage,
  ])
  .register(z.globalRegistry, { id: 'SignageClientMessage' });
export type ClientMessage = z.infer<typeof ClientMessage>;
