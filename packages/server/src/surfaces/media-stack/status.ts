/**
 * Seed 001's service status from the upstream pollers' snapshots: one `ServiceInfo` per service
 * the seed names (`plex`, `overseerr`, `database`, `redis`, each download client under
 * `downloadClients`) and per other integration Marquee knows (`jellyfin`, `tautulli`, `sonarr`,
 * `radarr`, `prowlarr`). A service that is not configured is `down` with an alert saying what to
 * set, and does not count in `overall`; Marquee keeps no Redis, so `redis` is always such an
 * entry. `overall` is the worst of the counted services and the system checks.
 */
import type { protocol } from '@marquee/sdk';
import {
  UPSTREAM_NAMES,
  type MediaStack,
  type MediaUpstream,
  type UpstreamName,
} from '../../integrations/media';
import { latencySummary, type UpstreamSnapshot } from '../../integrations/upstream';
import { round1 } from './format';

type ServiceInfo = protocol.mediaStack.ServiceInfo;
type ServiceDetail = protocol.mediaStack.ServiceDetail;
type HealthStatus = protocol.mediaStack.HealthStatus;

/** The download clients, grouped under `downloadClients` as the seed's example nests them. */
export const DOWNLOAD_CLIENTS: readonly UpstreamName[] = ['qbittorrent'];
/** Every name `status/{service}` answers. */
export const SERVICE_NAMES: readonly string[] = [...UPSTREAM_NAMES, 'database', 'redis'];

/** The variables that turn each upstream on. */
export const CONFIG_HINTS: Readonly<Record<UpstreamName, string>> = {
  plex: 'MARQUEE_PLEX_URL and MARQUEE_PLEX_TOKEN',
  jellyfin: 'MARQUEE_JELLYFIN_URL and MARQUEE_JELLYFIN_API_KEY',
  tautulli: 'MARQUEE_TAUTULLI_URL and MARQUEE_TAUTULLI_API_KEY',
  overseerr: 'MARQUEE_OVERSEERR_URL and MARQUEE_OVERSEERR_API_KEY',
  sonarr: 'MARQUEE_SONARR_URL and MARQUEE_SONARR_API_KEY',
  radarr: 'MARQUEE_RADARR_URL and MARQUEE_RADARR_API_KEY',
  prowlarr: 'MARQUEE_PROWLARR_URL and MARQUEE_PROWLARR_API_KEY',
  qbittorrent:
    'MARQUEE_QBITTORRENT_URL, MARQUEE_QBITTORRENT_USERNAME and MARQUEE_QBITTORRENT_PASSWORD',
};

