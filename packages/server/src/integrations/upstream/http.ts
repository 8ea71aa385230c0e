/**
 * One HTTP client per upstream, on an injected `fetch`: the base URL and credentials once, a time
 * limit covering the headers and the body, a bound on the body's size, identical GETs in flight
 * merged into one call, and every failure an `UpstreamError`. Answers are checked against the
 * upstream's zod shape; a shape that does not match is `malformed`, never passed on.
 */
import type { z } from 'zod';
import { UpstreamError, networkReason } from './errors';

/** Largest answer read from an upstream (a Plex library listing is far below). */
export const MAX_UPSTREAM_BODY_BYTES = 8 * 1024 * 1024;

export interface UpstreamHttpOptions {
  /** The upstream's name in messages and status (`plex`, `sonarr` ...). */
  readonly name: string;
  /** Its base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** The variable that holds its credential, named when they are refused. */
  readonly credentialHint: string;
  /** Headers sent with every call (credentials, `accept`). */
  readonly headers?: () => Record<string, string>;
  /** Limit for one call, headers and body together. */
  readonly timeoutMs: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Statuses that mean the credentials were refused. @default [401, 403] */
  readonly authStatuses?: readonly number[];
}

export interface UpstreamCall {
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number>>;
  readonly method?: 'GET' | 'POST';
  /** A form body (`application/x-www-form-urlencoded`), for qBittorrent's login. */
  readonly form?: Readonly<Record<string, string>>;
  /** Headers for this call only. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Words for messages: `the sessions`. */
  readonly what: string;
}

export interface UpstreamAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body's bytes (an image's, where `text` means nothing). */
  readonly bytes: Buffer;
}

export interface UpstreamHttp {
  readonly name: string;
  readonly baseUrl: string;
  /** The call's answer whatever its status (a refused credential still throws `auth`). */
  send(call: UpstreamCall): Promise<UpstreamAnswer>;
  /** A call whose 2xx JSON answer must match `schema`. */
  json<T>(schema: z.ZodType<T>, call: UpstreamCall): Promise<T>;
  /** Calls in flight now (merged GETs count once). */
  readonly inFlight: number;
}

function urlOf(baseUrl: string, call: UpstreamCall): string {
  const url = new URL(`${baseUrl}${call.path}`);
  for (const [key, value] of Object.entries(call.query ?? {})) {
    url.searchParams.set(key, String(value));
  }
  return url.toString();
}

async function readLimited(response: Response, limit: number): Promise<Buffer | undefined> {
  const length = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(length) && length > limit) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export function createUpstreamHttp(options: UpstreamHttpOptions): UpstreamHttp {
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const authStatuses = options.authStatuses ?? [401, 403];
  const pending = new Map<string, Promise<UpstreamAnswer>>();
  let running = 0;

  async function perform(url: string, call: UpstreamCall): Promise<UpstreamAnswer> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs);
    running += 1;
    try {
      const headers: Record<string, string> = {
        accept: 'application/json',
        ...options.headers?.(),
        ...call.headers,
      };
      let body: string | undefined;
      if (call.form !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(call.form).toString();
      }
      const response = await doFetch(url, {
        method: call.method ?? 'GET',
        headers,
        ...(body === undefined ? {} : { body }),
        signal: controller.signal,
        redirect: 'manual',
      });
      const bytes = await readLimited(response, MAX_UPSTREAM_BODY_BYTES);
      if (bytes === undefined) {
        throw new UpstreamError(
          options.name,
          'malformed',
          `${options.name} answered ${call.what} with more than ${MAX_UPSTREAM_BODY_BYTES} bytes`,
        );
      }
      if (authStatuses.includes(response.status)) {
        throw new UpstreamError(
          options.name,
          'auth',
          `${options.name} refused the credentials for ${call.what} (HTTP ${response.status}); check ${options.credentialHint}`,
        );
      }
      return {
        status: response.status,
        headers: response.headers,
        text: bytes.toString('utf8'),
        bytes,
      };
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      if (controller.signal.aborted) {
        throw new UpstreamError(
          options.name,
          'timeout',
          `${options.name} at ${options.baseUrl} did not answer ${call.what} within ${options.timeoutMs} ms`,
          { cause: error },
        );
      }
      throw new UpstreamError(
        options.name,
        'unreachable',
        `${options.name} is not reachable at ${options.baseUrl} (${networkReason(error)})`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
      running -= 1;
    }
  }

  function send(call: UpstreamCall): Promise<UpstreamAnswer> {
    const url = urlOf(options.baseUrl, call);
    if ((call.method ?? 'GET') !== 'GET') return perform(url, call);
    // Identical GETs in flight share one call: N subscribers asking at once cost one request.
    const key = `${url}\n${JSON.stringify(call.headers ?? {})}`;
    const existing = pending.get(key);
    if (existing) return existing;
    const started = perform(url, call).finally(() => pending.delete(key));
    pending.set(key, started);
    return started;
  }

  return {
    name: options.name,
    baseUrl: options.baseUrl,
    send,
    get inFlight() {
      return running;
    },
    async json<T>(schema: z.ZodType<T>, call: UpstreamCall): Promise<T> {
      const answer = await send(call);
      if (answer.status < 200 || answer.status >= 300) {
        const said = answer.text.trim().slice(0, 200);
        throw new UpstreamError(
          options.name,
          'http',
          `${options.name} answered ${call.what} with HTTP ${answer.status}${said === '' ? '' : `: ${said}`}`,
        );
      }
      return decodeJson(options.name, call.what, answer.text, schema);
    },
  };
}

/** Parses an upstream's JSON answer against its shape; anything else is `malformed`. */
export function decodeJson<T>(name: string, what: string, text: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UpstreamError(name, 'malformed', `${name} answered ${what} with non-JSON`, {
      cause: error,
    });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? `${first.path.join('.') || '(root)'}: ${first.message}` : '';
    throw new UpstreamError(
      name,
      'malformed',
      `${name} answered ${what} in an unexpected shape (${where})`,
      {
        cause: parsed.error,
      },
    );
  }
  return parsed.data;
}
