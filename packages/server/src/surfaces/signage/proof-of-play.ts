/**
 * Proof of play: `POST /api/v1/cloud/proof-of-play/` (a device's batch of plays, de-duplicated by
 * (device, play id)), `GET /api/v1/admin/cloud/plays/` (one page, filtered) and
 * `GET /api/v1/admin/cloud/plays/export/` (CSV, streamed page by page).
 *
 * Bounds: a batch holds at most MAX_PLAY_BATCH plays (and the server's body limit); a device sends
 * at most `batchesPerMinute` batches (beyond: 429 RATE_LIMITED with Retry-After, counted per
 * device after its ownership is checked, so nobody spends another device's allowance); stored
 * plays are kept `retentionDays` by their start, `maxRowsPerDevice` per device (its newest by
 * start: a flooding device pushes out only its own plays) and `maxRows` in all, pruned after each
 * batch; an export refuses (400) more than MAX_PLAY_EXPORT rows rather than cutting them off
 * silently.
 */
import { Readable } from 'node:stream';
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import { monotonicNow, type MonotonicClock } from '../../core/clock';
import { LimitStore, RetryLaterError } from '../../core/rate-limit';
import { pickRoutes } from '../../core/routes';
import { assertPairedWith, deviceFor, requireUser } from './access';
import { mountSignageRoutes, type SignageRouteOptions } from './route-helpers';
import type {
  SignagePlayCursor,
  SignagePlayFilter,
  SignagePlayRecord,
  SignagePlaysRepository,
  SignageRepositories,
} from './store';

const { signage } = protocol;

export interface ProofOfPlayOptions extends SignageRouteOptions {
  /** Plays are kept this many days from their start. */
  readonly retentionDays: number;
  /** Plays kept in all (the newest received). */
  readonly maxRows: number;
  /** Plays kept per device (its newest by start). */
  readonly maxRowsPerDevice: number;
  /** Batches a device may send per minute. */
  readonly batchesPerMinute: number;
  /** Clock of the rate windows. @default performance.now */
  readonly monotonic?: MonotonicClock;
}

const RATE_WINDOW_MS = 60_000;

const routes = pickRoutes(signage.proofOfPlayRoutes, [
  'signage.proofOfPlay',
  'signage.adminPlayList',
  'signage.adminPlayExport',
]);

const DEFAULT_PAGE = 100;
/** Rows read per store call while streaming an export. */
const EXPORT_CHUNK = 1000;

function filterOf(query: protocol.signage.PlayExportQuery): SignagePlayFilter {
  return {
    ...(query.sn_number === undefined ? {} : { snNumber: query.sn_number }),
    ...(query.from === undefined ? {} : { from: utc(query.from) }),
    ...(query.to === undefined ? {} : { to: utc(query.to) }),
    ...(query.media_id === undefined ? {} : { mediaId: query.media_id }),
    ...(query.playlist_id === undefined ? {} : { playlistId: query.playlist_id }),
  };
}

/** Stored times are UTC `toISOString()` text, so they compare as text; inputs may carry offsets. */
function utc(iso: string): string {
  return new Date(iso).toISOString();
}

function view(play: SignagePlayRecord): protocol.signage.PlayView {
  return {
    id: play.playId,
    sn_number: play.snNumber,
    playlist_id: play.playlistId,
    media_id: play.mediaId,
    zone: play.zone,
    started_at: play.startedAt,
    ended_at: play.endedAt,
    duration_ms: play.durationMs,
    completed: play.completed,
    received_at: play.receivedAt,
  };
}

