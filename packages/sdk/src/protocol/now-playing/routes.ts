/**
 * Seed 000's route and channel table. Kept apart from the schemas so that a panel app, which
 * imports schemas only, does not bundle the tables (and the schemas only the server needs).
 */
import * as z from 'zod/mini';
import { unixSeconds } from '../primitives';
import { defineChannel, defineRoute, defineSurface, response } from '../tables';
import { CompactSession, CompactSnapshot, CompactSystem } from './compact';
import { NowPlayingError, nowPlayingErrorShape } from './errors';
import { NowPlayingQuery } from './query';
import {
  SessionIdParams,
  SessionUpdate,
  SessionUpdateResponse,
  StopSessionResponse,
} from './sessions';
import { Session, Snapshot, StatsResponse, SystemStats } from './snapshot';

/** A session for some field list: every Session field optional. */
export const PartialSession = z.partial(Session);

/**
 * A snapshot for some field list (`?fields=...`), as documented. Clients validate against their
 * exact list with `fieldSnapshotSchema`.
 */
export const PartialSnapshot = z.object({
  sessions: z.array(PartialSession),
  system: SystemStats,
  /** Unix seconds when the snapshot was taken. */
  timestamp: unixSeconds,
});

/** Whichever form the query asked for: Snapshot (default), CompactSnapshot or PartialSnapshot. */
export const AnySnapshot = z.union([Snapshot, CompactSnapshot, PartialSnapshot]);

// The surface's documentation ids and descriptions (component names in JSON Schema, OpenAPI and
// AsyncAPI). They are registered here, beside the table the docs generator reads, rather than on
// the schemas: a panel app imports the schema files directly and so bundles neither zod's
// registry nor these strings. Everything that loads the surface (server, docs, the protocol
// index) loads this file.
const documented: ReadonlyArray<readonly [z.core.$ZodType, z.core.GlobalMeta]> = [
  [Session, { id: 'NowPlayingSession' }],
  [SystemStats, { id: 'NowPlayingSystemStats' }],
  [StatsResponse, { id: 'NowPlayingStatsResponse' }],
  [Snapshot, { id: 'NowPlayingSnapshot' }],
  [SessionUpdate, { id: 'NowPlayingSessionUpdate' }],
  [SessionUpdateResponse, { id: 'NowPlayingSessionUpdateResponse' }],
  [StopSessionResponse, { id: 'NowPlayingStopSessionResponse' }],
  [NowPlayingError, { id: 'NowPlayingError' }],
  [CompactSession, { id: 'NowPlayingCompactSession' }],
  [CompactSystem, { id: 'NowPlayingCompactSystem' }],
  [
    CompactSnapshot,
    {
      id: 'NowPlayingCompactSnapshot',
      description:
        'The compact profile (`?profile=compact`): short keys, at most 1024 bytes of JSON for an ESP32 panel',
    },
  ],
  [PartialSession, { id: 'NowPlayingPartialSession' }],
  [
    PartialSnapshot,
    {
      id: 'NowPlayingPartialSnapshot',
      description: 'A field list (`?fields=a,b`): each session carries only the fields asked for',
    },
  ],
];
for (const [schema, meta] of documented) z.globalRegistry.add(schema, meta);

const errorResponse = (description: string) => response(description, NowPlayingError);

export const nowPlayingRoutes = [
  defineRoute({
    id: 'nowPlaying.get',
    method: 'GET',
    path: '/api/dashboard/now-playing',
    summary:
      'One-time snapshot, same as the WebSocket message (HTTP fallback); `profile` and `fields` as on the WebSocket',
    auth: 'display',
    query: NowPlayingQuery,
    responses: {
      200: response(
        'The current snapshot: NowPlayingSnapshot, NowPlayingCompactSnapshot (profile=compact) or NowPlayingPartialSnapshot (fields=...)',
        AnySnapshot,
      ),
      400: errorResponse('Unknown profile or field name'),
      401: errorResponse('Missing, invalid, expired or revoked token'),
      403: errorResponse('A display token of another surface, or a device account'),
    },
  }),
  defineRoute({
    id: 'nowPlaying.stats',
    method: 'GET',
    path: '/api/dashboard/stats',
    summary: 'System statistics only (public displays)',
    auth: 'none',
    responses: { 200: response('System statistics', StatsResponse) },
  }),
  defineRoute({
    id: 'nowPlaying.sessionUpdate',
    method: 'POST',
    path: '/api/dashboard/session/update',
    summary: 'Track an active session (called by the web player every 5–10 s)',
    auth: 'operator',
    body: SessionUpdate,
    bodyKind: 'json',
    responses: {
      200: response('Session stored and broadcast', SessionUpdateResponse),
      400: errorResponse('Malformed JSON or invalid fields'),
      401: errorResponse('Missing or invalid token'),
      403: errorResponse('Not an operator or admin, or the session belongs to another user'),
      413: errorResponse('Body too large'),
      429: errorResponse(
        'A new session beyond MARQUEE_MAX_SESSIONS_PER_USER or MARQUEE_MAX_SESSIONS; Retry-After says when an idle one will have ended',
      ),
    },
  }),
  defineRoute({
    id: 'nowPlaying.sessionStop',
    method: 'POST',
    path: '/api/dashboard/session/{session_id}/stop',
    summary: 'Stop and remove a session (owner or admin)',
    auth: 'operator',
    params: SessionIdParams,
    responses: {
      200: response('Session stopped', StopSessionResponse),
      400: errorResponse('Invalid session id'),
      401: errorResponse('Missing or invalid token'),
      403: errorResponse('Not an operator, or not the session owner nor an admin'),
      404: errorResponse('No such session'),
      409: errorResponse(
        'The session is read from Plex or Jellyfin (`source`): stop it on that media server',
      ),
    },
  }),
] as const;

export const nowPlayingChannels = [
  defineChannel({
    id: 'nowPlaying.ws',
    path: '/api/dashboard/ws',
    summary:
      'Snapshot on connect, every 2 s and immediately when a session changes. Open on the LAN by default. `?profile=compact` sends the compact profile (at most 1024 bytes), `?fields=a,b` sessions with only those fields.',
    auth: 'none',
    query: NowPlayingQuery,
    serverMessages: AnySnapshot,
  }),
] as const;

export const nowPlayingSurface = defineSurface({
  name: 'now-playing',
  title: 'Now Playing',
  seed: '000_e5da033e5239ab9e.txt',
  description: 'Who watches what plus system stats for ESP32 panels, tablets and smart mirrors.',
  errorShape: nowPlayingErrorShape,
  routes: nowPlayingRoutes,
  channels: nowPlayingChannels,
});
