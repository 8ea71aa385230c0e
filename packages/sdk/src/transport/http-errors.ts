/**
 * One MarqueeError from any error response, whatever the surface's documented body:
 *
 * | surface      | body                                            |
 * |--------------|-------------------------------------------------|
 * | now-playing  | `{ detail }` (FastAPI; detail may be a list)    |
 * | media-stack  | `{ success: false, error: { code, message } }`  |
 * | signage      | `{ message, status_code }`                      |
 * | monitoring   | `{ error: { code, message, details } }`         |
 * | gpu          | `{ success: false, error, message }`            |
 *
 * The caller's own `ErrorShape` is tried first; the generic reader covers a client that talks
 * to several surfaces through one helper, and proxies that answer in another surface's shape.
 */
import { MarqueeError, codeForStatus } from '../errors';
import type { ErrorShape } from '../protocol/tables';

/** What an error body says, once read. */
export interface ErrorBodyFields {
  readonly code?: string;
  readonly message: string;
  readonly details?: unknown;
}

/** Reads any of the five documented error bodies; undefined when `body` is none of them. */
export function readErrorBody(body: unknown): ErrorBodyFields | undefined {
  if (!isRecord(body)) return undefined;
  const code = typeof body.code === 'string' ? body.code : undefined;
  const { detail, error, message } = body;
  if (typeof detail === 'string') return fields(code, detail);
  if (Array.isArray(detail)) {
    // FastAPI validation errors: [{ loc, msg, type }, ...]
    const text = detail
      .map((item) => (isRecord(item) && typeof item.msg === 'string' ? item.msg : undefined))
      .filter((msg) => msg !== undefined)
      .join('; ');
    return fields(code ?? 'BAD_REQUEST', text || 'Validation error', detail);
  }
  if (isRecord(error) && typeof error.message === 'string') {
    const inner = typeof error.code === 'string' ? error.code : code;
    return fields(inner, error.message, error.details);
  }
  if (typeof message === 'string') {
    return fields(
      code,
      message,
      typeof error === 'string' && error !== message ? error : undefined,
    );
  }
  if (typeof error === 'string') return fields(code, error);
  return undefined;
}

/**
 * The error for a non-2xx response: the surface's shape, else any known shape, else the status
 * alone (non-JSON bodies such as proxy HTML pages keep a short excerpt as the message).
 */
export function errorFromResponse(
  status: number,
  body: unknown,
  errorShape?: ErrorShape,
): MarqueeError {
  const read = readWith(errorShape, body) ?? readErrorBody(body);
  const message =
    read?.message ?? (typeof body === 'string' && body.trim() ? excerpt(body) : `HTTP ${status}`);
  return new MarqueeError(read?.code ?? codeForStatus(status), message, {
    status,
    body,
    details: read?.details,
  });
}

function readWith(shape: ErrorShape | undefined, body: unknown): ErrorBodyFields | undefined {
  try {
    return shape?.read(body);
  } catch {
    return undefined;
  }
}

function fields(code: string | undefined, message: string, details?: unknown): ErrorBodyFields {
  return {
    ...(code === undefined ? {} : { code }),
    message,
    ...(details === undefined ? {} : { details }),
  };
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
