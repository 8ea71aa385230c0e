/**
 * Mounts `GET /api/dashboard/history`: finished playback sessions, newest first, from the store's
 * session history: viewers, operators and admins see everyone's, or one user's (`user_id`).
 *
 * Paging uses the `ended_at` instant as the cursor (`before` is exclusive). Several sessions can
 * end in the same millisecond (one expiry sweep ends them all), so a page never ends inside such a
 * group: it stops before the group and the next page starts with it. A group larger than a whole
 * page is returned whole (up to 500 rows, the largest page) as one page.
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import type { Identity } from '../../core/auth/types';
import { mountRoutes, type Authenticator } from '../../core/routes';
import type { SessionHistoryRecord, Store } from '../../core/store/types';

const { history, nowPlaying } = protocol;

/** The most rows one instant may add to a page (the largest `limit`). */
const MAX_GROUP = 500;

export interface HistoryMountOptions {
  readonly store: Pick<Store, 'sessionHistory'>;
  readonly authenticate: Authenticator;
  /** Check responses against their schemas (tests). @default false */
  readonly validateResponses?: boolean;
}

/**
 * The user whose sessions a caller may list (undefined: everyone's). Viewers, operators and
 * admins read every dashboard, history included; the route's `viewer` policy keeps display
 * tokens and device accounts out.
 */
export function historyUserId(
  identity: Identity | undefined,
  requested: number | undefined,
): number | undefined {
  if (identity?.kind !== 'user') throw new MarqueeError('FORBIDDEN', 'A user account is required');
  return requested;
}

function toSession(record: SessionHistoryRecord): protocol.history.HistorySession {
  return {
    session_id: record.sessionId,
    user_id: record.userId,
    username: record.username,
    title: record.title,
    media_type: record.mediaType,
    started_at: record.startedAt,
    ended_at: record.endedAt,
    watched_seconds: Math.max(0, Math.round(record.watchedSeconds)),
    end_reason: record.endReason,
  };
}

/** The ISO instant one millisecond after `iso`: an exclusive cursor that still includes `iso`. */
function justAfter(iso: string): string {
  return new Date(Date.parse(iso) + 1).toISOString();
}

type ListHistory = Store['sessionHistory']['list'];

/**
 * One page of at most `limit` sessions (more only for one oversized same-instant group) and the
 * cursor of the next, from the store's newest-first listing.
 */
export async function historyPage(
  list: ListHistory,
  filter: { userId?: number; before?: string; limit: number },
): Promise<{ sessions: SessionHistoryRecord[]; nextBefore: string | null }> {
  const { limit } = filter;
  const rows = await list({ ...filter, limit: limit + 1 });
  const last = rows[limit - 1];
  const next = rows[limit];
  if (last === undefined || next === undefined) return { sessions: rows, nextBefore: null };
  const page = rows.slice(0, limit);
  if (next.endedAt !== last.endedAt) return { sessions: page, nextBefore: last.endedAt };

  const groupStart = page.findIndex((r) => r.endedAt === last.endedAt);
  if (groupStart > 0) {
    return { sessions: page.slice(0, groupStart), nextBefore: justAfter(last.endedAt) };
  }
  // The whole page is one instant: return that instant whole, then move past it.
  const group = (
    await list({ ...filter, before: justAfter(last.endedAt), limit: MAX_GROUP + 1 })
  ).filter((r) => r.endedAt === last.endedAt);
  const more = await list({ ...filter, before: last.endedAt, limit: 1 });
  return {
    sessions: group.slice(0, MAX_GROUP),
    nextBefore: more.length > 0 ? last.endedAt : null,
  };
}

export function mountHistory(app: FastifyInstance, options: HistoryMountOptions): void {
  const { store } = options;
  mountRoutes(app, history.historyRoutes, {
    surface: nowPlaying.nowPlayingSurface,
    authenticate: options.authenticate,
    validateResponses: options.validateResponses ?? false,
    handlers: {
      'nowPlaying.history': async ({ query, identity }) => {
        const userId = historyUserId(identity, query.user_id);
        // Stored instants are canonical UTC (`toISOString`); compare like with like.
        const before =
          query.before === undefined ? undefined : new Date(query.before).toISOString();
        const page = await historyPage((filter) => store.sessionHistory.list(filter), {
          limit: query.limit,
          ...(userId === undefined ? {} : { userId }),
          ...(before === undefined ? {} : { before }),
        });
        return { sessions: page.sessions.map(toSession), next_before: page.nextBefore };
      },
    },
  });
}
