/**
 * Tautulli: its API v2 (`GET /api/v2?apikey=…&cmd=…`, Tautulli's API.md) for `get_activity`,
 * `get_history`, `get_libraries` and `get_users`. Every answer is wrapped in
 * `{ response: { result, message, data } }`; a `result` of `error` is a failure even with HTTP 200,
 * and a refused key is reported as an `auth` failure. Tautulli sends many numbers as strings.
 */
import { z } from 'zod';
import { UpstreamError } from '../upstream/errors';
import { createUpstreamHttp, type UpstreamHttp } from '../upstream/http';
import { maybeString, numberish, optionalNumberish } from './shapes';

const envelope = <T extends z.ZodType>(data: T) =>
  z.object({
    response: z.object({
      result: z.enum(['success', 'error']),
      message: z.string().nullish(),
      data: z.union([data, z.null(), z.object({}).strict()]).optional(),
    }),
  });

export const TautulliSession = z.object({
  session_key: z.union([z.string(), z.number()]).transform(String),
  user: maybeString,
  friendly_name: maybeString,
  full_title: maybeString,
  media_type: maybeString,
  state: maybeString,
  progress_percent: optionalNumberish,
  transcode_decision: maybeString,
  player: maybeString,
  product: maybeString,
  bandwidth: optionalNumberish,
});
export type TautulliSession = z.infer<typeof TautulliSession>;

export const TautulliActivity = z.object({
  stream_count: numberish,
  stream_count_transcode: optionalNumberish,
  total_bandwidth: optionalNumberish,
  sessions: z.array(TautulliSession),
});
export type TautulliActivity = z.infer<typeof TautulliActivity>;

export const TautulliHistoryItem = z.object({
  date: optionalNumberish,
  started: optionalNumberish,
  stopped: optionalNumberish,
  user: maybeString,
  friendly_name: maybeString,
  full_title: maybeString,
  media_type: maybeString,
});
export const TautulliHistory = z.object({
  recordsFiltered: optionalNumberish,
  recordsTotal: numberish,
  data: z.array(TautulliHistoryItem),
});
export type TautulliHistory = z.infer<typeof TautulliHistory>;

export const TautulliLibrary = z.object({
  section_id: z.union([z.string(), z.number()]).transform(String),
  section_name: z.string(),
  section_type: z.string(),
  count: optionalNumberish,
  parent_count: optionalNumberish,
  child_count: optionalNumberish,
});
export type TautulliLibrary = z.infer<typeof TautulliLibrary>;

export const TautulliUser = z.object({
  user_id: numberish,
  username: maybeString,
  friendly_name: maybeString,
  is_active: optionalNumberish,
});
export type TautulliUser = z.infer<typeof TautulliUser>;

export interface TautulliOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

export interface TautulliAdapter {
  readonly http: UpstreamHttp;
  activity(): Promise<TautulliActivity>;
  /** The most recent `length` plays. */
  history(length: number): Promise<TautulliHistory>;
  libraries(): Promise<TautulliLibrary[]>;
  users(): Promise<TautulliUser[]>;
}

export function createTautulliAdapter(options: TautulliOptions): TautulliAdapter {
  const http = createUpstreamHttp({
    name: 'tautulli',
    baseUrl: options.baseUrl,
    credentialHint: 'MARQUEE_TAUTULLI_API_KEY',
    timeoutMs: options.timeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  async function command<T extends z.ZodType>(
    cmd: string,
    data: T,
    extra: Record<string, string | number> = {},
  ): Promise<z.output<T>> {
    const what = `the command ${cmd}`;
    const answer = await http.json(envelope(data), {
      path: '/api/v2',
      query: { apikey: options.apiKey, cmd, ...extra },
      what,
    });
    const { result, message } = answer.response;
    if (result === 'error') {
      const said = message ?? 'no message';
      const kind = /api ?key/i.test(said) ? 'auth' : 'http';
      throw new UpstreamError(
        'tautulli',
        kind,
        kind === 'auth'
          ? `tautulli refused the credentials for ${what} (${said}); check MARQUEE_TAUTULLI_API_KEY`
          : `tautulli failed ${what}: ${said}`,
      );
    }
    const parsed = data.safeParse(answer.response.data);
    if (!parsed.success) {
      throw new UpstreamError('tautulli', 'malformed', `tautulli answered ${what} without data`);
    }
    return parsed.data;
  }

  return {
    http,
    activity: () => command('get_activity', TautulliActivity),
    history: (length) => command('get_history', TautulliHistory, { length }),
    libraries: () => command('get_libraries', z.array(TautulliLibrary)),
    users: () => command('get_users', z.array(TautulliUser)),
  };
}
