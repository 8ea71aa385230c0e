/**
 * Seed 001's `DashboardStats`, aggregated from the upstream pollers' last values, the shared
 * system sampler and the surface's own request counters. Every block whose source is not
 * configured or has never answered keeps its documented type with zeros and empty lists, and its
 * name goes into `missing` (the response's `metadata.missing`): nothing is invented.
 *
 * Sources: users and requests from Overseerr (Tautulli's users when there is no Overseerr);
 * libraries from Plex (Tautulli's libraries without Plex); downloads from qBittorrent; active
 * users are the distinct users of the Plex, Jellyfin or Tautulli sessions playing now.
 */
import { cpus, loadavg } from 'node:os';
import type { protocol } from '@marquee/sdk';
import {
  QBIT_ACTIVE_STATES,
  QBIT_ETA_UNKNOWN,
  QBIT_QUEUED_STATES,
  overseerrUserName,
  type MediaStack,
  type OverseerrRecentRequest,
} from '../../integrations/media';
import type { SystemSample } from '../../core/sampler';
import { eta, round1, size, speed, uptime } from './format';
import type { NetworkCounters } from './network';

type DashboardStats = protocol.mediaStack.DashboardStats;
type RequestActivityType = protocol.mediaStack.RequestActivityType;

/** Active downloads listed at most. */
export const MAX_ACTIVE_DOWNLOADS = 20;
/** Requesters listed at most. */
export const MAX_TOP_REQUESTERS = 5;

export interface SurfacePerformance {
  /** Mean milliseconds of the surface's recent responses. */
  readonly apiMs: number;
  readonly databaseMs: number;
  readonly cacheHitRate: number;
  readonly errorRate: number;
  readonly requestsPerMinute: number;
}