/** The database check: how long a trivial query took. */
export interface DatabaseCheck {
  readonly ok: boolean;
  readonly ms: number;
  readonly version: string | undefined;
  readonly error: string | undefined;
  readonly at: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function notConfigured(message: string, at: number): ServiceInfo {
  return {
    status: 'down',
    responseTime: 0,
    lastCheck: iso(at),
    stats: { configured: false },
    alerts: [{ type: 'info', message, timestamp: iso(at) }],
  };
}

function versionOf(upstream: MediaUpstream): string | undefined {
  switch (upstream.name) {
    case 'plex':
      return upstream.poller.snapshot().value?.identity.version;
    case 'jellyfin':
      return upstream.poller.snapshot().value?.info.Version;
    case 'overseerr':
      return upstream.poller.snapshot().value?.status.version;
    case 'sonarr':
    case 'radarr':
    case 'prowlarr':
      return upstream.poller.snapshot().value?.status.version;
    case 'qbittorrent':
      return upstream.poller.snapshot().value?.version;
    case 'tautulli':
      return undefined;
  }
}

/** Bits per second of Plex's sessions (Plex reports each session's bandwidth in kbit/s). */
function plexBandwidth(sessions: readonly { Session?: { bandwidth?: number } | undefined }[]) {
  return sessions.reduce((sum, s) => sum + (s.Session?.bandwidth ?? 0) * 1000, 0);
}

function statsOf(upstream: MediaUpstream): Record<string, unknown> {
  switch (upstream.name) {
    case 'plex': {
      const v = upstream.poller.snapshot().value;
      if (!v) return {};
      return {
        sessions: v.sessions.length,
        bandwidth: plexBandwidth(v.sessions),
        transcodingSessions: v.sessions.filter((s) => s.TranscodeSession).length,
      };
    }
    case 'jellyfin': {
      const v = upstream.poller.snapshot().value;
      return v ? { sessions: v.sessions.filter((s) => s.NowPlayingItem).length } : {};
    }
    case 'tautulli': {
      const v = upstream.poller.snapshot().value;
      return v
        ? { streams: v.activity.stream_count, bandwidth: (v.activity.total_bandwidth ?? 0) * 1000 }
        : {};
    }
    case 'overseerr': {
      const v = upstream.poller.snapshot().value;
      return v ? { totalRequests: v.counts.total, pendingRequests: v.counts.pending } : {};
    }
    case 'sonarr':
    case 'radarr': {
      const v = upstream.poller.snapshot().value;
      return v
        ? {
            queued: v.queue.totalRecords,
            upcoming: v.calendar.length,
            healthIssues: v.health.filter((h) => h.type !== 'ok').length,
          }
        : {};
    }
    case 'prowlarr': {
      const v = upstream.poller.snapshot().value;
      return v
        ? {
            indexers: v.indexers.length,
            enabledIndexers: v.indexers.filter((i) => i.enable).length,
            healthIssues: v.health.filter((h) => h.type !== 'ok').length,
          }
        : {};
    }
    case 'qbittorrent': {
      const v = upstream.poller.snapshot().value;
      if (!v) return {};
      return {
        downloadSpeed: v.transfer.dl_info_speed,
        uploadSpeed: v.transfer.up_info_speed,
        activeTorrents: v.torrents.filter((t) => ['downloading', 'forcedDL'].includes(t.state))
          .length,
        queuedTorrents: v.torrents.filter((t) => t.state === 'queuedDL').length,
      };
    }
  }
}

function featuresOf(upstream: MediaUpstream): Record<string, boolean> | undefined {
  if (upstream.name !== 'plex') return undefined;
  const v = upstream.poller.snapshot().value;
  if (!v) return undefined;
  return {
    libraries: v.libraries.length > 0,
    transcoding: v.identity.transcoderVideo !== undefined && v.identity.transcoderVideo !== false,
    remote_access: v.identity.myPlexMappingState === 'mapped',
  };
}

/** A configured upstream's entry, from its poller's snapshot. */
export function upstreamInfo(upstream: MediaUpstream, now: number): ServiceInfo {
  const snapshot: UpstreamSnapshot<unknown> = upstream.poller.snapshot();
  const lastCheck = iso(snapshot.lastCheckAt ?? now);
  const version = versionOf(upstream);
  const features = featuresOf(upstream);
  const status = snapshot.status ?? 'down';
  const reason =
    snapshot.status === undefined ? 'no health check has finished yet' : snapshot.reason;
  return {
    status,
    responseTime: snapshot.latencyMs ?? 0,
    ...(version === undefined ? {} : { version }),
    url: upstream.url,
    lastCheck,
    stats: {
      configured: true,
      ...statsOf(upstream),
      ...(snapshot.lastSuccessAt === undefined
        ? {}
        : { lastSuccessAt: iso(snapshot.lastSuccessAt) }),
    },
    ...(features === undefined ? {} : { features }),
    ...(reason === undefined
      ? {}
      : {
          alerts: [
            {
              type: status === 'down' ? 'error' : 'warning',
              message: reason,
              timestamp: lastCheck,
            },
          ],
        }),
  };
}

export function databaseInfo(check: DatabaseCheck): ServiceInfo {
  return {
    status: check.ok ? 'up' : 'down',
    responseTime: round1(check.ms),
    type: 'SQLite',
    ...(check.version === undefined ? {} : { version: check.version }),
    lastCheck: iso(check.at),
    ...(check.error === undefined
      ? {}
      : { alerts: [{ type: 'error', message: check.error, timestamp: iso(check.at) }] }),
  };
}

export const REDIS_NOTE =
  'Marquee uses no Redis: its caches live in the server process (not counted in overall)';

export interface ServiceEntry {
  readonly name: string;
  readonly info: ServiceInfo;
  /** Whether it counts in `overall` (configured services and the database). */
  readonly counted: boolean;
}

/** Every service, configured or not, in a stable order. */
export function serviceEntries(
  stack: MediaStack,
  database: DatabaseCheck,
  now: number,
): ServiceEntry[] {
  const entries: ServiceEntry[] = UPSTREAM_NAMES.map((name) => {
    const upstream = stack.get(name);
    return upstream
      ? { name, info: upstreamInfo(upstream, now), counted: true }
      : {
          name,
          info: notConfigured(`not configured: set ${CONFIG_HINTS[name]}`, now),
          counted: false,
        };
  });
  entries.push({ name: 'database', info: databaseInfo(database), counted: true });
  entries.push({ name: 'redis', info: notConfigured(REDIS_NOTE, now), counted: false });
  return entries;
}

const SCORE: Readonly<Record<string, number>> = {
  up: 1,
  healthy: 1,
  degraded: 0.5,
  warning: 0.5,
  down: 0,
  critical: 0,
};
const RANK: Readonly<Record<HealthStatus, number>> = { healthy: 0, warning: 1, critical: 2 };

/** The seed's `overall`: worst of the counted services and system checks; score = mean health. */
export function overallOf(
  entries: readonly ServiceEntry[],
  system: protocol.mediaStack.SystemHealthCheck,
): { status: HealthStatus; healthScore: number } {
  const states: string[] = [
    ...entries.filter((e) => e.counted).map((e) => e.info.status),
    system.disk.status,
    system.memory.status,
    system.cpu.status,
    system.network.status,
  ];
  let worst: HealthStatus = 'healthy';
  for (const state of states) {
    const health: HealthStatus =
      state === 'down' ? 'critical' : state === 'degraded' ? 'warning' : (state as HealthStatus);
    if ((RANK[health] ?? 0) > RANK[worst]) worst = health;
  }
  const score = states.reduce((sum, state) => sum + (SCORE[state] ?? 0), 0) / states.length;
  return { status: worst, healthScore: round1(score * 100) };
}

/** `services` as the seed nests it: download clients grouped. */
export function servicesRecord(
  entries: readonly ServiceEntry[],
): Record<string, protocol.mediaStack.ServiceEntry> {
  const services: Record<string, protocol.mediaStack.ServiceEntry> = {};
  const clients: Record<string, ServiceInfo> = {};
  for (const entry of entries) {
    if (DOWNLOAD_CLIENTS.includes(entry.name as UpstreamName)) clients[entry.name] = entry.info;
    else services[entry.name] = entry.info;
  }
  services.downloadClients = clients;
  return services;
}

const SESSION_STATES = new Set(['playing', 'paused', 'buffering', 'stopped']);

/** `status/{service}`: the entry plus what the service can say in detail. */
export function serviceDetail(
  name: string,
  info: ServiceInfo,
  upstream: MediaUpstream | undefined,
): { detail: ServiceDetail; missing: string[] } {
  const { features: _summaryFeatures, ...fields } = info;
  const detail: ServiceDetail = { service: name, ...fields };
  const missing: string[] = [];
  if (!upstream) return { detail, missing };
  const snapshot: UpstreamSnapshot<unknown> = upstream.poller.snapshot();
  const latency = latencySummary(snapshot.recentLatencies);
  const { total, successful, failed } = snapshot.counts;
  detail.performance = {
    responseTime: latency,
    requests: {
      total,
      successful,
      failed,
      successRate: total === 0 ? 0 : round1((successful / total) * 100),
    },
  };
  if (upstream.name === 'plex') {
    const v = upstream.poller.snapshot().value;
    if (!v) return { detail, missing };
    const scans = v.libraries
      .map((l) => l.section.scannedAt)
      .filter((t): t is number => t !== undefined);
    const lastScan = scans.length === 0 ? undefined : iso(Math.max(...scans) * 1000);
    const transcoding = v.sessions.filter((s) => s.TranscodeSession).length;
    detail.configuration = {
      server_name: v.identity.friendlyName,
      machine_identifier: v.identity.machineIdentifier,
      platform: v.identity.platform,
      platform_version: v.identity.platformVersion,
    };
    detail.features = {
      libraries: {
        enabled: v.libraries.length > 0,
        count: v.libraries.length,
        ...(lastScan === undefined ? {} : { lastScan }),
      },
      transcoding: { enabled: info.features?.transcoding ?? false, sessions: transcoding },
      remote_access: {
        enabled: v.identity.myPlexMappingState === 'mapped',
        ...(v.identity.myPlexMappingState === undefined
          ? {}
          : { mapping_state: v.identity.myPlexMappingState }),
      },
    };
    detail.libraries = v.libraries
      .filter((l) => ['movie', 'show', 'artist', 'photo'].includes(l.section.type))
      .map((l) => ({
        id: l.section.key,
        title: l.section.title,
        type: l.section.type as 'movie' | 'show' | 'artist' | 'photo',
        count: l.count,
        size: 0,
        lastScan: iso((l.section.scannedAt ?? l.section.updatedAt ?? 0) * 1000),
      }));
    missing.push('libraries[].size (Plex reports no library size without listing every file)');
    detail.currentActivity = {
      sessions: v.sessions.map((s) => ({
        sessionKey: s.sessionKey,
        type: s.type,
        title: s.grandparentTitle ? `${s.grandparentTitle} - ${s.title}` : s.title,
        user: s.User?.title ?? 'unknown',
        player: s.Player?.title ?? s.Player?.product ?? 'unknown',
        state: (SESSION_STATES.has(s.Player?.state ?? '')
          ? s.Player?.state
          : 'playing') as protocol.mediaStack.ServiceSession['state'],
        progress: Math.max(0, Math.round(s.viewOffset ?? 0)),
        transcoding: s.TranscodeSession !== undefined,
      })),
      totalBandwidth: plexBandwidth(v.sessions),
      transcodingSessions: transcoding,
    };
  }
  if (upstream.name === 'jellyfin') {
    const v = upstream.poller.snapshot().value;
    if (!v) return { detail, missing };
    detail.configuration = {
      server_name: v.info.ServerName ?? undefined,
      id: v.info.Id,
      operating_system: v.info.OperatingSystem ?? undefined,
    };
    const playing = v.sessions.filter((s) => s.NowPlayingItem);
    detail.currentActivity = {
      sessions: playing.map((s) => ({
        sessionKey: s.Id,
        type: (s.NowPlayingItem?.Type ?? 'unknown').toLowerCase(),
        title: s.NowPlayingItem?.SeriesName
          ? `${s.NowPlayingItem.SeriesName} - ${s.NowPlayingItem.Name ?? ''}`
          : (s.NowPlayingItem?.Name ?? 'unknown'),
        user: s.UserName ?? 'unknown',
        player: s.DeviceName ?? s.Client ?? 'unknown',
        state: s.PlayState?.IsPaused ? 'paused' : 'playing',
        progress: Math.max(0, Math.round((s.PlayState?.PositionTicks ?? 0) / 10_000)),
        transcoding: s.PlayState?.PlayMethod === 'Transcode',
      })),
      totalBandwidth: 0,
      transcodingSessions: playing.filter((s) => s.PlayState?.PlayMethod === 'Transcode').length,
    };
    missing.push('currentActivity.totalBandwidth (Jellyfin reports no session bandwidth)');
  }
  return { detail, missing };
}
