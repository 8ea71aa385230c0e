/**
 * The signage repository group of the Store (seed 002): devices, media, playlists, screens,
 * device reports, commands and screenshots. JSON-shaped values that the protocol defines
 * (registration info, layout, timing, effects, playback config, actions) are kept in the
 * protocol's own types; the rest follows the store's camelCase record style.
 */
import type { protocol } from '@marquee/sdk';

type DeviceModel = protocol.signage.DeviceModel;
type ScreenPosition = protocol.signage.ScreenPosition;
type CommandState = protocol.signage.CommandState;

export interface SignageDeviceRecord {
  readonly snNumber: string;
  /** What the device sent at its last registration. */
  readonly info: DeviceModel;
  /** The user that claimed the device by registering it; null when only admins registered it. */
  readonly ownerUserId: number | null;
  readonly ownerUsername: string | null;
  /** What an operator named the screen when pairing it (`signage_device_accounts`). */
  readonly name: string | null;
  readonly registeredAt: string;
  readonly updatedAt: string;
  readonly lastSeenAt: string | null;
  /** Set when the device acknowledges a `switch_playlist`. */
  readonly currentPlaylistId: number | null;
  readonly readyPlaylists: readonly number[];
  readonly readyPlaylistsAt: string | null;
  /** The latest `health` message (without its `type`) and when it arrived. */
  readonly health: { readonly report: DeviceHealthReport; readonly at: string } | null;
}

/** What a device's `health` message carries. */
export type DeviceHealthReport = Omit<protocol.signage.HealthMessage, 'type'>;

/** Which devices a list or count covers; every part is optional and they combine (AND). */
export interface SignageDeviceFilter {
  /** A case-insensitive substring (ASCII letters fold) of `sn_number`, `brand`, `model`, name. */
  readonly search?: string;
  /** Only devices among these (the ones online, say). */
  readonly among?: readonly string[];
  /** No device among these. */
  readonly except?: readonly string[];
}

/** One page of a list. */
export interface SignagePage {
  /** @default no limit */
  readonly limit?: number;
  /** @default 0 */
  readonly offset?: number;
}

/** What deleting a device left for the caller to clean up outside the store. */
export interface SignageDeviceRemoval {
  /** Its screenshots' paths (relative to the screenshots directory); the rows are gone. */
  readonly screenshotPaths: readonly string[];
}

export interface SignageDevicesRepository {
  /**
   * Creates or updates the device keyed by `info.sn_number`. `claimBy` becomes the owner when the
   * device has none yet; an existing owner is kept.
   */
  upsert(
    info: DeviceModel,
    claimBy: number | null,
    at: string,
  ): Promise<{ device: SignageDeviceRecord; created: boolean }>;
  find(snNumber: string): Promise<SignageDeviceRecord | undefined>;
  /** The devices `filter` covers, ordered by sn_number, `page` of them. */
  list(filter?: SignageDeviceFilter, page?: SignagePage): Promise<SignageDeviceRecord[]>;
  /** How many devices `filter` covers. */
  count(filter?: SignageDeviceFilter): Promise<number>;
  /**
   * Deletes the device with its screens, reports, commands and screenshot rows, in one
   * transaction; the user that owns it stays. Undefined when there was no such device.
   */
  delete(snNumber: string): Promise<SignageDeviceRemoval | undefined>;
  touch(snNumber: string, at: string): Promise<void>;
  /** Hands the device to another account (pairing a replacement screen). */
  setOwner(snNumber: string, userId: number): Promise<void>;
  setReadyPlaylists(snNumber: string, playlistIds: readonly number[], at: string): Promise<void>;
  /** Keeps the device's latest health report. */
  setHealth(snNumber: string, report: DeviceHealthReport, at: string): Promise<void>;
  setCurrentPlaylist(snNumber: string, playlistId: number | null): Promise<void>;
  /** Stores a level the device confirmed (an acked `set_brightness` / `set_volume`). */
  setLevel(
    snNumber: string,
    level: 'brightness' | 'volume',
    value: number,
    at: string,
  ): Promise<void>;
}

