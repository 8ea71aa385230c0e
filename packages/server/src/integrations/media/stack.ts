/**
 * The media stack a config describes: for each upstream whose URL is set, its adapter and one
 * shared poller whose poll gathers what Marquee shows of it. Whoever needs an upstream's figures
 * (seed 001's statistics and status, a screen) subscribes to that one poller, so a thousand
 * subscribers cost the upstream what one does.
 */
import type { Config } from '../../core/config';
import { createPoller, type PollResult, type UpstreamPoller } from '../upstream/poller';
import {
  createArrAdapter,
  type ArrAdapter,
  type ArrCalendarItem,
  type ArrQueue,
  type ProwlarrIndexer,
} from './arr';
import {
  JELLYFIN_DEVICE_ID,
  createJellyfinAdapter,
  type JellyfinAdapter,
  type JellyfinSession,
  type JellyfinSystemInfo,
} from './jellyfin';
import {
  createOverseerrAdapter,
  type OverseerrAdapter,
  type OverseerrCounts,
  type OverseerrRequest,
  type OverseerrStatus,
} from './overseerr';
import {
  createPlexAdapter,
  type PlexAdapter,
  type PlexIdentity,
  type PlexSection,
  type PlexSession,
} from './plex';
import {
  createQbittorrentAdapter,
  type QbitTorrent,
  type QbitTransferInfo,
  type QbittorrentAdapter,
} from './qbittorrent';
import { jellyfinPush, plexPush, type UpstreamPush } from './push';
import { arrHealthProblem, type ArrHealth, type ArrSystemStatus } from './shapes';
import {
  createTautulliAdapter,
  type TautulliActivity,
  type TautulliAdapter,
  type TautulliHistory,
  type TautulliLibrary,
  type TautulliUser,
} from './tautulli';

export const UPSTREAM_NAMES = [
  'plex',
  'jellyfin',
  'tautulli',
  'overseerr',
  'sonarr',
  'radarr',
  'prowlarr',
  'qbittorrent',
] as const;
export type UpstreamName = (typeof UPSTREAM_NAMES)[number];

/** How many recent requests, queue records, history entries are read per poll (bounds). */
export const RECENT_REQUESTS = 20;
export const QUEUE_PAGE_SIZE = 100;
export const HISTORY_LENGTH = 50;
/** Days ahead the *arr calendars are read for. */
export const CALENDAR_DAYS = 7;

export interface PlexLibrary {
  readonly section: PlexSection;
  /** Movies, shows, artists or photos in the section. */
  readonly count: number;
  /** Episodes, for a show section. */
  readonly episodes?: number;
}
export interface PlexSummary {
  readonly identity: PlexIdentity;
  readonly sessions: readonly PlexSession[];
  readonly libraries: readonly PlexLibrary[];
}
export interface JellyfinSummary {
  readonly info: JellyfinSystemInfo;
  readonly sessions: readonly JellyfinSession[];
}
export interface TautulliSummary {
  readonly activity: TautulliActivity;
  readonly history: TautulliHistory;
  readonly libraries: readonly TautulliLibrary[];
  readonly users: readonly TautulliUser[];
}
export interface OverseerrRecentRequest {
  readonly request: OverseerrRequest;
  /** The media's title; undefined when Overseerr could not name it. */
  readonly title: string | undefined;
}
export interface OverseerrSummary {
  readonly status: OverseerrStatus;
  readonly counts: OverseerrCounts;
  readonly totalUsers: number;
  readonly recent: readonly OverseerrRecentRequest[];
}
export interface QbittorrentSummary {
  readonly version: string;
  readonly transfer: QbitTransferInfo;
  readonly torrents: readonly QbitTorrent[];
}
export interface ArrSummary {
  readonly status: ArrSystemStatus;
  readonly health: ArrHealth;
  readonly queue: ArrQueue;
  readonly calendar: readonly ArrCalendarItem[];
}
export interface ProwlarrSummary {
  readonly status: ArrSystemStatus;
  readonly health: ArrHealth;
  readonly indexers: readonly ProwlarrIndexer[];
}

interface Entry<Name extends UpstreamName, Adapter, Summary> {
  readonly name: Name;
  /** The configured base URL. */
  readonly url: string;
  readonly adapter: Adapter;
  readonly poller: UpstreamPoller<Summary>;
  /** Plex's and Jellyfin's push socket (push.ts): held by Now Playing while it runs. */
  readonly push?: UpstreamPush;
}