export interface StatsInputs {
  readonly stack: MediaStack;
  readonly system: SystemSample | undefined;
  readonly network: NetworkCounters | undefined;
  readonly performance: SurfacePerformance;
  readonly now: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const startOfDay = (now: number) => {
  const day = new Date(now);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
};

/** What a request's Overseerr statuses mean on the seed's lifecycle. */
export function activityType(entry: OverseerrRecentRequest): RequestActivityType {
  const { status, media } = entry.request;
  if (status === 3 || status === 4) return 'request_failed';
  if (status === 5 || media.status === 5) return 'request_completed';
  if (status === 1) return 'request_submitted';
  if (media.status === 3 || media.status === 4) return 'request_processing';
  return 'request_approved';
}

function requestBlocks(inputs: StatsInputs, missing: string[]) {
  const overseerr = inputs.stack.get('overseerr')?.poller.snapshot().value;
  const tautulli = inputs.stack.get('tautulli')?.poller.snapshot().value;
  if (!overseerr) missing.push('requestStats and overview request counts (overseerr)');
  const counts = overseerr?.counts;
  const recent = overseerr?.recent ?? [];
  const today = startOfDay(inputs.now);
  const completedToday = recent.filter(
    (r) =>
      activityType(r) === 'request_completed' &&
      Date.parse(r.request.updatedAt ?? r.request.createdAt) >= today,
  ).length;
  const byUser = new Map<string, { requests: number; completed: number }>();
  for (const entry of recent) {
    const name = overseerrUserName(entry.request.requestedBy);
    const seen = byUser.get(name) ?? { requests: 0, completed: 0 };
    seen.requests += 1;
    if (activityType(entry) === 'request_completed') seen.completed += 1;
    byUser.set(name, seen);
  }
  const topRequesters = [...byUser.entries()]
    .sort((a, b) => b[1].requests - a[1].requests)
    .slice(0, MAX_TOP_REQUESTERS)
    .map(([username, seen]) => ({
      username,
      requests: seen.requests,
      completionRate: round1((seen.completed / seen.requests) * 100),
    }));
  const recentActivity = recent
    .filter((r) => r.title !== undefined)
    .map((r) => ({
      type: activityType(r),
      title: r.title ?? '',
      user: overseerrUserName(r.request.requestedBy),
      timestamp: new Date(r.request.updatedAt ?? r.request.createdAt).toISOString(),
    }))
    .sort((a, b) => b.timestamp.localeCompare(a.timestamp));
  let totalUsers = overseerr?.totalUsers;
  if (totalUsers === undefined && tautulli) totalUsers = tautulli.users.length;
  if (totalUsers === undefined) missing.push('overview.totalUsers (overseerr or tautulli)');
  return {
    totalUsers: totalUsers ?? 0,
    completedToday,
    requestStats: {
      byStatus: {
        pending: counts?.pending ?? 0,
        approved: counts?.approved ?? 0,
        processing: counts?.processing ?? 0,
        completed: (counts?.available ?? 0) + (counts?.completed ?? 0),
        failed: (counts?.failed ?? 0) + (counts?.declined ?? 0),
      },
      byType: { movies: counts?.movie ?? 0, tvShows: counts?.tv ?? 0 },
      topRequesters,
      recentActivity,
    },
    counts,
  };
}

function activeUsers(inputs: StatsInputs, missing: string[]): number {
  const users = new Set<string>();
  let sources = 0;
  const plex = inputs.stack.get('plex')?.poller.snapshot().value;
  if (plex) {
    sources += 1;
    for (const s of plex.sessions) users.add(`plex:${s.User?.title ?? s.sessionKey}`);
  }
  const jellyfin = inputs.stack.get('jellyfin')?.poller.snapshot().value;
  if (jellyfin) {
    sources += 1;
    for (const s of jellyfin.sessions) {
      if (s.NowPlayingItem) users.add(`jellyfin:${s.UserName ?? s.Id}`);
    }
  }
  const tautulli = inputs.stack.get('tautulli')?.poller.snapshot().value;
  if (!plex && tautulli) {
    sources += 1;
    for (const s of tautulli.activity.sessions) users.add(`plex:${s.user ?? s.session_key}`);
  }
  if (sources === 0) missing.push('overview.activeUsers (plex, jellyfin or tautulli)');
  return users.size;
}

function libraryBlock(inputs: StatsInputs, missing: string[]): DashboardStats['mediaLibrary'] {
  const plex = inputs.stack.get('plex')?.poller.snapshot().value;
  const tautulli = inputs.stack.get('tautulli')?.poller.snapshot().value;
  const libraries: {
    id: string;
    name: string;
    type: 'movie' | 'tv';
    count: number;
    episodes: number;
  }[] = [];
  if (plex) {
    for (const l of plex.libraries) {
      if (l.section.type !== 'movie' && l.section.type !== 'show') continue;
      libraries.push({
        id: l.section.key,
        name: l.section.title,
        type: l.section.type === 'movie' ? 'movie' : 'tv',
        count: l.count,
        episodes: l.episodes ?? 0,
      });
    }
  } else if (tautulli) {
    for (const l of tautulli.libraries) {
      if (l.section_type !== 'movie' && l.section_type !== 'show') continue;
      libraries.push({
        id: l.section_id,
        name: l.section_name,
        type: l.section_type === 'movie' ? 'movie' : 'tv',
        count: l.count ?? 0,
        episodes: l.section_type === 'show' ? (l.child_count ?? 0) : 0,
      });
    }
  } else {
    missing.push('mediaLibrary (plex or tautulli)');
  }
  missing.push('mediaLibrary sizes and newAdditions (not read from the media server)');
  const sum = (type: 'movie' | 'tv', field: 'count' | 'episodes') =>
    libraries.filter((l) => l.type === type).reduce((total, l) => total + l[field], 0);
  return {
    totalMovies: sum('movie', 'count'),
    totalTvShows: sum('tv', 'count'),
    totalEpisodes: sum('tv', 'episodes'),
    totalSize: size(0),
    newAdditions: { today: 0, thisWeek: 0, thisMonth: 0 },
    libraries: libraries.map(({ episodes: _episodes, ...l }) => ({ ...l, size: size(0) })),
  };
}

function downloadBlock(inputs: StatsInputs, missing: string[]): DashboardStats['downloadActivity'] {
  const qbit = inputs.stack.get('qbittorrent')?.poller.snapshot().value;
  if (!qbit) {
    missing.push('downloadActivity (qbittorrent)');
    return {
      active: 0,
      queued: 0,
      totalSpeed: speed(0),
      todayDownloaded: size(0),
      activeDownloads: [],
    };
  }
  const active = qbit.torrents.filter((t) => QBIT_ACTIVE_STATES.has(t.state));
  const queued = qbit.torrents.filter((t) => QBIT_QUEUED_STATES.has(t.state));
  return {
    active: active.length,
    queued: queued.length,
    totalSpeed: speed(qbit.transfer.dl_info_speed),
    // qBittorrent counts bytes per session of its own, not per day: this is since it started.
    todayDownloaded: size(qbit.transfer.dl_info_data),
    activeDownloads: [...active, ...queued].slice(0, MAX_ACTIVE_DOWNLOADS).map((t) => ({
      id: t.hash,
      title: t.name,
      progress: round1(Math.min(1, Math.max(0, t.progress)) * 100),
      speed: speed(t.dlspeed),
      eta: eta(t.eta >= QBIT_ETA_UNKNOWN ? undefined : t.eta),
      size: size(t.total_size ?? t.size),
    })),
  };
}

function resourceBlock(inputs: StatsInputs, missing: string[]): DashboardStats['systemResources'] {
  const s = inputs.system;
  if (!s) missing.push('systemResources (the system sampler has no reading)');
  const [l1 = 0, l5 = 0, l15 = 0] = loadavg();
  const memTotal = (s?.ram_total_mb ?? 0) / 1024;
  const memUsed = (s?.ram_used_mb ?? 0) / 1024;
  const diskTotal = (s?.disk_total_gb ?? 0) / 1000;
  const diskUsed = (s?.disk_used_gb ?? 0) / 1000;
  if (!inputs.network) missing.push('systemResources.network (no /proc/net/dev on this host)');
  return {
    cpu: {
      usage: s?.cpu_percent ?? 0,
      cores: Math.max(1, cpus().length),
      load: [round1(l1), round1(l5), round1(l15)].map((v) => Math.max(0, v)) as [
        number,
        number,
        number,
      ],
      temperature: s?.cpu_temp ?? null,
    },
    memory: {
      used: round1(memUsed),
      total: round1(memTotal),
      available: round1(Math.max(0, memTotal - memUsed)),
      percentage: s?.ram_percent ?? 0,
    },
    storage: s
      ? [
          {
            mount: '/',
            used: Math.round(diskUsed * 1000) / 1000,
            total: Math.round(diskTotal * 1000) / 1000,
            available: Math.round(Math.max(0, diskTotal - diskUsed) * 1000) / 1000,
            percentage: s.disk_percent,
          },
        ]
      : [],
    network: inputs.network ?? { bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsOut: 0 },
  };
}

/** Aggregates the statistics; `missing` lists what had no source. */
export function aggregateStats(inputs: StatsInputs): { stats: DashboardStats; missing: string[] } {
  const missing: string[] = [];
  const requests = requestBlocks(inputs, missing);
  const plexSnapshot = inputs.stack.get('plex')?.poller.snapshot();
  if (plexSnapshot?.latencyMs === undefined) missing.push('performance.responseTime.plex (plex)');
  const stats: DashboardStats = {
    overview: {
      totalUsers: requests.totalUsers,
      activeUsers: activeUsers(inputs, missing),
      totalRequests: requests.counts?.total ?? 0,
      pendingRequests: requests.counts?.pending ?? 0,
      processingRequests: requests.counts?.processing ?? 0,
      completedToday: requests.completedToday,
      systemUptime: uptime(inputs.system?.uptime_seconds ?? 0),
      lastUpdate: iso(inputs.now),
    },
    mediaLibrary: libraryBlock(inputs, missing),
    systemResources: resourceBlock(inputs, missing),
    requestStats: requests.requestStats,
    downloadActivity: downloadBlock(inputs, missing),
    performance: {
      responseTime: {
        api: round1(inputs.performance.apiMs),
        database: round1(inputs.performance.databaseMs),
        plex: plexSnapshot?.latencyMs ?? 0,
      },
      cacheHitRate: round1(inputs.performance.cacheHitRate),
      errorRate: Math.round(inputs.performance.errorRate * 100) / 100,
      requestsPerMinute: inputs.performance.requestsPerMinute,
    },
  };
  return { stats, missing };
}
