/**
 * A small typed HTTP helper on `fetch`: JSON in, schema-validated JSON out, bearer auth with one
 * refresh-and-retry on 401, and every failure normalised to a MarqueeError (NETWORK, TIMEOUT,
 * INVALID_MESSAGE, or the server's own code read from its error body).
 */
import { safeParse, type $ZodType } from 'zod/v4/core';
import { MarqueeError, toMarqueeError } from '../errors';
import type { ErrorShape, HttpMethod } from '../protocol/tables';
import { errorFromResponse } from './http-errors';
import { canReportUploadProgress, xhrRequest, type UploadProgress } from './xhr';

/** A source of bearer tokens; `TokenManager` is the ready-made one for JWT pairs. */
export interface AuthProvider {
  /** The token to send now (refreshing first when it is about to expire), if any. */
  getAccessToken(): Promise<string | undefined>;
  /**
   * Called once after a 401, with the access token that was refused; the request is then
   * retried once. A provider may skip the refresh when it already holds a newer token.
   */
  refresh(rejected?: string): Promise<void>;
}

export interface HttpClientOptions {
  /** Origin plus optional prefix, e.g. `http://server:8080`; request paths are appended. */
  readonly baseUrl: string;
  /**
   * The fetch implementation.
   * @default globalThis.fetch
   */
  readonly fetch?: typeof fetch;
  /**
   * Bearer token source.
   * @default undefined (no Authorization header)
   */
  readonly auth?: AuthProvider;
  /**
   * The surface's error body, read before the generic reader.
   * @default undefined (generic reader only)
   */
  readonly errorShape?: ErrorShape;
  /**
   * Limit for one request, response body included.
   * @default 30000
   */
  readonly timeoutMs?: number;
  /**
   * Headers sent with every request.
   * @default {}
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A query value; arrays repeat the key, `undefined` and `null` are left out. */
export type QueryValue =
  string | number | boolean | null | undefined | readonly (string | number | boolean)[];

export interface HttpRequest {
  /** @default 'GET' */
  readonly method?: HttpMethod;
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Sent as multipart instead of `body`. */
  readonly formData?: FormData;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Set to false for calls that must not carry or refresh the token (login, refresh).
   * @default true
   */
  readonly auth?: boolean;
  /** Cancels the request; it then rejects with the signal's reason. @default none */
  readonly signal?: AbortSignal;
  /**
   * Told how much of the body went up. Where the runtime has XMLHttpRequest (browsers) the
   * request goes through it, since fetch reports no upload progress; elsewhere it is never
   * called. @default none
   */
  readonly onUploadProgress?: UploadProgress;
}

export interface HttpClient {
  /** Resolves with the response body validated by `schema` (INVALID_MESSAGE when it fails). */
  request<T>(request: HttpRequest & { readonly schema: $ZodType<T> }): Promise<T>;
  /** Without a schema the parsed body (or text, or undefined when empty) is returned as is. */
  request(request: HttpRequest): Promise<unknown>;
}

interface RawResponse {
  readonly status: number;
  readonly body: unknown;
  /** The bearer token the request carried. */
  readonly token: string | undefined;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function exchange(request: HttpRequest, withAuth: boolean): Promise<RawResponse> {
    const fetchImpl = options.fetch ?? globalThis.fetch;
    const headers = new Headers({ accept: 'application/json', ...options.headers });
    for (const [name, value] of Object.entries(request.headers ?? {})) headers.set(name, value);
    let body: string | FormData | undefined;
    if (request.formData) body = request.formData;
    else if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers.set('content-type', 'application/json');
    }
    // Read before the timer starts, so a refresh before expiry does not eat into the timeout.
    let token: string | undefined;
    try {
      token = withAuth ? await options.auth?.getAccessToken() : undefined;
    } catch (error) {
      throw toMarqueeError(error);
    }
    if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const method = request.method ?? 'GET';
    const signal = request.signal
      ? AbortSignal.any([controller.signal, request.signal])
      : controller.signal;
    const target = url(base, request);
    try {
      if (request.onUploadProgress !== undefined && canReportUploadProgress()) {
        const { onUploadProgress } = request;
        const answer = await xhrRequest({
          method,
          url: target,
          headers,
          body,
          signal,
          onUploadProgress,
        });
        return { status: answer.status, body: parseBody(answer.text), token };
      }
      const response = await fetchImpl(target, { method, headers, body, signal });
      return { status: response.status, body: parseBody(await response.text()), token };
    } catch (error) {
      request.signal?.throwIfAborted();
      if (controller.signal.aborted) {
        throw new MarqueeError('TIMEOUT', `${method} ${request.path} took over ${timeoutMs} ms`, {
          cause: error,
        });
      }
      throw new MarqueeError('NETWORK', `${method} ${request.path} failed: ${describe(error)}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  function request<T>(req: HttpRequest & { readonly schema: $ZodType<T> }): Promise<T>;
  function request(req: HttpRequest): Promise<unknown>;
  async function request(req: HttpRequest & { readonly schema?: $ZodType }): Promise<unknown> {
    const withAuth = req.auth !== false && options.auth !== undefined;
    let response = await exchange(req, withAuth);
    if (response.status === 401 && withAuth && options.auth) {
      // Once only: a second 401 is an answer, not a reason to loop.
      try {
        await options.auth.refresh(response.token);
      } catch (error) {
        throw toMarqueeError(error);
      }
      response = await exchange(req, true);
    }
    if (response.status < 200 || response.status > 299) {
      throw errorFromResponse(response.status, response.body, options.errorShape);
    }
    if (!req.schema) return response.body;
    const result = safeParse(req.schema, response.body);
    if (result.success) return result.data;
    const first = result.error.issues[0];
    throw new MarqueeError(
      'INVALID_MESSAGE',
      `${req.method ?? 'GET'} ${req.path} returned an unexpected body${first ? `: ${first.message} at [${first.path.join('.')}]` : ''}`,
      {
        status: response.status,
        body: response.body,
        details: result.error.issues,
        cause: result.error,
      },
    );
  }

  return { request };
}

function url(base: string, request: HttpRequest): string {
  const path = request.path.startsWith('/') ? request.path : `/${request.path}`;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value === undefined || value === null) continue;
    const values: readonly (string | number | boolean)[] = Array.isArray(value) ? value : [value];
    for (const item of values) params.append(key, String(item));
  }
  const query = params.toString();
  return `${base}${path}${query ? `?${query}` : ''}`;
}

/** JSON when it parses, the text itself when not (HTML error pages), undefined when empty. */
function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
