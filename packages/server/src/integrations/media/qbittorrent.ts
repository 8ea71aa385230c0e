/**
 * qBittorrent's WebUI API v2 (its wiki, "WebUI API (qBittorrent 4.1)"): a cookie session from
 * `POST /api/v2/auth/login` (form `username`, `password`; the answer is `Ok.` with a `SID`
 * cookie, or `Fails.`; 403 when qBittorrent has banned the address after failed logins), then
 * `GET /api/v2/app/version`, `/api/v2/transfer/info` and `/api/v2/torrents/info`. A call answered
 * 403 means the session expired: the adapter signs in again once and repeats it.
 */
import { z } from 'zod';
import { UpstreamError } from '../upstream/errors';
import {
  createUpstreamHttp,
  decodeJson,
  type UpstreamCall,
  type UpstreamHttp,
} from '../upstream/http';
import { numberish } from './shapes';

export const QbitTransferInfo = z.object({
  /** Bytes per second. */
  dl_info_speed: numberish,
  /** Bytes downloaded this session. */
  dl_info_data: numberish,
  up_info_speed: numberish,
  up_info_data: numberish,
  connection_status: z.string().optional(),
});
export type QbitTransferInfo = z.infer<typeof QbitTransferInfo>;

export const QbitTorrent = z.object({
  hash: z.string(),
  name: z.string(),
  size: numberish,
  total_size: numberish.optional(),
  /** 0 … 1. */
  progress: numberish,
  dlspeed: numberish,
  upspeed: numberish.optional(),
  /** Seconds; 8640000 means unknown. */
  eta: numberish,
  state: z.string(),
  added_on: numberish.optional(),
  /** Unix seconds; -1 or 0 while incomplete. */
  completion_on: numberish.optional(),
  amount_left: numberish.optional(),
  category: z.string().optional(),
});
export type QbitTorrent = z.infer<typeof QbitTorrent>;

/** qBittorrent's "unknown" ETA (100 days). */
export const QBIT_ETA_UNKNOWN = 8_640_000;

/** States in which a torrent is queued, waiting for a slot. */
export const QBIT_QUEUED_STATES = new Set([
  'queuedDL',
  'stalledDL',
  'metaDL',
  'checkingDL',
  'allocating',
]);
/** States in which a torrent is downloading. */
export const QBIT_ACTIVE_STATES = new Set(['downloading', 'forcedDL']);
export const QBIT_ERROR_STATES = new Set(['error', 'missingFiles']);

export interface QbittorrentOptions {
  readonly baseUrl: string;
  readonly username: string;
  readonly password: string;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

export interface QbittorrentAdapter {
  readonly http: UpstreamHttp;
  /** `v4.5.4` → `4.5.4`. */
  version(): Promise<string>;
  transfer(): Promise<QbitTransferInfo>;
  torrents(): Promise<QbitTorrent[]>;
  /** Sign-ins performed (a test sees a session reused). */
  readonly logins: number;
}

export function createQbittorrentAdapter(options: QbittorrentOptions): QbittorrentAdapter {
  let sid: string | undefined;
  let signingIn: Promise<void> | undefined;
  let logins = 0;
  const http = createUpstreamHttp({
    name: 'qbittorrent',
    baseUrl: options.baseUrl,
    credentialHint: 'MARQUEE_QBITTORRENT_USERNAME and MARQUEE_QBITTORRENT_PASSWORD',
    timeoutMs: options.timeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    // 403 on an API call means "not signed in" here; the adapter handles it.
    authStatuses: [],
    // qBittorrent's CSRF check wants a Referer of its own origin.
    headers: () => ({ referer: options.baseUrl, ...(sid ? { cookie: `SID=${sid}` } : {}) }),
  });

  async function signIn(): Promise<void> {
    logins += 1;
    const answer = await http.send({
      path: '/api/v2/auth/login',
      method: 'POST',
      form: { username: options.username, password: options.password },
      what: 'the sign-in',
    });
    const cookie = /(?:^|[;,\s])SID=([^;,\s]+)/.exec(answer.headers.get('set-cookie') ?? '');
    if (answer.status === 403) {
      throw new UpstreamError(
        'qbittorrent',
        'auth',
        'qbittorrent refused the sign-in (HTTP 403: too many failed attempts, the address is banned for a while); check MARQUEE_QBITTORRENT_USERNAME and MARQUEE_QBITTORRENT_PASSWORD',
      );
    }
    if (answer.status !== 200 || answer.text.trim() !== 'Ok.' || !cookie?.[1]) {
      throw new UpstreamError(
        'qbittorrent',
        'auth',
        `qbittorrent refused the sign-in (${answer.text.trim().slice(0, 50) || `HTTP ${answer.status}`}); check MARQUEE_QBITTORRENT_USERNAME and MARQUEE_QBITTORRENT_PASSWORD`,
      );
    }
    sid = cookie[1];
  }

  function ensureSignedIn(force: boolean): Promise<void> {
    if (!force && sid !== undefined) return Promise.resolve();
    if (force) sid = undefined;
    signingIn ??= signIn().finally(() => {
      signingIn = undefined;
    });
    return signingIn;
  }

  /** A call made with the session; a 403 signs in again and repeats it once. */
  async function authed(call: UpstreamCall): Promise<string> {
    await ensureSignedIn(false);
    let answer = await http.send(call);
    if (answer.status === 403) {
      await ensureSignedIn(true);
      answer = await http.send(call);
      if (answer.status === 403) {
        throw new UpstreamError(
          'qbittorrent',
          'auth',
          `qbittorrent refused ${call.what} right after signing in (HTTP 403)`,
        );
      }
    }
    if (answer.status < 200 || answer.status >= 300) {
      throw new UpstreamError(
        'qbittorrent',
        'http',
        `qbittorrent answered ${call.what} with HTTP ${answer.status}`,
      );
    }
    return answer.text;
  }

  async function json<T>(schema: z.ZodType<T>, call: UpstreamCall): Promise<T> {
    return decodeJson('qbittorrent', call.what, await authed(call), schema);
  }

  return {
    http,
    get logins() {
      return logins;
    },
    async version() {
      const text = (await authed({ path: '/api/v2/app/version', what: 'the version' })).trim();
      if (!/^v?\d[\w.+-]*$/.test(text)) {
        throw new UpstreamError(
          'qbittorrent',
          'malformed',
          'qbittorrent answered the version with something else',
        );
      }
      return text.replace(/^v/, '');
    },
    transfer: () =>
      json(QbitTransferInfo, { path: '/api/v2/transfer/info', what: 'the transfer info' }),
    torrents: () =>
      json(z.array(QbitTorrent), { path: '/api/v2/torrents/info', what: 'the torrents' }),
  };
}
