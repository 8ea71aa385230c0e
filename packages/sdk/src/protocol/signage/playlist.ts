/**
 * What `GET /admin/cloud/playlists?sn_number=` returns: up to four screens per device, each
 * with its playlists (the seed's `DeviceScreens`, `ScreenConfig`, `PlaylistModel`).
 */
import * as z from 'zod/mini';
import { hexColor, isoDateTime, nonNegativeInt, positiveInt } from '../primitives';
import { MediaItem } from './media';

/** How a playlist repeats once its last item has played. */
export const PlaybackConfig = z
  .object({
    repeat: z.boolean(),
    /** Number of repeats; -1 means repeat forever. */
    repeat_count: z.number().check(z.int(), z.minimum(-1)),
    /** Colour behind items that do not cover the canvas. */
    background_color: hexColor,
  })
  .register(z.globalRegistry, { id: 'SignagePlaybackConfig' });
export type PlaybackConfig = z.infer<typeof PlaybackConfig>;

/** A day of the week, as a schedule window names it. */
export const ScheduleDay = z
  .enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])
  .register(z.globalRegistry, { id: 'SignageScheduleDay' });
export type ScheduleDay = z.infer<typeof ScheduleDay>;

/** `HH:MM` on a 24-hour clock, `00:00` to `23:59`. */
const clockTime = z
  .string()
  .check(z.regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'Expected a time HH:MM from 00:00 to 23:59'));

/** `HH:MM` from `00:01` to `24:00` (`24:00`: the end of the day). */
const clockEnd = z
  .string()
  .check(
    z.regex(/^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/, 'Expected a time HH:MM from 00:00 to 24:00'),
  );

/**
 * One window of a day-parted playlist, in the device's own time zone: it opens at `start` on each
 * of `days` and closes at `end`. An `end` at or before `start` closes on the next day (a window
 * that passes midnight: `fri 22:00–02:00` plays Friday night into Saturday morning). `24:00`
 * closes at midnight. On a daylight-saving change the device's wall clock decides: a time the
 * clock skips never comes, a time it repeats counts both times.
 */
export const ScheduleWindow = z
  .object({
    days: z.array(ScheduleDay).check(z.minLength(1), z.maxLength(7)),
    /** Opens at this local time. */
    start: clockTime,
    /** Closes at this local time; at or before `start`, on the next day. */
    end: clockEnd,
  })
  .check(
    z.refine((window) => window.start !== window.end, {
      path: ['end'],
      message: 'end must differ from start (a whole day is 00:00 to 24:00)',
    }),
    z.refine((window) => new Set(window.days).size === window.days.length, {
      path: ['days'],
      message: 'days must not repeat a day',
    }),
  )
  .register(z.globalRegistry, { id: 'SignageScheduleWindow' });
export type ScheduleWindow = z.infer<typeof ScheduleWindow>;

/**
 * Day-parting: the windows in which a playlist plays. A device plays a scheduled playlist of a
 * screen while one of its windows is open, and an unscheduled one (`null`) otherwise.
 */
export const PlaylistSchedule = z
  .array(ScheduleWindow)
  .check(z.minLength(1), z.maxLength(50))
  .register(z.globalRegistry, { id: 'SignagePlaylistSchedule' });
export type PlaylistSchedule = z.infer<typeof PlaylistSchedule>;

/**
 * The server's view of a playlist's readiness on this device, built from the device's last
 * `playlist_status` / `ready_playlists` reports.
 */
export const PlaylistStatus = z
  .object({
    is_ready: z.boolean(),
    all_downloaded: z.boolean(),
    /** File names the device reported missing. */
    missing_files: z.array(z.string()),
    /** ISO 8601 time of the last verification. */
    last_verified: isoDateTime,
  })
  .register(z.globalRegistry, { id: 'SignagePlaylistStatus' });
export type PlaylistStatus = z.infer<typeof PlaylistStatus>;

/** The fields a device's and the admin API's view of a playlist share. */
export const playlistFields = {
  id: positiveInt,
  name: z.string(),
  /** Canvas size in pixels; media layouts are placed on it. */
  width: positiveInt,
  height: positiveInt,
  /** Total duration in seconds. */
  duration: nonNegativeInt,
  media_items: z.array(MediaItem),
  playback_config: PlaybackConfig,
  /**
   * When the playlist plays (day-parting); `null`: whenever it is the screen's playlist. Marquee
   * always sends it; absent (older servers) reads as `null`.
   */
  schedule: z.optional(z.nullable(PlaylistSchedule)),
};

/** One playlist (the seed's `PlaylistModel`). */
export const Playlist = z
  .object({ ...playlistFields, status: PlaylistStatus })
  .register(z.globalRegistry, { id: 'SignagePlaylist' });
export type Playlist = z.infer<typeof Playlist>;

/** One physical screen of a device and the playlists assigned to it. */
export const ScreenConfig = z
  .object({
    screen_id: positiveInt,
    screen_name: z.string(),
    /** e.g. `1920x1080`. */
    resolution: z.string(),
    /**
     * The active playlist's id. The seed marks it optional; Marquee sends `null` when no
     * playlist is active, and the schema accepts an absent field too so either reading parses.
     */
    current_playlist: z.optional(z.nullable(positiveInt)),
    playlists: z.array(Playlist),
  })
  .register(z.globalRegistry, { id: 'SignageScreenConfig' });
export type ScreenConfig = z.infer<typeof ScreenConfig>;

/**
 * The playlists response. The seed calls each screen "optional" and shows unused ones as
 * `null`; Marquee always sends all four keys, `null` where the device has no such screen, so
 * clients can rely on the key being present.
 */
export const DeviceScreens = z
  .object({
    sn_number: z.string().check(z.minLength(1)),
    front_screen: z.nullable(ScreenConfig),
    back_screen: z.nullable(ScreenConfig),
    right_screen: z.nullable(ScreenConfig),
    left_screen: z.nullable(ScreenConfig),
  })
  .register(z.globalRegistry, { id: 'SignageDeviceScreens' });
export type DeviceScreens = z.infer<typeof DeviceScreens>;

/** `?sn_number=` of the playlists route. */
export const PlaylistsQuery = z.object({
  sn_number: z.string().check(z.minLength(1), z.maxLength(255)),
});
export type PlaylistsQuery = z.infer<typeof PlaylistsQuery>;
