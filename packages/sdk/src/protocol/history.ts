/**
 * Finished playback sessions (seed 000's "historical playback stats"): who watched what, when and
 * for how long. A Marquee addition on the Now Playing surface; pages go newest first and carry a
 * `next_before` cursor. Non-admins see only their own sessions.
 */
import * as z from 'zod';
import { defineRoute, isoDateTime, nonNegativeInt, queryInt, response } from './common';
import { nowPlayingErrorShape } from './now-playing';

export const HistoryQuery = z.object({
  /** Sessions per page. @default 50 */
  limit: queryInt(1, 500).default(50),
  /** Only sessions that ended strictly before this instant (the previous page's `next_before`). */
  before: isoDateTime.optional(),
  /** Admins only: one user's sessions. Non-admins may pass only their own id. */
  user_id: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
});
export type HistoryQuery = z.infer<typeof HistoryQuery>;

/** Why a session ended: stopped through the API, expired without updates, or played through. */
export const EndReason = z.enum(['stopped', 'expired', 'finished']);
export type EndReason = z.infer<typeof EndReason>;

export const HistorySession = z
  .object({
    session_id: z.string(),
    user_id: z.number().int(),
    /** The name the player reported for the session (the account name when it sent none). */
    username: z.string(),
    title: z.string(),
    media_type: z.string(),
    started_at: isoDateTime,
    ended_at: isoDateTime,
    /** Seconds of media actually played, rounded. */
    watched_seconds: nonNegativeInt,
    end_reason: EndReason,
  })
  .meta({ id: 'NowPlayingHistorySession' });
export type HistorySession = z.infer<typeof HistorySession>;

export const HistoryResponse = z
  .object({
    /** Newest `ended_at` first. */
    sessions: z.array(HistorySession),
    /** Pass as `before` for the next page; null on the last page. */
    next_before: isoDateTime.nullable(),
  })
  .meta({ id: 'NowPlayingHistoryResponse' });
export type HistoryResponse = z.infer<typeof HistoryResponse>;

const errorResponse = (description: string) => response(description, nowPlayingErrorShape.schema);

export const historyRoutes = [
  defineRoute({
    id: 'nowPlaying.history',
    method: 'GET',
    path: '/api/dashboard/history',
    summary:
      'Finished sessions, newest first, paged with a `before` cursor (own sessions unless admin)',
    auth: 'viewer',
    query: HistoryQuery,
    responses: {
      200: response('One page of finished sessions', HistoryResponse),
      400: errorResponse('limit, before or user_id invalid'),
      401: errorResponse('Missing or invalid token'),
      403: errorResponse(
        "A display token or device account, or a non-admin asking for another user's sessions",
      ),
    },
    extension: true,
  }),
] as const;
