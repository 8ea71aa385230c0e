/**
 * Overseerr (and Jellyseerr, which keeps its API): `GET /api/v1/status`, `/api/v1/request/count`,
 * `/api/v1/request` (newest first) and `/api/v1/user`, with `X-Api-Key`, as its OpenAPI document
 * (overseerr.dev/api-docs) gives them. A request's `status` is 1 pending approval, 2 approved,
 * 3 declined (Jellyseerr adds 4 failed and 5 completed); its media's `status` is 1 unknown,
 * 2 pending, 3 processing, 4 partially available, 5 available. A request carries no title: the
 * title is the media's, looked up by TMDB id (`/api/v1/movie/{id}`, `/api/v1/tv/{id}`) and cached.
 */
import { z } from 'zod';
import { createUpstreamHttp, type UpstreamHttp } from '../upstream/http';
import { maybeString, numberish } from './shapes';

export const OverseerrStatus = z.object({
  version: z.string(),
  commitTag: maybeString,
  updateAvailable: z.boolean().optional(),
});
export type OverseerrStatus = z.infer<typeof OverseerrStatus>;

export const OverseerrCounts = z.object({
  total: numberish,
  movie: numberish,
  tv: numberish,
  pending: numberish,
  approved: numberish,
  declined: numberish,
  processing: numberish,
  available: numberish,
  /** Jellyseerr and newer Overseerr only. */
  completed: numberish.optional(),
  failed: numberish.optional(),
});
export type OverseerrCounts = z.infer<typeof OverseerrCounts>;

const OverseerrUserRef = z.object({
  id: numberish,
  displayName: maybeString,
  username: maybeString,
  plexUsername: maybeString,
  jellyfinUsername: maybeString,
  email: maybeString,
  requestCount: numberish.optional(),
});
export type OverseerrUser = z.infer<typeof OverseerrUserRef>;

export const OverseerrRequest = z.object({
  id: numberish,
  status: numberish,
  type: z.enum(['movie', 'tv']),
  createdAt: z.string(),
  updatedAt: z.string().nullish(),
  media: z.object({ tmdbId: numberish.nullish(), status: numberish }),
  requestedBy: OverseerrUserRef.nullish(),
});
export type OverseerrRequest = z.infer<typeof OverseerrRequest>;

const PageInfo = z.object({ results: numberish, page: numberish.optional() });

export const OverseerrRequests = z.object({
  pageInfo: PageInfo,
  results: z.array(OverseerrRequest),
});
export const OverseerrUsers = z.object({ pageInfo: PageInfo, results: z.array(OverseerrUserRef) });

const MediaDetails = z.object({ title: z.string().optional(), name: z.string().optional() });

/** Titles remembered by TMDB id (bounded; the oldest is forgotten first). */
export const MAX_CACHED_TITLES = 1000;

export interface OverseerrOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

export interface OverseerrAdapter {
  readonly http: UpstreamHttp;
  status(): Promise<OverseerrStatus>;
  counts(): Promise<OverseerrCounts>;
  /** The newest `take` requests. */
  requests(take: number): Promise<{ total: number; results: OverseerrRequest[] }>;
  /** The first `take` users and how many there are. */
  users(take: number): Promise<{ total: number; results: OverseerrUser[] }>;
  /** The media's title, or undefined when Overseerr cannot name it. */
  title(type: 'movie' | 'tv', tmdbId: number): Promise<string | undefined>;
}

/** The name Overseerr shows for a user. */
export function overseerrUserName(user: OverseerrUser | null | undefined): string {
  if (!user) return 'unknown';
  return (
    user.displayName ??
    user.username ??
    user.plexUsername ??
    user.jellyfinUsername ??
    user.email ??
    `user ${user.id}`
  );
}

export function createOverseerrAdapter(options: OverseerrOptions): OverseerrAdapter {
  const http = createUpstreamHttp({
    name: 'overseerr',
    baseUrl: options.baseUrl,
    credentialHint: 'MARQUEE_OVERSEERR_API_KEY',
    timeoutMs: options.timeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    headers: () => ({ 'x-api-key': options.apiKey }),
  });
  const titles = new Map<string, string>();
  return {
    http,
    status: () => http.json(OverseerrStatus, { path: '/api/v1/status', what: 'the status' }),
    counts: () =>
      http.json(OverseerrCounts, { path: '/api/v1/request/count', what: 'the request counts' }),
    async requests(take) {
      const answer = await http.json(OverseerrRequests, {
        path: '/api/v1/request',
        query: { take, skip: 0, sort: 'added', filter: 'all' },
        what: 'the requests',
      });
      return { total: answer.pageInfo.results, results: answer.results };
    },
    async users(take) {
      const answer = await http.json(OverseerrUsers, {
        path: '/api/v1/user',
        query: { take, skip: 0 },
        what: 'the users',
      });
      return { total: answer.pageInfo.results, results: answer.results };
    },
    async title(type, tmdbId) {
      const key = `${type}:${tmdbId}`;
      const known = titles.get(key);
      if (known !== undefined) return known;
      const details = await http.json(MediaDetails, {
        path: `/api/v1/${type}/${tmdbId}`,
        what: `the ${type} ${tmdbId}`,
      });
      const title = details.title ?? details.name;
      if (title === undefined) return undefined;
      if (titles.size >= MAX_CACHED_TITLES) {
        const oldest = titles.keys().next().value;
        if (oldest !== undefined) titles.delete(oldest);
      }
      titles.set(key, title);
      return title;
    },
  };
}
