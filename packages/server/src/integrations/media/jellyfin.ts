/**
 * Jellyfin: `GET /System/Info` (server name, version) and `GET /Sessions` (who plays what), with
 * the API key in `Authorization: MediaBrowser Token="…"` as Jellyfin's API documentation
 * (api.jellyfin.org) gives it. Jellyfin sends `null` for absent fields; positions are in ticks
 * (10,000 per millisecond).
 */
import { z } from 'zod';
import { createUpstreamHttp, type UpstreamHttp } from '../upstream/http';
import { maybeString, numberish } from './shapes';

export const JellyfinSystemInfo = z.object({
  ServerName: maybeString,
  Version: z.string(),
  Id: z.string(),
  OperatingSystem: maybeString,
});
export type JellyfinSystemInfo = z.infer<typeof JellyfinSystemInfo>;

export const JellyfinSession = z.object({
  Id: z.string(),
  UserId: maybeString,
  UserName: maybeString,
  Client: maybeString,
  DeviceName: maybeString,
  /** False for clients that take no commands (Jellyfin's own flag). */
  SupportsRemoteControl: z.boolean().nullish(),
  NowPlayingItem: z
    .object({
      Id: z.string(),
      Name: maybeString,
      Type: maybeString,
      SeriesName: maybeString,
      RunTimeTicks: numberish.nullish(),
      ParentIndexNumber: numberish.nullish(),
      IndexNumber: numberish.nullish(),
    })
    .nullish(),
  PlayState: z
    .object({
      PositionTicks: numberish.nullish(),
      IsPaused: z.boolean().nullish(),
      PlayMethod: maybeString,
    })
    .nullish(),
  TranscodingInfo: z.object({ Bitrate: numberish.nullish() }).nullish(),
});
export type JellyfinSession = z.infer<typeof JellyfinSession>;

export const TICKS_PER_MS = 10_000;

/** The device id Marquee gives itself on Jellyfin (its HTTP calls and its socket). */
export const JELLYFIN_DEVICE_ID = 'marquee-media-stack';

export interface JellyfinOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

export interface JellyfinAdapter {
  readonly http: UpstreamHttp;
  info(): Promise<JellyfinSystemInfo>;
  /** Sessions active in the last 16 minutes (Jellyfin's web client's own window). */
  sessions(): Promise<JellyfinSession[]>;
  /**
   * A playstate command to a session's client: `POST /Sessions/{id}/Playing/{command}` (204);
   * `Seek` takes `seekPositionTicks`.
   * Resolves with the status Jellyfin answered; a refused credential throws.
   */
  playstate(
    sessionId: string,
    command: JellyfinPlaystateCommand,
    seekPositionTicks?: number,
  ): Promise<number>;
}

/** The playstate commands Marquee sends (Jellyfin's `PlaystateCommand` has more). */
export type JellyfinPlaystateCommand = 'Pause' | 'Unpause' | 'Stop' | 'Seek';

export function createJellyfinAdapter(options: JellyfinOptions): JellyfinAdapter {
  const http = createUpstreamHttp({
    name: 'jellyfin',
    baseUrl: options.baseUrl,
    credentialHint: 'MARQUEE_JELLYFIN_API_KEY',
    timeoutMs: options.timeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    headers: () => ({
      authorization: `MediaBrowser Client="Marquee", Device="server", DeviceId="${JELLYFIN_DEVICE_ID}", Version="1", Token="${options.apiKey}"`,
    }),
  });
  return {
    http,
    info: () => http.json(JellyfinSystemInfo, { path: '/System/Info', what: 'the system info' }),
    sessions: () =>
      http.json(z.array(JellyfinSession), {
        path: '/Sessions',
        query: { activeWithinSeconds: 960 },
        what: 'the sessions',
      }),
    async playstate(sessionId, command, seekPositionTicks) {
      const answer = await http.send({
        path: `/Sessions/${encodeURIComponent(sessionId)}/Playing/${command}`,
        ...(seekPositionTicks === undefined ? {} : { query: { seekPositionTicks } }),
        method: 'POST',
        what: `the ${command} command`,
      });
      return answer.status;
    },
  };
}
