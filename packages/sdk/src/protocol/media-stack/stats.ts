/**
 * `GET /api/v1/dashboard/stats` and the `stats_update` WebSocket message: the seed's
 * `DashboardStats`. The seed gives TypeScript interfaces for the first blocks only; the rest
 * (`systemResources`, `requestStats`, `downloadActivity`, `performance`) is modelled from its
 * example, field for field. Sizes and speeds that the seed shows as strings ("45.8 TB",
 * "45.2 MB/s") stay human-readable strings: clients display them as they come.
 */
import * as z from 'zod/mini';
import { isoDateTime, nonNegativeInt, percent, positiveInt } from '../primitives';

const count = nonNegativeInt;
/** A non-negative quantity that may be fractional (GB, TB, milliseconds, rates). */
const amount = z.number().check(z.minimum(0));

/** The seed's `SystemOverview`. */
export const SystemOverview = z
  .object({
    totalUsers: count,
    activeUsers: count,
    totalRequests: count,
    pendingRequests: count,
    processingRequests: count,
    completedToday: count,
    /** Human-readable, e.g. `15d 8h 32m`. */
    systemUptime: z.string().check(z.minLength(1)),
    lastUpdate: isoDateTime,
  })
  .register(z.globalRegistry, { id: 'MediaStackSystemOverview' });
export type SystemOverview = z.infer<typeof SystemOverview>;

/** The seed's `LibraryInfo`: `type` is `movie` or `tv` here (Plex's `show` maps to `tv`). */
export const LibraryInfo = z
  .object({
    id: z.string().check(z.minLength(1)),
    name: z.string(),
    type: z.enum(['movie', 'tv']),
    count,
    /** Human-readable, e.g. `18.2 TB`. */
    size: z.string(),
  })
  .register(z.globalRegistry, { id: 'MediaStackLibraryInfo' });
export type LibraryInfo = z.infer<typeof LibraryInfo>;

/** The seed's `MediaLibraryStats`. */
export const MediaLibraryStats = z
  .object({
    totalMovies: count,
    totalTvShows: count,
    totalEpisodes: count,
    /** Human-readable, e.g. `45.8 TB`. */
    totalSize: z.string(),
    newAdditions: z.object({ today: count, thisWeek: count, thisMonth: count }),
    libraries: z.array(LibraryInfo),
  })
  .register(z.globalRegistry, { id: 'MediaStackMediaLibraryStats' });
export type MediaLibraryStats = z.infer<typeof MediaLibraryStats>;

export const CpuResources = z
  .object({
    usage: percent,
    cores: positiveInt,
    /** 1, 5 and 15 minute load averages. */
    load: z.tuple([amount, amount, amount]),
    /**
     * Degrees Celsius. The seed shows a number; null means the host has no readable sensor
     * (containers, most VMs), which is better than inventing a reading.
     */
    temperature: z.nullable(z.number()),
  })
  .register(z.globalRegistry, { id: 'MediaStackCpuResources' });
export type CpuResources = z.infer<typeof CpuResources>;

/** Memory in GB (the seed's example: 12.8 of 32.0). */
export const MemoryResources = z
  .object({ used: amount, total: amount, available: amount, percentage: percent })
  .register(z.globalRegistry, { id: 'MediaStackMemoryResources' });
export type MemoryResources = z.infer<typeof MemoryResources>;

/** One mount point, sizes in TB (the seed's media mount holds its 45.8 TB library). */
export const StorageResource = z
  .object({
    mount: z.string().check(z.minLength(1)),
    used: amount,
    total: amount,
    available: amount,
    percentage: percent,
  })
  .register(z.globalRegistry, { id: 'MediaStackStorageResource' });
export type StorageResource = z.infer<typeof StorageResource>;

/** Counters since boot, summed over the host's interfaces. */
export const NetworkResources = z
  .object({ bytesIn: count, bytesOut: count, packetsIn: count, packetsOut: count })
  .register(z.globalRegistry, { id: 'MediaStackNetworkResources' });
