/**
 * Sonarr and Radarr, API v3 (their OpenAPI documents, sonarr.tv / radarr.video "API"), and
 * Prowlarr, API v1: `X-Api-Key`, then `GET system/status`, `health`, and Sonarr / Radarr's
 * `queue` (paged, `records`) and `calendar` (a date range), Prowlarr's `indexer`. The three share
 * one adapter; only the API version and which lists exist differ.
 */
import { z } from 'zod';
import { createUpstreamHttp, type UpstreamHttp } from '../upstream/http';
import { ArrHealth, ArrSystemStatus, maybeString, numberish } from './shapes';

export const ArrQueueRecord = z.object({
  id: numberish,
  title: maybeString,
  status: maybeString,
  trackedDownloadStatus: maybeString,
  trackedDownloadState: maybeString,
  /** Bytes. */
  size: numberish.optional(),
  sizeleft: numberish.optional(),
  /** `HH:MM:SS` (or `d.HH:MM:SS`). */
  timeleft: maybeString,
  estimatedCompletionTime: maybeString,
  downloadClient: maybeString,
  protocol: maybeString,
});
export type ArrQueueRecord = z.infer<typeof ArrQueueRecord>;

export const ArrQueue = z.object({
  page: numberish.optional(),
  pageSize: numberish.optional(),
  totalRecords: numberish,
  records: z.array(ArrQueueRecord),
});
export type ArrQueue = z.infer<typeof ArrQueue>;

/** A calendar entry: a Sonarr episode (`airDateUtc`) or a Radarr movie (release dates). */
export const ArrCalendarItem = z.object({
  id: numberish,
  title: maybeString,
  hasFile: z.boolean().optional(),
  monitored: z.boolean().optional(),
  airDateUtc: maybeString,
  seasonNumber: numberish.optional(),
  episodeNumber: numberish.optional(),
  series: z.object({ title: maybeString }).nullish(),
  inCinemas: maybeString,
  digitalRelease: maybeString,
  physicalRelease: maybeString,
});
export type ArrCalendarItem = z.infer<typeof ArrCalendarItem>;

export const ProwlarrIndexer = z.object({
  id: numberish,
  name: maybeString,
  enable: z.boolean(),
  protocol: maybeString,
  priority: numberish.optional(),
});
export type ProwlarrIndexer = z.infer<typeof ProwlarrIndexer>;

export type ArrKind = 'sonarr' | 'radarr' | 'prowlarr';

export interface ArrOptions {
  readonly kind: ArrKind;
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

export interface ArrAdapter {
  readonly kind: ArrKind;
  readonly http: UpstreamHttp;
  systemStatus(): Promise<ArrSystemStatus>;
  health(): Promise<ArrHealth>;
  /** Sonarr / Radarr: the first `pageSize` queue records and the total. */
  queue(pageSize: number): Promise<ArrQueue>;
  /** Sonarr / Radarr: what airs or is released between the two instants. */
  calendar(start: Date, end: Date): Promise<ArrCalendarItem[]>;
  /** Prowlarr: its indexers. */
  indexers(): Promise<ProwlarrIndexer[]>;
}

export function createArrAdapter(options: ArrOptions): ArrAdapter {
  const api = options.kind === 'prowlarr' ? '/api/v1' : '/api/v3';
  const http = createUpstreamHttp({
    name: options.kind,
    baseUrl: options.baseUrl,
    credentialHint: `MARQUEE_${options.kind.toUpperCase()}_API_KEY`,
    timeoutMs: options.timeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    headers: () => ({ 'x-api-key': options.apiKey }),
  });
  const only = (kinds: readonly ArrKind[], what: string) => {
    if (!kinds.includes(options.kind)) throw new Error(`${options.kind} has no ${what}`);
  };
  return {
    kind: options.kind,
    http,
    systemStatus: () =>
      http.json(ArrSystemStatus, { path: `${api}/system/status`, what: 'the system status' }),
    health: () => http.json(ArrHealth, { path: `${api}/health`, what: 'the health checks' }),
    queue(pageSize) {
      only(['sonarr', 'radarr'], 'queue');
      return http.json(ArrQueue, {
        path: `${api}/queue`,
        query: { page: 1, pageSize },
        what: 'the queue',
      });
    },
    calendar(start, end) {
      only(['sonarr', 'radarr'], 'calendar');
      return http.json(z.array(ArrCalendarItem), {
        path: `${api}/calendar`,
        query: {
          start: start.toISOString(),
          end: end.toISOString(),
          ...(options.kind === 'sonarr' ? { includeSeries: 'true' } : {}),
        },
        what: 'the calendar',
      });
    },
    indexers() {
      only(['prowlarr'], 'indexers');
      return http.json(z.array(ProwlarrIndexer), { path: `${api}/indexer`, what: 'the indexers' });
    },
  };
}