export interface SignageMediaRecord {
  readonly id: number;
  readonly mediaName: string;
  readonly mediaType: 'image' | 'video';
  readonly mimetype: string;
  readonly fileSize: number;
  /** MD5, lowercase hex. */
  readonly checksum: string;
  /** Relative to the media directory, `/`-separated; the URL is `/media/<path>`. */
  readonly path: string;
  readonly createdAt: string;
}

export interface SignageMediaRepository {
  /**
   * Inserts the record; `pathFor` names its file from the new id. `place`, when given, is called
   * with that path inside the same transaction, before the commit (it moves the finished file
   * into place): when it throws, no row is stored; when the commit fails, the caller removes the
   * file. So a committed row always has its file.
   */
  create(
    media: Omit<SignageMediaRecord, 'id' | 'path'>,
    pathFor: (id: number) => string,
    place?: (path: string) => void,
  ): Promise<SignageMediaRecord>;
  find(id: number): Promise<SignageMediaRecord | undefined>;
  findByPath(path: string): Promise<SignageMediaRecord | undefined>;
  /** Newest first. */
  list(): Promise<SignageMediaRecord[]>;
  /** Ids of the playlists with an item using this media, ascending. */
  usedBy(id: number): Promise<number[]>;
  /** Whether a playlist on a screen of a device that `ownerUserId` owns uses this media. */
  reachableBy(id: number, ownerUserId: number): Promise<boolean>;
  /** Throws CONFLICT while a playlist uses it; false when it did not exist. */
  delete(id: number): Promise<boolean>;
}

/** One playlist item as stored, with its media joined in. */
export interface SignagePlaylistItemRecord {
  readonly media: SignageMediaRecord;
  readonly order: number;
  readonly layout: protocol.signage.MediaItem['layout'];
  readonly timing: protocol.signage.MediaItem['timing'];
  readonly effects: protocol.signage.MediaItem['effects'];
  readonly nTimePlay: number;
}

export interface SignagePlaylistWrite {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly playbackConfig: protocol.signage.PlaybackConfig;
  /** Day-parting windows; null: always. */
  readonly schedule: protocol.signage.PlaylistSchedule | null;
  /** In play order (already sorted by the caller). */
  readonly items: ReadonlyArray<Omit<SignagePlaylistItemRecord, 'media'> & { mediaId: number }>;
}