export type NetworkResources = z.infer<typeof NetworkResources>;

export const SystemResources = z
  .object({
    cpu: CpuResources,
    memory: MemoryResources,
    storage: z.array(StorageResource),
    network: NetworkResources,
  })
  .register(z.globalRegistry, { id: 'MediaStackSystemResources' });
export type SystemResources = z.infer<typeof SystemResources>;

/**
 * Kinds of `recentActivity` entries. The seed shows `request_submitted` and
 * `request_completed`; Marquee completes the set from the request lifecycle that `byStatus`
 * counts (pending → approved → processing → completed | failed).
 */
export const RequestActivityType = z.enum([
  'request_submitted',
  'request_approved',
  'request_processing',
  'request_completed',
  'request_failed',
]);
export type RequestActivityType = z.infer<typeof RequestActivityType>;

export const RequestActivity = z
  .object({
    type: RequestActivityType,
    /** Title of the requested media. */
    title: z.string(),
    /** Username of the requester. */
    user: z.string(),
    timestamp: isoDateTime,
  })
  .register(z.globalRegistry, { id: 'MediaStackRequestActivity' });
export type RequestActivity = z.infer<typeof RequestActivity>;

export const TopRequester = z
  .object({
    username: z.string(),
    requests: count,
    /** Share of this user's requests that completed, in percent. */
    completionRate: percent,
  })
  .register(z.globalRegistry, { id: 'MediaStackTopRequester' });
export type TopRequester = z.infer<typeof TopRequester>;

export const RequestStatistics = z
  .object({
    byStatus: z.object({
      pending: count,
      approved: count,
      processing: count,
      completed: count,
      failed: count,
    }),
    byType: z.object({ movies: count, tvShows: count }),
    topRequesters: z.array(TopRequester),
    /** Newest first. */
    recentActivity: z.array(RequestActivity),
  })
  .register(z.globalRegistry, { id: 'MediaStackRequestStatistics' });
export type RequestStatistics = z.infer<typeof RequestStatistics>;

export const ActiveDownload = z
  .object({
    id: z.string().check(z.minLength(1)),
    title: z.string(),
    progress: percent,
    /** Human-readable, e.g. `25.6 MB/s`. */
    speed: z.string(),
    /** Time left as `HH:MM:SS`. */
    eta: z.string(),
    /** Human-readable, e.g. `12.4 GB`. */
    size: z.string(),
  })
  .register(z.globalRegistry, { id: 'MediaStackActiveDownload' });
export type ActiveDownload = z.infer<typeof ActiveDownload>;

export const DownloadActivity = z
  .object({
    active: count,
    queued: count,
    /** Human-readable, e.g. `45.2 MB/s`. */
    totalSpeed: z.string(),
    /** Human-readable, e.g. `127.6 GB`. */
    todayDownloaded: z.string(),
    activeDownloads: z.array(ActiveDownload),
  })
  .register(z.globalRegistry, { id: 'MediaStackDownloadActivity' });
export type DownloadActivity = z.infer<typeof DownloadActivity>;

export const PerformanceMetrics = z
  .object({
    /** Mean response times in milliseconds. */
    responseTime: z.object({ api: amount, database: amount, plex: amount }),
    cacheHitRate: percent,
    /** Percent of requests that failed (0.12 means 0.12 %, like `cacheHitRate`'s scale). */
    errorRate: percent,
    requestsPerMinute: amount,
  })
  .register(z.globalRegistry, { id: 'MediaStackPerformanceMetrics' });
export type PerformanceMetrics = z.infer<typeof PerformanceMetrics>;

/** The seed's `DashboardStats`. */
export const DashboardStats = z
  .object({
    overview: SystemOverview,
    mediaLibrary: MediaLibraryStats,
    systemResources: SystemResources,
    requestStats: RequestStatistics,
    downloadActivity: DownloadActivity,
    performance: PerformanceMetrics,
  })
  .register(z.globalRegistry, { id: 'MediaStackDashboardStats' });
export type DashboardStats = z.infer<typeof DashboardStats>;
