/**
 * The media-stack service behind seed 001's routes: the caches (statistics 5 minutes, refreshed
 * in the background every 5 minutes; status 1 minute, dropped when a health check finds a service
 * in a new state), the background jobs (every upstream's health check at its interval, 30 s by
 * default, and the database's every 30 s; notification cleanup daily) and the notifications,
 * produced from what the health checks and polls observe: a service down or back, a download
 * finished, a request completed.
 */
import { performance } from 'node:perf_hooks';
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyBaseLogger } from 'fastify';
import type { SystemSampler } from '../../core/sampler';
import type { MediaStack, MediaUpstream } from '../../integrations/media';
import { observedEvents } from './events';
import { TtlCache, type Cached } from './cache';
import { readNetworkCounters } from './network';
import { aggregateStats, type SurfacePerformance } from './stats';
import {
  SERVICE_NAMES,
  overallOf,
  serviceDetail,
  serviceEntries,
  servicesRecord,
  upstreamInfo,
  type DatabaseCheck,
} from './status';
import { MAX_NOTIFICATIONS, type MediaStackRepositories, type NotificationRecord } from './store';
import { uptime } from './format';

type Notification = protocol.mediaStack.Notification;
type SystemHealthCheck = protocol.mediaStack.SystemHealthCheck;

export const STATS_TTL_MS = 5 * 60_000;
export const STATUS_TTL_MS = 60_000;
export const DATABASE_CHECK_MS = 30_000;
export const CLEANUP_INTERVAL_MS = 24 * 3600_000;
/** Notifications older than this go at the daily cleanup. */
export const NOTIFICATION_RETENTION_MS = 30 * 24 * 3600_000;
/** The seed's thresholds (percent; network in ms). */
export const THRESHOLDS = { disk: 85, memory: 80, cpu: 70, network: 100 } as const;
/** Computed figures and the ones among them that had no source (`metadata.missing`). */
export interface Sourced<T> {
  readonly data: T;
  readonly missing: readonly string[];
}

/** Responses remembered for the performance figures. */
const RECENT_RESPONSES = 1000;

