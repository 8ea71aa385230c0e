/**
 * `GET /api/v1/dashboard/status` and `GET /api/v1/dashboard/status/{service}`: the seed's
 * `ServiceStatus`, `ServiceInfo` and `HealthMetric`, plus the fields its examples show beyond
 * those interfaces (database connections, Redis memory, grouped download clients, the network
 * check's latency) so that no documented field is dropped when a response is parsed.
 */
import * as z from 'zod';
import { isoDateTime, nonNegativeInt, percent } from '../common';

const count = nonNegativeInt;
/** A non-negative quantity that may be fractional (milliseconds, MB). */
const amount = z.number().min(0);

/** A service's reachability: the seed's `ServiceInfo.status`. */
export const ServiceState = z.enum(['up', 'down', 'degraded']);
export type ServiceState = z.infer<typeof ServiceState>;

/**
 * The seed's `HealthMetric.status`, also used for `overall.status`. The seed shows `healthy` for
 * the overall status and gives no other enum for it, so Marquee reuses this one rather than
 * invent a fourth value: overall is the worst of the system checks and services (a `down`
 * service counts as `critical`, a `degraded` one as `warning`).
 */
export const HealthStatus = z.enum(['healthy', 'warning', 'critical']);
export type HealthStatus = z.infer<typeof HealthStatus>;

/**
 * The seed's `ServiceInfo.alerts` names an `Alert` type it never defines; its example shows
 * `{ type: "warning", message, timestamp }`. The levels are Marquee's choice.
 */
export const ServiceAlert = z
  .object({
    type: z.enum(['info', 'warning', 'error', 'critical']),
    message: z.string(),
    timestamp: isoDateTime,
  })
  .meta({ id: 'MediaStackServiceAlert' });
export type ServiceAlert = z.infer<typeof ServiceAlert>;

/** Fields every service entry may carry, in the summary and in the detail alike. */
const serviceInfoFields = {
  status: ServiceState,
  /** Milliseconds the last health check took. */
  responseTime: amount,
  version: z.string().optional(),
  url: z.url().optional(),
  lastCheck: isoDateTime,
  /** Human-readable, e.g. `12d 15h 22m`. */
  uptime: z.string().optional(),
  /** Service-specific counters (sessions, bandwidth, queue sizes ...). */
  stats: z.record(z.string(), z.unknown()).optional(),
  alerts: z.array(ServiceAlert).optional(),
  /** Engine name for the database entry, e.g. `PostgreSQL` or `SQLite`. */
  type: z.string().optional(),
  /** Database connection pool. */
  connections: z.object({ active: count, idle: count, max: count }).optional(),
  /** Cache memory in MB. */
  memory: z.object({ used: amount, peak: amount, limit: amount }).optional(),
  /** Cache keyspace. */
  keyspace: z.object({ keys: count, expires: count }).optional(),
};

/** The seed's `ServiceInfo`: one entry of `services`. `features` maps a feature to on/off. */
export const ServiceInfo = z
  .object({ ...serviceInfoFields, features: z.record(z.string(), z.boolean()).optional() })
  .meta({ id: 'MediaStackServiceInfo' });
export type ServiceInfo = z.infer<typeof ServiceInfo>;

/**
 * Several services of one kind under one key: the seed's example nests `downloadClients` as
 * `{ qbittorrent: ServiceInfo }`.
 */
export const ServiceGroup = z
  .record(z.string(), ServiceInfo)
  .meta({ id: 'MediaStackServiceGroup' });
export type ServiceGroup = z.infer<typeof ServiceGroup>;

/**
 * A value of `services`: a `ServiceInfo`, or a `ServiceGroup` of them. Clients tell them apart
 * by the presence of `status`, which every `ServiceInfo` has and no group has.
 */
export const ServiceEntry = z.union([ServiceInfo, ServiceGroup]);
export type ServiceEntry = z.infer<typeof ServiceEntry>;

export const OverallStatus = z
  .object({
    status: HealthStatus,
    /** Human-readable, e.g. `15d 8h 32m`. */
    uptime: z.string().min(1),
    lastCheck: isoDateTime,
    healthScore: percent,
  })
  .meta({ id: 'MediaStackOverallStatus' });
export type OverallStatus = z.infer<typeof OverallStatus>;

/** The seed's `HealthMetric`: `usage` and `threshold` are percentages. */
export const HealthMetric = z
  .object({
    status: HealthStatus,
    usage: percent,
    threshold: percent,
    message: z.string().optional(),
  })
  .meta({ id: 'MediaStackHealthMetric' });
