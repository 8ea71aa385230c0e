/**
 * What a Now Playing panel receives (seed 000): the snapshot of active sessions and system
 * statistics pushed over `WS /api/dashboard/ws`, and the `GET /api/dashboard/stats` body. Field
 * names, units and enums are the seed's.
 */
import * as z from 'zod/mini';
import { nonNegativeInt, percent, unixSeconds } from '../primitives';

/** A number >= 0 (positions, durations, sizes and rates). */
const nonNegative = () => z.number().check(z.minimum(0));

/** `playing`, `paused`, `stopped` (removed soon) and `buffering`. */
export const SessionState = z.enum(['playing', 'paused', 'stopped', 'buffering']);
export type SessionState = z.infer<typeof SessionState>;

/** Where an upstream session comes from (Marquee extension). */
export const SessionSource = z.enum(['plex', 'jellyfin']);
export type SessionSource = z.infer<typeof SessionSource>;

/** One active playback session as the snapshot carries it. */
export const Session = z.object({
  session_id: z.string().check(z.minLength(1)),
  user_id: z.int(),
  username: z.string(),
  avatar_url: z.nullable(z.string()),
  /** `movie`, `episode`, `music`, ... as the player reports it. */
  media_type: z.string(),
  title: z.string(),
  poster_url: z.nullable(z.string()),
  poster_thumb: z.nullable(z.string()),
  progress_percent: percent,
  /** Playback position in seconds. */
  current_time: nonNegative(),
  /** Length in seconds (0 when unknown). */
  duration: nonNegative(),
  state: SessionState,
  /** Bits per second, when known. */
  bitrate: z.nullable(nonNegativeInt),
  /** Unix seconds of the last update from the player. */
  last_update: unixSeconds,
  /**
   * Marquee extension: Unix milliseconds at which `current_time` was true. With `state` it lets
   * a panel draw smooth progress between updates: position = current_time + (now − position_at_ms)
   * / 1000 while playing. Absent in seed-only servers.
   */
  position_at_ms: z.optional(nonNegative()),
  /**
   * Marquee extension: the media server a session was read from (`plex`, `jellyfin`; polled
   * through the server's shared upstream poller). Absent for sessions a player POSTs to
   * `/api/dashboard/session/update`.
   */
  source: z.optional(SessionSource),
});
export type Session = z.infer<typeof Session>;

const systemFields = {
  cpu_percent: percent,
  /** Degrees Celsius; null where the machine has no readable sensor. */
  cpu_temp: z.nullable(z.number()),
  ram_percent: percent,
  ram_used_mb: nonNegative(),
  ram_total_mb: nonNegative(),
  disk_percent: percent,
  /**
   * Receive rate in bits per second. The seed says "bits per second" while its formula divides
   * a byte delta; Marquee reports true bits per second (bytes × 8).
   */
  network_down_bps: nonNegative(),
  /** Send rate in bits per second (see network_down_bps). */
  network_up_bps: nonNegative(),
  uptime_seconds: nonNegative(),
  /** One-minute load average. */
  load_avg: nonNegative(),
  /** Distinct users with an active session. */
  active_users: nonNegativeInt,
};

/** System statistics inside the snapshot. */
export const SystemStats = z.object({
  ...systemFields,
  disk_used_gb: nonNegative(),
  disk_total_gb: nonNegative(),
});
export type SystemStats = z.infer<typeof SystemStats>;

/** `GET /api/dashboard/stats`: the system block; disk sizes are optional extras here. */
export const StatsResponse = z.object({
  ...systemFields,
  disk_used_gb: z.optional(nonNegative()),
  disk_total_gb: z.optional(nonNegative()),
});
export type StatsResponse = z.infer<typeof StatsResponse>;

/** The WebSocket message and the `now-playing` REST response. */
export const Snapshot = z.object({
  sessions: z.array(Session),
  system: SystemStats,
  /** Unix seconds when the snapshot was taken. */
  timestamp: unixSeconds,
});
export type Snapshot = z.infer<typeof Snapshot>;