export interface MediaStackServiceOptions {
  readonly stack: MediaStack;
  readonly repositories: MediaStackRepositories;
  readonly sampler: SystemSampler;
  readonly now: () => number;
  /** The answer caches' ages (core/clock.ts). */
  readonly monotonic: () => number;
  readonly logger: FastifyBaseLogger;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function notificationId(id: number): string {
  return `notif-${id}`;
}

/** `notif-12` → 12; anything else → undefined (answered 404). */
export function parseNotificationId(id: string): number | undefined {
  const match = /^notif-(\d{1,15})$/.exec(id);
  return match ? Number(match[1]) : undefined;
}

export function toNotification(record: NotificationRecord): Notification {
  const id = notificationId(record.id);
  return {
    id,
    type: record.type,
    title: record.title,
    message: record.message,
    read: record.readAt !== undefined,
    priority: record.priority,
    createdAt: record.createdAt,
    ...(record.readAt === undefined ? {} : { readAt: record.readAt }),
    ...(record.data === undefined ? {} : { data: record.data }),
    actions: [
      {
        type: 'acknowledge',
        label: 'Acknowledge',
        endpoint: `/api/v1/dashboard/notifications/${id}/acknowledge`,
      },
    ],
  };
}

function health(usage: number, threshold: number, what: string): protocol.mediaStack.HealthMetric {
  const value = Math.min(100, Math.max(0, usage));
  if (value >= threshold) {
    return { status: 'critical', usage: value, threshold, message: `${what} above threshold` };
  }
  if (value >= threshold * 0.9) {
    return { status: 'warning', usage: value, threshold, message: `${what} approaching threshold` };
  }
  return { status: 'healthy', usage: value, threshold };
}

export function createMediaStackService(options: MediaStackServiceOptions) {
  const { stack, repositories, sampler, now, monotonic, logger } = options;
  const statsCache = new TtlCache<Sourced<protocol.mediaStack.DashboardStats>>(
    STATS_TTL_MS,
    monotonic,
  );
  const statusCache = new TtlCache<Sourced<protocol.mediaStack.ServiceStatus>>(
    STATUS_TTL_MS,
    monotonic,
  );
  const detailCache = new TtlCache<Sourced<protocol.mediaStack.ServiceDetail>>(
    STATUS_TTL_MS,
    monotonic,
  );
  let database: DatabaseCheck = {
    ok: false,
    ms: 0,
    version: undefined,
    error: 'not checked yet',
    at: now(),
  };
  const responses: { at: number; ms: number; error: boolean }[] = [];
  const listeners = new Set<(notification: NotificationRecord) => void>();
  const pushes = new Set<(message: protocol.mediaStack.DashboardServerMessage) => void>();
  const push = (message: protocol.mediaStack.DashboardServerMessage) => {
    for (const listener of pushes) listener(message);
  };
  const timers: ReturnType<typeof setInterval>[] = [];
  const unsubscribes: (() => void)[] = [];
  let stopped = false;

  async function checkDatabase(): Promise<DatabaseCheck> {
    const started = performance.now();
    try {
      const { version } = await repositories.ping();
      database = {
        ok: true,
        ms: performance.now() - started,
        version,
        error: undefined,
        at: now(),
      };
    } catch (error) {
      database = {
        ok: false,
        ms: performance.now() - started,
        version: undefined,
        error: error instanceof Error ? error.message : String(error),
        at: now(),
      };
    }
    return database;
  }

  async function notify(notification: Parameters<MediaStackRepositories['create']>[0]) {
    if (stopped) return;
    try {
      const record = await repositories.create(notification);
      for (const listener of listeners) listener(record);
      push({ type: 'new_notification', notification: toNotification(record) });
    } catch (error) {
      logger.error({ err: error }, 'media-stack: storing a notification failed');
    }
  }

  /** Notifications from what one poll of `upstream` observed, compared with the one before. */
  function watch(upstream: MediaUpstream): () => void {
    let previousValue: unknown;
    return upstream.poller.subscribe((snapshot, previous) => {
      const at = iso(snapshot.lastCheckAt ?? now());
      if (snapshot.status !== previous && snapshot.status !== undefined) {
        statusCache.clear();
        detailCache.clear();
        push({
          type: 'service_status_change',
          service: upstream.name,
          status: snapshot.status,
          ...(previous === undefined ? {} : { previous }),
          info: upstreamInfo(upstream, now()),
        });
        if (snapshot.status === 'down' && previous !== 'down') {
          void notify({
            type: 'service_down',
            title: `${upstream.name} is down`,
            message: `${upstream.name} stopped answering: ${snapshot.reason ?? 'no reason given'}`,
            priority: 'high',
            data: { service: upstream.name, reason: snapshot.reason ?? null },
            createdAt: at,
          });
        } else if (previous === 'down' && snapshot.status !== undefined) {
          void notify({
            type: 'service_restored',
            title: `${upstream.name} is back`,
            message: `${upstream.name} answers again (${snapshot.status}).`,
            priority: 'normal',
            data: { service: upstream.name, status: snapshot.status },
            createdAt: at,
          });
        }
      }
      const value = snapshot.value;
      if (value !== undefined && value !== previousValue) {
        for (const event of observedEvents(upstream, previousValue, value))
          void notify({ ...event, createdAt: at });
        previousValue = value;
      }
    });
  }

  async function systemHealth(): Promise<SystemHealthCheck> {
    const sample = await sampler.latest().catch(() => undefined);
    const latencies = stack.upstreams
      .map((u) => u.poller.snapshot())
      .filter((s) => s.status !== undefined && s.status !== 'down' && s.latencyMs !== undefined)
      .map((s) => s.latencyMs ?? 0)
      .sort((a, b) => a - b);
    const latency = latencies.length === 0 ? 0 : (latencies[Math.floor(latencies.length / 2)] ?? 0);
    const network: protocol.mediaStack.NetworkHealthMetric =
      latencies.length === 0
        ? {
            status: 'healthy',
            latency: 0,
            threshold: THRESHOLDS.network,
            message: 'no upstream answering to measure',
          }
        : {
            status: latency >= THRESHOLDS.network ? 'warning' : 'healthy',
            latency,
            threshold: THRESHOLDS.network,
            ...(latency >= THRESHOLDS.network ? { message: 'upstreams answer slowly' } : {}),
          };
    return {
      disk: health(sample?.disk_percent ?? 0, THRESHOLDS.disk, 'Disk usage'),
      memory: health(sample?.ram_percent ?? 0, THRESHOLDS.memory, 'Memory usage'),
      cpu: health(sample?.cpu_percent ?? 0, THRESHOLDS.cpu, 'CPU usage'),
      network,
    };
  }

  async function computeStatus() {
    const at = now();
    await checkDatabase();
    const entries = serviceEntries(stack, database, at);
    const system = await systemHealth();
    const sample = sampler.current;
    const overall = overallOf(entries, system);
    const missing =
      sample === undefined ? ['systemHealth (the system sampler has no reading)'] : [];
    return {
      data: {
        overall: {
          ...overall,
          uptime: uptime(sample?.uptime_seconds ?? 0),
          lastCheck: iso(at),
        },
        services: servicesRecord(entries),
        systemHealth: system,
      },
      missing,
    };
  }

  function surfacePerformance(): SurfacePerformance {
    const cutoff = now() - 60_000;
    const lastMinute = responses.filter((r) => r.at >= cutoff).length;
    const total = responses.length;
    const lookups = statsCache.lookups + statusCache.lookups + detailCache.lookups;
    const hits = statsCache.hits + statusCache.hits + detailCache.hits;
    return {
      apiMs: total === 0 ? 0 : responses.reduce((sum, r) => sum + r.ms, 0) / total,
      databaseMs: database.ms,
      cacheHitRate: lookups === 0 ? 0 : (hits / lookups) * 100,
      errorRate: total === 0 ? 0 : (responses.filter((r) => r.error).length / total) * 100,
      requestsPerMinute: lastMinute,
    };
  }

  async function computeStats() {
    const [system, network] = await Promise.all([
      sampler.latest().catch(() => undefined),
      readNetworkCounters(),
    ]);
    const { stats, missing } = aggregateStats({
      stack,
      system,
      network,
      performance: surfacePerformance(),
      now: now(),
    });
    push({ type: 'stats_update', data: stats });
    return { data: stats, missing };
  }

  return {
    start() {
      for (const upstream of stack.upstreams) unsubscribes.push(watch(upstream));
      const every = (ms: number, job: () => Promise<unknown>) => {
        const timer = setInterval(() => {
          job().catch((error: unknown) => logger.warn({ err: error }, 'media-stack job failed'));
        }, ms);
        timer.unref();
        timers.push(timer);
      };
      every(DATABASE_CHECK_MS, checkDatabase);
      every(STATS_TTL_MS, () => statsCache.refresh('stats', computeStats));
      every(CLEANUP_INTERVAL_MS, () => this.cleanup());
    },

    stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      for (const off of unsubscribes) off();
      // The stack's pollers belong to the server (shared with Now Playing); it stops them.
    },

    /** Records one answered request for the performance figures (bounded). */
    recordResponse(ms: number, status: number) {
      responses.push({ at: now(), ms, error: status >= 500 });
      if (responses.length > RECENT_RESPONSES) responses.shift();
    },

    async stats(): Promise<Cached<Sourced<protocol.mediaStack.DashboardStats>>> {
      try {
        return await statsCache.get('stats', computeStats);
      } catch (error) {
        logger.error({ err: error }, 'media-stack: statistics failed');
        throw new MarqueeError('STATS_UNAVAILABLE', 'Statistics are temporarily unavailable');
      }
    },

    async status() {
      try {
        return await statusCache.get('status', computeStatus);
      } catch (error) {
        logger.error({ err: error }, 'media-stack: status failed');
        throw new MarqueeError('SERVICE_UNAVAILABLE', 'Service status is temporarily unavailable');
      }
    },

    async detail(name: string) {
      if (!SERVICE_NAMES.includes(name)) {
        throw new MarqueeError(
          'INVALID_SERVICE',
          `Unknown service "${name}"; known services: ${SERVICE_NAMES.join(', ')}`,
          { details: { available: SERVICE_NAMES } },
        );
      }
      return detailCache.get(name, async () => {
        const at = now();
        if (name === 'database') await checkDatabase();
        const entry = serviceEntries(stack, database, at).find((e) => e.name === name);
        if (!entry) throw new Error(`no entry for ${name}`);
        const upstream = stack.upstreams.find((u) => u.name === name);
        const { detail, missing } = serviceDetail(name, entry.info, upstream);
        return { data: detail, missing };
      });
    },

    async notifications(reader: string, query: protocol.mediaStack.NotificationsQuery) {
      const types =
        query.type === undefined
          ? undefined
          : [...protocol.mediaStack.notificationCategoryTypes[query.type]];
      const [records, counts] = await Promise.all([
        repositories.list({ reader, unreadOnly: query.unread === true, types, limit: query.limit }),
        repositories.counts(reader),
      ]);
      return {
        notifications: records.map(toNotification),
        summary: {
          total: counts.total,
          unread: counts.unread,
          byType: counts.byType,
          byPriority: counts.byPriority,
        },
      };
    },

    async acknowledge(reader: string, id: string): Promise<Notification> {
      const numeric = parseNotificationId(id);
      const missing = () => new MarqueeError('NOT_FOUND', `No notification ${id}`);
      if (numeric === undefined) throw missing();
      if (!(await repositories.markRead(numeric, reader, iso(now())))) throw missing();
      const record = await repositories.find(numeric, reader);
      if (!record) throw missing();
      return toNotification(record);
    },

    /** The daily cleanup: notifications past the retention, and beyond the bound. */
    cleanup(): Promise<number> {
      return repositories.cleanup(iso(now() - NOTIFICATION_RETENTION_MS), MAX_NOTIFICATIONS);
    },

    /** Every new notification (the surface's channel and tests listen). */
    onNotification(listener: (notification: NotificationRecord) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /** Every message for `/ws/dashboard` (stats recomputed, a service's new state, a new notification). */
    onPush(listener: (message: protocol.mediaStack.DashboardServerMessage) => void): () => void {
      pushes.add(listener);
      return () => pushes.delete(listener);
    },

    /** Runs every configured upstream's health check now and waits for them (tests). */
    async checkNow(): Promise<void> {
      await Promise.all(stack.upstreams.map((u) => u.poller.refresh()));
      await checkDatabase();
    },

    stack,
  };
}

export type MediaStackService = ReturnType<typeof createMediaStackService>;