export interface SignagePlaylistRecord {
  readonly id: number;
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly playbackConfig: protocol.signage.PlaybackConfig;
  readonly schedule: protocol.signage.PlaylistSchedule | null;
  readonly items: readonly SignagePlaylistItemRecord[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface SignagePlaylistsRepository {
  /** Throws NOT_FOUND naming the media when an item's media does not exist. */
  create(playlist: SignagePlaylistWrite, at: string): Promise<SignagePlaylistRecord>;
  /** Replaces name, size, config and items; undefined when the playlist does not exist. */
  update(
    id: number,
    playlist: SignagePlaylistWrite,
    at: string,
  ): Promise<SignagePlaylistRecord | undefined>;
  delete(id: number): Promise<boolean>;
  find(id: number): Promise<SignagePlaylistRecord | undefined>;
  /** The playlists with these ids (missing ones are left out). */
  findMany(ids: readonly number[]): Promise<SignagePlaylistRecord[]>;
  /** Ascending id. */
  list(): Promise<SignagePlaylistRecord[]>;
}

export interface SignageScreenRecord {
  readonly id: number;
  readonly snNumber: string;
  readonly position: ScreenPosition;
  readonly screenName: string;
  readonly resolution: string;
  readonly playlistIds: readonly number[];
  readonly currentPlaylistId: number | null;
  readonly updatedAt: string;
}

export interface SignageScreensRepository {
  /** Creates or replaces the screen at `position` (its `screen_id` is kept on replace). */
  put(
    screen: Omit<SignageScreenRecord, 'id' | 'updatedAt'>,
    at: string,
  ): Promise<SignageScreenRecord>;
  delete(snNumber: string, position: ScreenPosition): Promise<boolean>;
  listForDevice(snNumber: string): Promise<SignageScreenRecord[]>;
  /** Devices with a screen carrying the playlist, ascending. */
  devicesWithPlaylist(playlistId: number): Promise<string[]>;
}

/** A device's latest `playlist_status` for one playlist. */
export interface SignageReportRecord {
  readonly snNumber: string;
  readonly playlistId: number;
  readonly status: protocol.signage.PlaylistStatusValue;
  readonly totalItems: number | null;
  readonly downloadedItems: number | null;
  readonly missingFiles: readonly string[];
  readonly error: string | null;
  readonly reportedAt: string;
}

export interface SignageReportsRepository {
  /** Replaces the device's report for that playlist. */
  put(report: SignageReportRecord): Promise<void>;
  /** Ascending playlist id. */
  listForDevice(snNumber: string): Promise<SignageReportRecord[]>;
}

export interface SignageCommandRecord {
  readonly id: string;
  readonly snNumber: string;
  /** The message as delivered, `command_id` included. */
  readonly command: protocol.signage.ServerAction;
  readonly state: CommandState;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly sentAt: string | null;
  readonly ackedAt: string | null;
  readonly error: string | null;
}

export interface SignageCommandsRepository {
  /**
   * Inserts all in one transaction, in array order (which is delivery order per device). With
   * `maxQueuedPerDevice`, a command whose device would then hold more `queued` commands than
   * that is left out (the count and the inserts are one transaction, so concurrent calls cannot
   * overshoot); the answer holds the inserted ones only.
   */
  createMany(
    commands: ReadonlyArray<
      Pick<SignageCommandRecord, 'id' | 'snNumber' | 'command' | 'createdAt' | 'expiresAt'>
    >,
    maxQueuedPerDevice?: number,
  ): Promise<SignageCommandRecord[]>;
  find(id: string): Promise<SignageCommandRecord | undefined>;
  /** Newest first. */
  listForDevice(
    snNumber: string,
    filter: { state?: CommandState; limit: number },
  ): Promise<SignageCommandRecord[]>;
  /** Queued commands of the device in delivery (creation) order. */
  queued(snNumber: string): Promise<SignageCommandRecord[]>;
  /** How many commands are in each state, over all devices (states with none are left out). */
  countByState(): Promise<Map<CommandState, number>>;
  /** Queued commands per device, for these devices in one query; a device with none is left out. */
  countQueuedFor(snNumbers: readonly string[]): Promise<Map<string, number>>;
  /** Queued and sent (not yet acknowledged) commands of the device in delivery order. */
  unsettled(snNumber: string): Promise<SignageCommandRecord[]>;
  /** queued → sent; false when it was no longer queued. */
  markSent(id: string, at: string): Promise<boolean>;
  /** A `sent` command written again (re-delivery): records the time; false when not `sent`. */
  markResent(id: string, at: string): Promise<boolean>;
  /** sent → queued again (the socket refused the write); false when it was not `sent`. */
  requeue(id: string): Promise<boolean>;
  /** sent → acked (ok), failed or expired; undefined when the command is unknown or not `sent`. */
  settle(
    id: string,
    /** `expired`: the device received it after its `expires_at` and did not apply it. */
    outcome: { ok: boolean; expired?: boolean; error: string | null },
    at: string,
  ): Promise<SignageCommandRecord | undefined>;
  /** Every queued command with `expiresAt <= at` becomes expired; returns how many. */
  expireDue(at: string): Promise<number>;
  /**
   * Applies `changes` in array order in ONE transaction and answers one result per change, in
   * the same order. All or nothing: when any statement fails the transaction is rolled back, no
   * change is applied and the promise rejects (the caller retries or reports; none is half
   * done). A change whose guard does not hold (the command is no longer in the state it expects,
   * the device is gone) is not an error: it answers `changed: false` and the others still apply.
   * Each change means exactly what the single-row method of the same name means:
   *
   * - `sent`: queued → sent, `sent_at = at` ({@link markSent}).
   * - `resent`: a `sent` command written again: `sent_at = at` ({@link markResent}).
   * - `requeue`: sent → queued, `sent_at = NULL` ({@link requeue}).
   * - `settle`: sent → acked / failed / expired, only when the command belongs to `snNumber`
   *   ({@link settle}); `command` is the settled record when `changed`.
   * - `touch`: the device's `last_seen_at = at` (`devices.touch`).
   * - `readyPlaylists`: the device's ready playlists and their time (`devices.setReadyPlaylists`).
   *
   * The signage surface's write-behind batcher (`write-batcher.ts`) calls this once per tick
   * with every state change its callers submitted meanwhile, instead of one transaction each.
   * The commit must be durable against a crash of the process when the promise resolves (the
   * SQLite store: WAL with `synchronous = NORMAL`); callers tell a device or an admin of a change
   * only after that.
   */
  applyStateChanges(changes: readonly SignageStateChange[]): Promise<SignageStateChangeResult[]>;
}

/** One write of {@link SignageCommandsRepository.applyStateChanges}. */
export type SignageStateChange =
  | { readonly kind: 'sent'; readonly id: string; readonly at: string }
  | { readonly kind: 'resent'; readonly id: string; readonly at: string }
  | { readonly kind: 'requeue'; readonly id: string }
  | {
      readonly kind: 'settle';
      readonly id: string;
      readonly snNumber: string;
      readonly outcome: { ok: boolean; expired?: boolean; error: string | null };
      readonly at: string;
    }
  | { readonly kind: 'touch'; readonly snNumber: string; readonly at: string }
  | {
      readonly kind: 'readyPlaylists';
      readonly snNumber: string;
      readonly playlistIds: readonly number[];
      readonly at: string;
    };

/** What one {@link SignageStateChange} did. */
export interface SignageStateChangeResult {
  /** The guarded update hit its row. */
  readonly changed: boolean;
  /** `settle` only: the command as settled, when `changed`. */
  readonly command?: SignageCommandRecord;
}

export interface SignageScreenshotRecord {
  readonly id: number;
  readonly snNumber: string;
  readonly mediaId: number;
  /** Relative to the screenshots directory. */
  readonly path: string;
  readonly fileSize: number;
  readonly createdAt: string;
}

export interface SignageScreenshotsRepository {
  create(screenshot: Omit<SignageScreenshotRecord, 'id'>): Promise<SignageScreenshotRecord>;
  find(id: number): Promise<SignageScreenshotRecord | undefined>;
  /** Newest first. */
  listForDevice(snNumber: string, limit: number): Promise<SignageScreenshotRecord[]>;
  /**
   * Deletes the device's screenshot rows older than its newest `keep`; answers the deleted
   * rows' paths so the caller removes their files.
   */
  pruneForDevice(snNumber: string, keep: number): Promise<string[]>;
  /**
   * Deletes up to `limit` of the oldest screenshots of all devices, never a device's newest;
   * answers what was deleted so the caller removes the files (giving disk back when it runs low).
   */
  pruneOldest(limit: number): Promise<{ readonly path: string; readonly fileSize: number }[]>;
  /** Every screenshot's id, path and size (the start-up sweep compares them with the files). */
  listPaths(): Promise<{ readonly id: number; readonly path: string; readonly fileSize: number }[]>;
  /** Deletes the rows with these ids; answers how many there were. */
  deleteIds(ids: readonly number[]): Promise<number>;
}

/** One stored play (proof of play); times are UTC ISO strings. */
export interface SignagePlayRecord {
  readonly snNumber: string;
  /** The id the device generated; unique per device. */
  readonly playId: string;
  readonly playlistId: number;
  readonly mediaId: number;
  readonly zone: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationMs: number;
  readonly completed: boolean;
  readonly receivedAt: string;
}

/** Where a keyset page of plays ends (`listAfter`). */
export interface SignagePlayCursor {
  readonly startedAt: string;
  readonly seq: number;
}

/** Which plays a list, count or export covers; the parts combine (AND). */
export interface SignagePlayFilter {
  readonly snNumber?: string;
  /** `started_at` at or after (UTC ISO). */
  readonly from?: string;
  /** `started_at` before (UTC ISO). */
  readonly to?: string;
  readonly mediaId?: number;
  readonly playlistId?: number;
}

export interface SignagePlaysRepository {
  /**
   * Stores the plays that are new for their device (one transaction); answers how many were new.
   * A (device, play id) already stored is left as it is.
   */
  insert(plays: readonly SignagePlayRecord[]): Promise<number>;
  /** Plays `filter` covers, by `started_at` then arrival, `page` of them. */
  list(filter: SignagePlayFilter, page: SignagePage): Promise<SignagePlayRecord[]>;
  count(filter: SignagePlayFilter): Promise<number>;
  /**
   * Up to `limit` plays `filter` covers after `cursor` (in the order of `list`), and the cursor
   * of the last one: keyset paging, so reading a long export costs the same for every chunk.
   */
  listAfter(
    filter: SignagePlayFilter,
    cursor: SignagePlayCursor | undefined,
    limit: number,
  ): Promise<{ plays: SignagePlayRecord[]; next: SignagePlayCursor | undefined }>;
  /**
   * Deletes plays that started before `startedBefore` and, beyond the newest `keepRows` received,
   * the oldest received; answers how many rows went.
   */
  prune(startedBefore: string, keepRows: number): Promise<number>;
  /**
   * Deletes `snNumber`'s plays beyond its newest `keepRows` by start (then arrival), so one
   * device's flood removes only its own plays; answers how many rows went.
   */
  pruneDevice(snNumber: string, keepRows: number): Promise<number>;
}

/** Everything the signage surface keeps. */
/** A pairing request: a code on a screen, waiting for an operator, then for the screen's poll. */
export interface SignagePairingRecord {
  readonly id: string;
  /** Without the dash (`ABCDEF23`). */
  readonly code: string;
  /** SHA-256 of the poll secret, hex. */
  readonly secretHash: string;
  readonly snHint: string | null;
  readonly hint: string | null;
  readonly ip: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** Set once an operator approved it: the device account and serial the screen receives. */
  readonly approval: { readonly userId: number; readonly snNumber: string } | null;
}

export interface SignagePairingsRepository {
  /** CONFLICT when the code is taken (the caller draws another). */
  create(record: Omit<SignagePairingRecord, 'approval'>): Promise<void>;
  findById(id: string): Promise<SignagePairingRecord | undefined>;
  /** A pairing not yet approved and not expired at `at`. */
  findPending(code: string, at: string): Promise<SignagePairingRecord | undefined>;
  /** Not yet approved, not expired, oldest first. */
  listPending(at: string): Promise<SignagePairingRecord[]>;
  countPending(at: string): Promise<number>;
  approve(id: string, approval: { userId: number; snNumber: string }): Promise<void>;
  /** False when there was none. */
  delete(id: string): Promise<boolean>;
  deleteExpired(at: string): Promise<number>;
}

/** The account a paired serial signs in with, and what the operator named the screen. */
export interface SignageDeviceAccountRecord {
  readonly userId: number;
  readonly snNumber: string;
  readonly name: string;
  readonly pairedAt: string;
}

export interface SignageDeviceAccountsRepository {
  findBySerial(snNumber: string): Promise<SignageDeviceAccountRecord | undefined>;
  findByUser(userId: number): Promise<SignageDeviceAccountRecord | undefined>;
  /** Binds `userId` to the serial (replacing the serial's binding and the user's own). */
  bind(record: SignageDeviceAccountRecord): Promise<void>;
}

export interface SignageRepositories {
  readonly pairings: SignagePairingsRepository;
  readonly deviceAccounts: SignageDeviceAccountsRepository;
  readonly devices: SignageDevicesRepository;
  readonly media: SignageMediaRepository;
  readonly playlists: SignagePlaylistsRepository;
  readonly screens: SignageScreensRepository;
  readonly reports: SignageReportsRepository;
  readonly commands: SignageCommandsRepository;
  readonly screenshots: SignageScreenshotsRepository;
  readonly plays: SignagePlaysRepository;
}