export type MediaUpstream =
  | Entry<'plex', PlexAdapter, PlexSummary>
  | Entry<'jellyfin', JellyfinAdapter, JellyfinSummary>
  | Entry<'tautulli', TautulliAdapter, TautulliSummary>
  | Entry<'overseerr', OverseerrAdapter, OverseerrSummary>
  | Entry<'sonarr', ArrAdapter, ArrSummary>
  | Entry<'radarr', ArrAdapter, ArrSummary>
  | Entry<'prowlarr', ArrAdapter, ProwlarrSummary>
  | Entry<'qbittorrent', QbittorrentAdapter, QbittorrentSummary>;

export type UpstreamOf<Name extends UpstreamName> = Extract<MediaUpstream, { name: Name }>;

export interface MediaStack {
  /** The configured upstreams, in `UPSTREAM_NAMES` order. */
  readonly upstreams: readonly MediaUpstream[];
  get<Name extends UpstreamName>(name: Name): UpstreamOf<Name> | undefined;
  stop(): void;
}

export interface MediaStackOptions {
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Unix ms clock: check times, calendar ranges. @default Date.now */
  readonly now?: () => number;
  /** Poll latencies (core/clock.ts). @default performance.now */
  readonly monotonic?: () => number;
  readonly onListenerError?: (error: unknown) => void;
  /** A push socket refused, dropped or sent something unreadable (for the log). */
  readonly onPushError?: (reason: string) => void;
}

const ok = <T>(value: T, degraded?: string): PollResult<T> =>
  degraded === undefined ? { value } : { value, degraded };

async function pollPlex(adapter: PlexAdapter): Promise<PollResult<PlexSummary>> {
  const [identity, sessions, sections] = await Promise.all([
    adapter.identity(),
    adapter.sessions(),
    adapter.sections(),
  ]);
  const libraries = await Promise.all(
    sections.map(async (section): Promise<PlexLibrary> => {
      if (section.type !== 'show') return { section, count: await adapter.count(section.key) };
      const [count, episodes] = await Promise.all([
        adapter.count(section.key),
        adapter.count(section.key, 4),
      ]);
      return { section, count, episodes };
    }),
  );
  return ok({ identity, sessions, libraries });
}

async function pollOverseerr(adapter: OverseerrAdapter): Promise<PollResult<OverseerrSummary>> {
  const [status, counts, users, requests] = await Promise.all([
    adapter.status(),
    adapter.counts(),
    adapter.users(1),
    adapter.requests(RECENT_REQUESTS),
  ]);
  const recent = await Promise.all(
    requests.results.map(async (request) => {
      const tmdbId = request.media.tmdbId;
      const title =
        tmdbId === null || tmdbId === undefined
          ? undefined
          : await adapter.title(request.type, tmdbId).catch(() => undefined);
      return { request, title };
    }),
  );
  return ok({ status, counts, totalUsers: users.total, recent });
}

async function pollArr(adapter: ArrAdapter, now: () => number): Promise<PollResult<ArrSummary>> {
  const start = new Date(now());
  const end = new Date(now() + CALENDAR_DAYS * 86_400_000);
  const [status, health, queue, calendar] = await Promise.all([
    adapter.systemStatus(),
    adapter.health(),
    adapter.queue(QUEUE_PAGE_SIZE),
    adapter.calendar(start, end),
  ]);
  return ok({ status, health, queue, calendar }, arrHealthProblem(health));
}