/** One CSV field (RFC 4180); a leading formula character is neutralised for spreadsheets. */
function csvField(value: string | number | boolean): string {
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvRow(play: protocol.signage.PlayView): string {
  return `${signage.PLAY_CSV_COLUMNS.map((column) => csvField(play[column])).join(',')}\r\n`;
}

async function* csvLines(
  plays: SignagePlaysRepository,
  filter: SignagePlayFilter,
  total: number,
): AsyncGenerator<string> {
  yield `${signage.PLAY_CSV_COLUMNS.join(',')}\r\n`;
  // Keyset chunks (not OFFSET): each costs the same however far into the export it is.
  let cursor: SignagePlayCursor | undefined;
  for (let sent = 0; sent < total;) {
    const chunk = await plays.listAfter(filter, cursor, Math.min(EXPORT_CHUNK, total - sent));
    if (chunk.plays.length === 0) return;
    sent += chunk.plays.length;
    cursor = chunk.next;
    yield chunk.plays.map((play) => csvRow(view(play))).join('');
  }
}

/** Deletes the plays past their retention and beyond the row cap; answers how many went. */
export function pruneOldPlays(
  store: Pick<SignageRepositories, 'plays'>,
  now: number,
  bounds: Pick<ProofOfPlayOptions, 'retentionDays' | 'maxRows'>,
): Promise<number> {
  return store.plays.prune(
    new Date(now - bounds.retentionDays * 86_400_000).toISOString(),
    bounds.maxRows,
  );
}

export function mountProofOfPlay(app: FastifyInstance, options: ProofOfPlayOptions): void {
  const { store } = options;
  const plays = store.plays;
  // One window per device; the least recently counted device is forgotten beyond maxKeys.
  const batches = new LimitStore({ now: options.monotonic ?? monotonicNow });
  const countBatch = (snNumber: string) => {
    const window = batches.hit(snNumber, RATE_WINDOW_MS);
    if (window.current > options.batchesPerMinute) {
      throw new RetryLaterError(
        'RATE_LIMITED',
        `Device ${snNumber} sent more than ${options.batchesPerMinute} proof-of-play batches ` +
          'this minute (MARQUEE_PROOF_OF_PLAY_BATCHES_PER_MINUTE); send larger batches less often',
        window.ttl,
      );
    }
  };
  mountSignageRoutes(app, routes, options, {
    'signage.proofOfPlay': async ({ body, identity }) => {
      const problems = body.plays.flatMap((play, i) =>
        Date.parse(play.ended_at) < Date.parse(play.started_at)
          ? [`plays.${i}.ended_at: before started_at`]
          : [],
      );
      const ids = new Set(body.plays.map((play) => play.id));
      if (ids.size !== body.plays.length) problems.push('plays: an id appears twice');
      if (problems.length > 0) {
        throw new MarqueeError('BAD_REQUEST', `Invalid plays: ${problems.join('; ')}`);
      }
      const user = requireUser(identity);
      await assertPairedWith(store, user, body.sn_number);
      const device = await deviceFor(store, identity, body.sn_number);
      countBatch(device.snNumber);
      const now = options.now();
      const receivedAt = new Date(now).toISOString();
      const oldest = new Date(now - options.retentionDays * 86_400_000).toISOString();
      const records = body.plays.map((play) => ({
        snNumber: device.snNumber,
        playId: play.id,
        playlistId: play.playlist_id,
        mediaId: play.media_id,
        zone: play.zone,
        startedAt: utc(play.started_at),
        endedAt: utc(play.ended_at),
        durationMs: play.duration_ms,
        completed: play.completed,
        receivedAt,
      }));
      const kept = records.filter((play) => play.startedAt >= oldest);
      const accepted = kept.length === 0 ? 0 : await plays.insert(kept);
      if (accepted > 0) {
        await plays.pruneDevice(device.snNumber, options.maxRowsPerDevice);
        await pruneOldPlays(store, now, options);
      }
      return {
        accepted,
        duplicates: kept.length - accepted,
        discarded: records.length - kept.length,
      };
    },
    'signage.adminPlayList': async ({ query }) => {
      const filter = filterOf(query);
      const [count, page] = await Promise.all([
        plays.count(filter),
        plays.list(filter, { limit: query.limit ?? DEFAULT_PAGE, offset: query.offset ?? 0 }),
      ]);
      return { count, results: page.map(view) };
    },
    'signage.adminPlayExport': async ({ query, reply }) => {
      const filter = filterOf(query);
      const total = await plays.count(filter);
      if (total > signage.MAX_PLAY_EXPORT) {
        throw new MarqueeError(
          'BAD_REQUEST',
          `${total} plays match; an export holds at most ${signage.MAX_PLAY_EXPORT}: narrow the period or device`,
        );
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="plays.csv"')
        .header('x-content-type-options', 'nosniff')
        .send(Readable.from(csvLines(plays, filter, total)));
    },
  });
}
