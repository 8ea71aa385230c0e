/**
 * `GET /api/v1/dashboard/status` and `GET /api/v1/dashboard/status/{service}`: the seed's
 * `ServiceStatus`, `ServiceInfo` and `HealthMetric`, plus the fields its examples show beyond
 * those interfaces (database connections, Redis memory, grouped download clients, the network
 * check's latency) so that no documented field is dropped when a response is parsed.
 */
import * as z from 'zod/mini';
import { isoDateTime, nonNegativeInt, percent } from '../primitives';

const count = nonNegativeInt;
/** A non-negative quantity that may be fractional (milliseconds, MB). */
const amount = z.number().check(z.minimum(0));

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
  .register(z.globalRegistry, { id: 'MediaStackServiceAlert' });
export type ServiceAlert = z.infer<typeof ServiceAlert>;

/** Fields every service entry may carry, in the summary and in the detail alike. */
const serviceInfoFields = {
  status: ServiceState,
  /** Milliseconds the last health check took. */
  responseTime: amount,
  version: z.optional(z.string()),
  url: z.optional(z.url()),
  lastCheck: isoDateTime,
  /** Human-readable, e.g. `12d 15h 22m`. */
  uptime: z.optional(z.string()),
  /** Service-specific counters (sessions, bandwidth, queue sizes ...). */
  stats: z.optional(z.record(z.string(), z.unknown())),
  alerts: z.optional(z.array(ServiceAlert)),
  /** Engine name for the database entry, e.g. `PostgreSQL` or `SQLite`. */
  type: z.optional(z.string()),
  /** Database connection pool. */
  connections: z.optional(z.object({ active: count, idle: count, max: count })),
  /** Cache memory in MB. */
  memory: z.optional(z.object({ used: amount, peak: amount, limit: amount })),
  /** Cache keyspace. */
  keyspace: z.optional(z.object({ keys: count, expires: count })),
};

/** The seed's `ServiceInfo`: one entry of `services`. `features` maps a feature to on/off. */
export const ServiceInfo = z
  .object({ ...serviceInfoFields, features: z.optional(z.record(z.string(), z.boolean())) })
  .register(z.globalRegistry, { id: 'MediaStackServiceInfo' });
export type ServiceInfo = z.infer<typeof ServiceInfo>;

/**
 * Several services of one kind under one key: the seed's example nests `downloadClients` as
 * `{ qbittorrent: ServiceInfo }`.
 */
export const ServiceGroup = z
  .record(z.string(), ServiceInfo)
  .register(z.globalRegistry, { id: 'MediaStackServiceGroup' });
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
    uptime: z.string().check(z.minLength(1)),
    lastCheck: isoDateTime,
    healthScore: percent,
  })
  .register(z.globalRegistry, { id: 'MediaStackOverallStatus' });
export type OverallStatus = z.infer<typeof OverallStatus>;

/** The seed's `HealthMetric`: `usage` and `threshold` are percentages. */
export const HealthMetric = z
  .object({
    status: HealthStatus,
    usage: percent,
    threshold: percent,
    message: z.optional(z.string()),
  })
  .register(z.globalRegistry, { id: 'MediaStackHealthMetric' });
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
    message: z.optional(z.string()),
  })
  .register(z.globalRegistry, { id: 'MediaStackNetworkHealthMetric' });
export type NetworkHealthMetric = z.infer<typeof NetworkHealthMetric>;

/** The seed's `SystemHealthCheck`. */
export const SystemHealthCheck = z
  .object({
    disk: HealthMetric,
    memory: HealthMetric,
    cpu: HealthMetric,
    network: NetworkHealthMetric,
  })
  .register(z.globalRegistry, { id: 'MediaStackSystemHealthCheck' });
export type SystemHealthCheck = z.infer<typeof SystemHealthCheck>;

/** The seed's `ServiceStatus`: `data` of `GET /api/v1/dashboard/status`. */
export const ServiceStatus = z
  .object({
    overall: OverallStatus,
    services: z.record(z.string(), ServiceEntry),
    systemHealth: SystemHealthCheck,
  })
  .register(z.globalRegistry, { id: 'MediaStackServiceStatus' });
export type ServiceStatus = z.infer<typeof ServiceStatus>;

/** A feature in the detail view: whether it is on, plus feature-specific fields. */
export const ServiceFeature = z
  .catchall(z.object({ enabled: z.boolean() }), z.unknown())
  .register(z.globalRegistry, { id: 'MediaStackServiceFeature' });
export type ServiceFeature = z.infer<typeof ServiceFeature>;

/** A media server library as the detail view lists it; `type` is Plex's section type. */
export const ServiceLibrary = z
  .object({
    id: z.string().check(z.minLength(1)),
    title: z.string(),
    type: z.enum(['movie', 'show', 'artist', 'photo']),
    count,
    /** Bytes. */
    size: count,
    lastScan: isoDateTime,
  })
  .register(z.globalRegistry, { id: 'MediaStackServiceLibrary' });
export type ServiceLibrary = z.infer<typeof ServiceLibrary>;

/** A playback session on the media server. */
export const ServiceSession = z
  .object({
    sessionKey: z.string().check(z.minLength(1)),
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
  .register(z.globalRegistry, { id: 'MediaStackServiceSession' });
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
  .register(z.globalRegistry, { id: 'MediaStackServicePerformance' });
export type ServicePerformance = z.infer<typeof ServicePerformance>;

/**
 * `data` of `GET /api/v1/dashboard/status/{service}`: the service's `ServiceInfo` plus detail.
 * The detail blocks are service-specific (a cache has no libraries), hence optional; `features`
 * here maps each feature to an object instead of a boolean.
 */
export const ServiceDetail = z
  .object({
    service: z.string().check(z.minLength(1)),
    ...serviceInfoFields,
    /** Service-specific settings, e.g. Plex's `server_name` and `platform`. */
    configuration: z.optional(z.record(z.string(), z.unknown())),
    features: z.optional(z.record(z.string(), ServiceFeature)),
    libraries: z.optional(z.array(ServiceLibrary)),
    currentActivity: z.optional(
      z.object({
        sessions: z.array(ServiceSession),
        /** Bits per second. */
        totalBandwidth: count,
        transcodingSessions: count,
      }),
    ),
    performance: z.optional(ServicePerformance),
  })
  .register(z.globalRegistry, { id: 'MediaStackServiceDetail' });
export type ServiceDetail = z.infer<typeof ServiceDetail>;

/**
 * Path parameters of the detail route: a key of `services` (`plex`, `database` ...) or a grouped
 * client's own key (`qbittorrent`). Any other name is answered with 404 `INVALID_SERVICE`.
 */
export const ServiceParams = z.object({
  service: z.string().check(z.minLength(1), z.maxLength(100)),
});
export type ServiceParams = z.infer<typeof ServiceParams>;
