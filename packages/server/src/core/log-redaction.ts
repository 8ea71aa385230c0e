/**
 * Secrets never reach a log line. Fastify logs every request's URL, query string included, and
 * displays, devices and sockets carry tokens there (`/gpu?token=…`, the signage socket's
 * `?token=`, the Now Playing socket's); headers carry them too (`Authorization`, cookies). The
 * logger therefore:
 *
 * - serialises a request with its URL rewritten by `redactUrl` (the values of sensitive query
 *   parameters become `[REDACTED]`), for HTTP requests and WebSocket upgrades alike;
 * - censors credential headers wherever a logged object carries them (pino's `redact`), should a
 *   request's or response's headers ever be logged.
 */
import type { Writable } from 'node:stream';

export const REDACTED = '[REDACTED]';

/** Query parameters whose values are credentials, by name (compared in lower case). */
const SENSITIVE_PARAMS: ReadonlySet<string> = new Set([
  'token',
  'access',
  'refresh',
  'password',
  'passwd',
  'secret',
  'auth',
  'authorization',
  'key',
  'apikey',
  'api_key',
  'signature',
  'sig',
]);

/** Names that are credentials whatever surrounds them: `access_token`, `X-Plex-Token`, `client_secret`. */
const SENSITIVE_PATTERN = /token|passw|secret|api[-_]?key/;

/** Headers that carry credentials; lower case, as Node hands them over. */
export const SENSITIVE_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-plex-token',
] as const;

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).trim().toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/** True when a query parameter of this (raw, possibly percent-encoded) name holds a secret. */
export function isSensitiveParam(rawName: string): boolean {
  // `token[]=` and `token[0]=` are the same credential in PHP-style clients.
  const name = decodeName(rawName).replace(/\[[^\]]*\]$/, '');
  return SENSITIVE_PARAMS.has(name) || SENSITIVE_PATTERN.test(name);
}

/**
 * `url` (a request target: path and query) with the value of every sensitive query parameter
 * replaced by `[REDACTED]`. The path and the other parameters are left exactly as sent, so a log
 * still shows what was asked for; nothing is parsed that could throw on a malformed URL.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return isSensitiveParam(name) && eq >= 0 ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}

/** The request fields Fastify's own serializer logs, with the URL redacted. */
interface LoggedRequest {
  readonly [field: string]: unknown;
  readonly method: string;
  readonly url: string;
  readonly host?: string | undefined;
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
}

interface RequestLike {
  readonly method?: string;
  readonly url?: string;
  readonly host?: string;
  readonly ip?: string;
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly socket?: { readonly remoteAddress?: string; readonly remotePort?: number } | null;
}

/**
 * A Fastify request, a raw `IncomingMessage` (WebSocket upgrades) or an already serialised one
 * (the result is stable: serialising twice changes nothing) as a log entry's `req`.
 */
export function serializeRequest(request: RequestLike): LoggedRequest {
  return {
    method: request.method ?? 'GET',
    url: redactUrl(request.url ?? ''),
    host: request.host,
    remoteAddress: request.remoteAddress ?? request.ip ?? request.socket?.remoteAddress,
    remotePort: request.remotePort ?? request.socket?.remotePort,
  };
}

/** pino paths: the headers of a logged request or response, and of any object one level down. */
const REDACT_PATHS = SENSITIVE_HEADERS.flatMap((header) => [
  `headers["${header}"]`,
  `req.headers["${header}"]`,
  `res.headers["${header}"]`,
  `*.headers["${header}"]`,
]);

export interface LoggerOptions {
  readonly level: string;
  readonly redact: { readonly paths: string[]; readonly censor: string };
  readonly serializers: { readonly req: typeof serializeRequest };
  readonly stream?: Writable;
}

/**
 * Fastify's `logger` options: the level, redaction and the redacting request serializer; `stream`
 * replaces standard output (tests capture the log with it).
 */
export function loggerOptions(level: string, stream?: Writable): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: { req: serializeRequest },
    ...(stream ? { stream } : {}),
  };
}