/** Builds the configured upstreams; none is contacted until somebody subscribes. */
export function createMediaStack(config: Config, options: MediaStackOptions = {}): MediaStack {
  const now = options.now ?? Date.now;
  const timeoutMs = Math.round(config.upstreamTimeoutSeconds * 1000);
  const common = { timeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}) };
  const poller = <T>(name: UpstreamName, seconds: number, poll: () => Promise<PollResult<T>>) =>
    createPoller<T>({
      name,
      poll,
      intervalMs: Math.round(seconds * 1000),
      degradedLatencyMs: config.upstreamDegradedMs,
      now,
      ...(options.monotonic ? { monotonic: options.monotonic } : {}),
      ...(options.onListenerError ? { onListenerError: options.onListenerError } : {}),
    });
  const upstreams: MediaUpstream[] = [];
  const pushOptions = (baseUrl: string) => ({
    baseUrl,
    ...(options.monotonic ? { monotonic: options.monotonic } : {}),
    ...(options.onPushError ? { onError: options.onPushError } : {}),
  });

  if (config.plexUrl && config.plexToken) {
    const adapter = createPlexAdapter({
      baseUrl: config.plexUrl,
      token: config.plexToken,
      ...common,
    });
    const plexPoller = poller('plex', config.plexIntervalSeconds, () => pollPlex(adapter));
    upstreams.push({
      name: 'plex',
      url: config.plexUrl,
      adapter,
      poller: plexPoller,
      push: plexPush({ ...pushOptions(config.plexUrl), token: config.plexToken }, plexPoller),
    });
  }
  if (config.jellyfinUrl && config.jellyfinApiKey) {
    const adapter = createJellyfinAdapter({
      baseUrl: config.jellyfinUrl,
      apiKey: config.jellyfinApiKey,
      ...common,
    });
    const jellyfinPoller = poller<JellyfinSummary>(
      'jellyfin',
      config.jellyfinIntervalSeconds,
      async () => {
        const [info, sessions] = await Promise.all([adapter.info(), adapter.sessions()]);
        return ok({ info, sessions });
      },
    );
    upstreams.push({
      name: 'jellyfin',
      url: config.jellyfinUrl,
      adapter,
      poller: jellyfinPoller,
      push: jellyfinPush(
        {
          ...pushOptions(config.jellyfinUrl),
          apiKey: config.jellyfinApiKey,
          deviceId: JELLYFIN_DEVICE_ID,
        },
        jellyfinPoller,
      ),
    });
  }
  if (config.tautulliUrl && config.tautulliApiKey) {
    const adapter = createTautulliAdapter({
      baseUrl: config.tautulliUrl,
      apiKey: config.tautulliApiKey,
      ...common,
    });
    upstreams.push({
      name: 'tautulli',
      url: config.tautulliUrl,
      adapter,
      poller: poller('tautulli', config.tautulliIntervalSeconds, async () => {
        const [activity, history, libraries, users] = await Promise.all([
          adapter.activity(),
          adapter.history(HISTORY_LENGTH),
          adapter.libraries(),
          adapter.users(),
        ]);
        return ok({ activity, history, libraries, users });
      }),
    });
  }
  if (config.overseerrUrl && config.overseerrApiKey) {
    const adapter = createOverseerrAdapter({
      baseUrl: config.overseerrUrl,
      apiKey: config.overseerrApiKey,
      ...common,
    });
    upstreams.push({
      name: 'overseerr',
      url: config.overseerrUrl,
      adapter,
      poller: poller('overseerr', config.overseerrIntervalSeconds, () => pollOverseerr(adapter)),
    });
  }
  for (const kind of ['sonarr', 'radarr'] as const) {
    const url = config[`${kind}Url`];
    const apiKey = config[`${kind}ApiKey`];
    if (!url || !apiKey) continue;
    const adapter = createArrAdapter({ kind, baseUrl: url, apiKey, ...common });
    upstreams.push({
      name: kind,
      url,
      adapter,
      poller: poller(kind, config[`${kind}IntervalSeconds`], () => pollArr(adapter, now)),
    });
  }
  if (config.prowlarrUrl && config.prowlarrApiKey) {
    const adapter = createArrAdapter({
      kind: 'prowlarr',
      baseUrl: config.prowlarrUrl,
      apiKey: config.prowlarrApiKey,
      ...common,
    });
    upstreams.push({
      name: 'prowlarr',
      url: config.prowlarrUrl,
      adapter,
      poller: poller('prowlarr', config.prowlarrIntervalSeconds, async () => {
        const [status, health, indexers] = await Promise.all([
          adapter.systemStatus(),
          adapter.health(),
          adapter.indexers(),
        ]);
        const enabled = indexers.filter((indexer) => indexer.enable).length;
        const problem =
          arrHealthProblem(health) ??
          (indexers.length > 0 && enabled === 0 ? 'every indexer is disabled' : undefined);
        return ok({ status, health, indexers }, problem);
      }),
    });
  }
  if (config.qbittorrentUrl && config.qbittorrentUsername && config.qbittorrentPassword) {
    const adapter = createQbittorrentAdapter({
      baseUrl: config.qbittorrentUrl,
      username: config.qbittorrentUsername,
      password: config.qbittorrentPassword,
      ...common,
    });
    upstreams.push({
      name: 'qbittorrent',
      url: config.qbittorrentUrl,
      adapter,
      poller: poller('qbittorrent', config.qbittorrentIntervalSeconds, async () => {
        const [version, transfer, torrents] = await Promise.all([
          adapter.version(),
          adapter.transfer(),
          adapter.torrents(),
        ]);
        const problem =
          transfer.connection_status === 'disconnected'
            ? 'qBittorrent reports no network connection'
            : undefined;
        return ok({ version, transfer, torrents }, problem);
      }),
    });
  }

  return {
    upstreams,
    get<Name extends UpstreamName>(name: Name) {
      return upstreams.find((each) => each.name === name) as UpstreamOf<Name> | undefined;
    },
    stop() {
      for (const each of upstreams) {
        each.push?.close();
        each.poller.stop();
      }
    },
  };
}
