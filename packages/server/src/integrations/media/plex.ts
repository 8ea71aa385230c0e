/**
 * Plex Media Server: its HTTP API with `X-Plex-Token` and JSON answers (`Accept:
 * application/json`): `GET /` (the server's identity), `GET /status/sessions` (what is playing),
 * `GET /library/sections` (the libraries) and `GET /library/sections/{key}/all` with a container
 * size of 0 (an item count without the items). Shapes from Plex's API documentation
 * (developer.plex.tv, "Media Server API"): only the fields Marquee reads are required, and Plex
 * leaves `Metadata` / `Directory` out of an empty container.
 */
import { z } from 'zod';
import { createUpstreamHttp, type UpstreamHttp } from '../upstream/http';
import { maybeString, numberish } from './shapes';

export const PlexIdentity = z.object({
  MediaContainer: z.object({
    friendlyName: z.string().optional(),
    machineIdentifier: z.string(),
    version: z.string(),
    platform: z.string().optional(),
    platformVersion: z.string().optional(),
    transcoderActiveVideoSessions: numberish.optional(),
    myPlexMappingState: z.string().optional(),
    transcoderVideo: z.union([z.boolean(), numberish]).optional(),
  }),
});
export type PlexIdentity = z.infer<typeof PlexIdentity>['MediaContainer'];

export const PlexSession = z.object({
  sessionKey: z.union([z.string(), z.number()]).transform(String),
  ratingKey: z.union([z.string(), z.number()]).transform(String).optional(),
  type: z.string(),
  title: z.string(),
  grandparentTitle: maybeString,
  parentIndex: numberish.optional(),
  index: numberish.optional(),
  viewOffset: numberish.optional(),
  duration: numberish.optional(),
  thumb: maybeString,
  grandparentThumb: maybeString,
  User: z
    .object({ id: z.union([z.string(), z.number()]).optional(), title: z.string() })
    .optional(),
  Player: z
    .object({
      title: z.string().optional(),
      product: z.string().optional(),
      platform: z.string().optional(),
      state: z.string(),
      machineIdentifier: z.string().optional(),
    })
    .optional(),
  Session: z
    .object({
      id: z.string().optional(),
      bandwidth: numberish.optional(),
      location: z.string().optional(),
    })
    .optional(),
  TranscodeSession: z.object({ videoDecision: z.string().optional() }).optional(),
});
export type PlexSession = z.infer<typeof PlexSession>;

export const PlexSessions = z.object({
  MediaContainer: z.object({ size: numberish, Metadata: z.array(PlexSession).optional() }),
});

export const PlexSection = z.object({
  key: z.union([z.string(), z.number()]).transform(String),
  title: z.string(),
  type: z.string(),
  /** Unix seconds of the last scan. */
  scannedAt: numberish.optional(),
  updatedAt: numberish.optional(),
});
export type PlexSection = z.infer<typeof PlexSection>;

export const PlexSections = z.object({
  MediaContainer: z.object({ size: numberish, Directory: z.array(PlexSection).optional() }),
});

const PlexCount = z.object({
  MediaContainer: z.object({ size: numberish, totalSize: numberish.optional() }),
});

export interface PlexOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

export interface PlexAdapter {
  readonly http: UpstreamHttp;
  identity(): Promise<PlexIdentity>;
  sessions(): Promise<PlexSession[]>;
  sections(): Promise<PlexSection[]>;
  /** Items in a section; Plex `type` 4 counts a show section's episodes. */
  count(sectionKey: string, type?: number): Promise<number>;
  /**
   * A companion (remote control) command to a player through the server:
   * `GET /player/playback/{command}?type=…&commandID=…` with `X-Plex-Target-Client-Identifier`
   * naming the player (its `machineIdentifier`); `seekTo` takes `offset` in milliseconds. Resolves
   * with the status Plex answered.
   */
  playerCommand(
    clientId: string,
    command: PlexPlayerCommand,
    mediaType: string,
    offsetMs?: number,
  ): Promise<number>;
}

/** Plex companion playback commands Marquee sends. */
export type PlexPlayerCommand = 'pause' | 'play' | 'stop' | 'seekTo';

/** The companion API's `type` for a Plex item type. */
function companionType(type: string): 'video' | 'music' | 'photo' {
  if (type === 'track' || type === 'music') return 'music';
  if (type === 'photo') return 'photo';
  return 'video';
}

export function createPlexAdapter(options: PlexOptions): PlexAdapter {
  let commandId = 0;
  const http = createUpstreamHttp({
    name: 'plex',
    baseUrl: options.baseUrl,
    credentialHint: 'MARQUEE_PLEX_TOKEN',
    timeoutMs: options.timeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    headers: () => ({
      'x-plex-token': options.token,
      'x-plex-product': 'Marquee',
      'x-plex-client-identifier': 'marquee-media-stack',
    }),
  });
  return {
    http,
    async identity() {
      return (await http.json(PlexIdentity, { path: '/', what: 'the server identity' }))
        .MediaContainer;
    },
    async sessions() {
      const answer = await http.json(PlexSessions, {
        path: '/status/sessions',
        what: 'the sessions',
      });
      return answer.MediaContainer.Metadata ?? [];
    },
    async sections() {
      const answer = await http.json(PlexSections, {
        path: '/library/sections',
        what: 'the libraries',
      });
      return answer.MediaContainer.Directory ?? [];
    },
    async count(sectionKey, type) {
      const answer = await http.json(PlexCount, {
        path: `/library/sections/${encodeURIComponent(sectionKey)}/all`,
        query: {
          'X-Plex-Container-Start': 0,
          'X-Plex-Container-Size': 0,
          ...(type === undefined ? {} : { type }),
        },
        what: `the size of library ${sectionKey}`,
      });
      return answer.MediaContainer.totalSize ?? answer.MediaContainer.size;
    },
    async playerCommand(clientId, command, mediaType, offsetMs) {
      commandId += 1;
      const answer = await http.send({
        path: `/player/playback/${command}`,
        query: {
          type: companionType(mediaType),
          commandID: commandId,
          ...(offsetMs === undefined ? {} : { offset: offsetMs }),
        },
        headers: { 'x-plex-target-client-identifier': clientId },
        what: `the ${command} command`,
      });
      return answer.status;
    },
  };
}
