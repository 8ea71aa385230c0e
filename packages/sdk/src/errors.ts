/**
 * One error model for the SDK and the server: a code map, an Error subclass carrying `code`,
 * `status`, `cause` and the raw `body`, and one normaliser from `unknown`. Each surface renders a
 * MarqueeError in its own documented shape (see `errorShape` in each protocol file).
 */

/** Every error code Marquee produces, with the HTTP status it maps to by default. */
export const ErrorCodes = {
  /** The request was malformed or failed validation. */
  BAD_REQUEST: 400,
  /** Credentials were rejected (seed 002 documents 400 for a bad login). */
  INVALID_CREDENTIALS: 400,
  /** No token, or a token that is invalid, revoked or expired. */
  UNAUTHORIZED: 401,
  TOKEN_EXPIRED: 401,
  /** Authenticated, but not allowed (seed 001: INSUFFICIENT_PERMISSIONS). */
  FORBIDDEN: 403,
  INSUFFICIENT_PERMISSIONS: 403,
  NOT_FOUND: 404,
  /** Seed 001: unknown service name. */
  INVALID_SERVICE: 404,
  /** Seed 003: unknown service name. */
  SERVICE_NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  /** An upstream (Ollama ...) answered with an error of its own; its message is passed on. */
  UPSTREAM_ERROR: 502,
  /** An upstream (Plex, Ollama, nvidia-smi ...) cannot be reached. */
  SERVICE_UNAVAILABLE: 503,
  STATS_UNAVAILABLE: 503,
  /** The server's data store is read-only (a read-only mount, a failing disk); retry later. */
  STORAGE_READ_ONLY: 503,
  UPSTREAM_TIMEOUT: 504,
  /**
   * The server's disk is full, or an upload would leave less free than the reserve its database
   * needs (507 Insufficient Storage); retry once space is freed.
   */
  STORAGE_FULL: 507,
  /** Client-side only: the network failed before any response arrived. */
  NETWORK: 0,
  /** Client-side only: a request or connection attempt took too long. */
  TIMEOUT: 0,
  /** Client-side only: the device's own storage failed (disk full, no permission). */
  STORAGE: 0,
  /** Client-side only: the socket closed while a request was in flight. */
  CONNECTION_CLOSED: 0,
  /** A message did not match its schema. */
  INVALID_MESSAGE: 0,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface MarqueeErrorOptions {
  /** HTTP status; defaults to the code's mapped status. */
  status?: number;
  cause?: unknown;
  /** The raw response body, when the error came from a server. */
  body?: unknown;
  /** Structured details (validation issues, available values ...). */
  details?: unknown;
}

export class MarqueeError extends Error {
  override readonly name = 'MarqueeError';
  readonly code: string;
  readonly status: number;
  readonly body: unknown;
  readonly details: unknown;

  constructor(code: ErrorCode | (string & {}), message: string, options: MarqueeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? statusForCode(code);
    this.body = options.body;
    this.details = options.details;
  }
}

/** The default HTTP status for a code; unknown codes map to 500. */
export function statusForCode(code: string): number {
  return (ErrorCodes as Record<string, number>)[code] ?? 500;
}

/** The generic code for an HTTP status, used when a server's body names none. */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'BAD_REQUEST';
    case 401:
      return 'UNAUTHORIZED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'CONFLICT';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'RATE_LIMITED';
    case 503:
      return 'SERVICE_UNAVAILABLE';
    case 504:
      return 'UPSTREAM_TIMEOUT';
    case 507:
      return 'STORAGE_FULL';
    default:
      return status >= 500 ? 'INTERNAL' : 'BAD_REQUEST';
  }
}

/** Turns anything thrown into a MarqueeError, keeping the original as `cause`. */
export function toMarqueeError(error: unknown): MarqueeError {
  if (error instanceof MarqueeError) return error;
  if (error instanceof Error) {
    if (error.name === 'AbortError' || error.name === 'TimeoutError') {
      return new MarqueeError('TIMEOUT', error.message || 'The operation timed out', {
        cause: error,
      });
    }
    return new MarqueeError('INTERNAL', error.message, { cause: error });
  }
  return new MarqueeError('INTERNAL', typeof error === 'string' ? error : 'Unknown error', {
    cause: error,
  });
}