export type HealthMetric = z.infer<typeof HealthMetric>;

/**
 * The network check. The seed types it as a `HealthMetric`, but its example carries `latency`
 * instead of `usage` (a link has no meaningful usage percentage); Marquee follows the example.
 * `latency` and `threshold` are milliseconds.
 */
export const NetworkHealthMetric = z
  .object({
    status: HealthStatus,
    latency: amount,
    threshold: amount,
    message: z.string().optional(),
  })
  .meta({ id: 'MediaStackNetworkHealthMetric' });
export type NetworkHealthMetric = z.infer<typeof NetworkHealthMetric>;

/** The seed's `SystemHealthCheck`. */
export const SystemHealthCheck = z
  .object({
    disk: HealthMetric,
    memory: HealthMetric,
    cpu: HealthMetric,
    network: NetworkHealthMetric,
  })
  .meta({ id: 'MediaStackSystemHealthCheck' });
export type SystemHealthCheck = z.infer<typeof SystemHealthCheck>;

/** The seed's `ServiceStatus`: `data` of `GET /api/v1/dashboard/status`. */
export const ServiceStatus = z
  .object({
    overall: OverallStatus,
    services: z.record(z.string(), ServiceEntry),
    systemHealth: SystemHealthCheck,
  })
  .meta({ id: 'MediaStackServiceStatus' });
export type ServiceStatus = z.infer<typeof ServiceStatus>;

/** A feature in the detail view: whether it is on, plus feature-specific fields. */
export const ServiceFeature = z
  .object({ enabled: z.boolean() })
  .catchall(z.unknown())
  .meta({ id: 'MediaStackServiceFeature' });
export type ServiceFeature = z.infer<typeof ServiceFeature>;

/** A media server library as the detail view lists it; `type` is Plex's section type. */
export const ServiceLibrary = z
  .object({
    id: z.string().min(1),
    title: z.string(),
    type: z.enum(['movie', 'show', 'artist', 'photo']),
    count,
    /** Bytes. */
    size: count,
    lastScan: isoDateTime,
  })
  .meta({ id: 'MediaStackServiceLibrary' });
export type ServiceLibrary = z.infer<typeof ServiceLibrary>;

/** A playback session on the media server. */
export const ServiceSession = z
  .object({
    sessionKey: z.string().min(1),
    /** The media server's item type: `movie`, `episode`, `track` ... */
    type: z.string(),
    title: z.string(),
    user: z.string(),
    player: z.string(),
    state: z.enum(['playing', 'paused', 'buffering', 'stopped']),
    /** Playback position in milliseconds. */
    progress: count,
    transcoding: z.boolean(),
  })
  .meta({ id: 'MediaStackServiceSession' });
export type ServiceSession = z.infer<typeof ServiceSession>;

export const ServicePerformance = z
  .object({
    /** Milliseconds over the service's recent checks. */
    responseTime: z.object({ min: amount, max: amount, avg: amount, p95: amount }),
    requests: z.object({
      total: count,
      successful: count,
      failed: count,
      successRate: percent,
    }),
  })
  .meta({ id: 'MediaStackServicePerformance' });
export type ServicePerformance = z.infer<typeof ServicePerformance>;

/**
 * `data` of `GET /api/v1/dashboard/status/{service}`: the service's `ServiceInfo` plus detail.
 * The detail blocks are service-specific (a cache has no libraries), hence optional; `features`
 * here maps each feature to an object instead of a boolean.
 */
export const ServiceDetail = z
  .object({
    service: z.string().min(1),
    ...serviceInfoFields,
    /** Service-specific settings, e.g. Plex's `server_name` and `platform`. */
    configuration: z.record(z.string(), z.unknown()).optional(),
    features: z.record(z.string(), ServiceFeature).optional(),
    libraries: z.array(ServiceLibrary).optional(),
    currentActivity: z
      .object({
        sessions: z.array(ServiceSession),
        /** Bits per second. */
        totalBandwidth: count,
        transcodingSessions: count,
      })
      .optional(),
    performance: ServicePerformance.optional(),
  })
  .meta({ id: 'MediaStackServiceDetail' });
export type ServiceDetail = z.infer<typeof ServiceDetail>;

/**
 * Path parameters of the detail route: a key of `services` (`plex`, `database` ...) or a grouped
 * client's own key (`qbittorrent`). Any other name is answered with 404 `INVALID_SERVICE`.
 */
export const ServiceParams = z.object({ service: z.string().min(1).max(100) });
export type ServiceParams = z.infer<typeof ServiceParams>;
