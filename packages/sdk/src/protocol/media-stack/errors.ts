/**
 * Seed 001 lists error codes (`SERVICE_UNAVAILABLE` 503, `INSUFFICIENT_PERMISSIONS` 403,
 * `STATS_UNAVAILABLE` 503, `INVALID_SERVICE` 404) but shows no error body. Marquee's choice is
 * the failure twin of the success envelope, so a client branches on `success` alone:
 * `{ success: false, error: { code, message, details? }, metadata: { timestamp, requestId } }`.
 * Codes beyond the seed's table are the generic ones of Marquee's code map (`UNAUTHORIZED`,
 * `BAD_REQUEST`, `NOT_FOUND`, `RATE_LIMITED`, `INTERNAL`).
 */
import * as z from 'zod/mini';
import { isoDateTime } from '../primitives';
import type { ErrorFields, ErrorShape } from '../tables';

export const MediaStackError = z
  .object({
    success: z.literal(false),
    error: z.object({
      code: z.string().check(z.minLength(1)),
      message: z.string(),
      /** Structured context, e.g. validation issues. */
      details: z.optional(z.unknown()),
    }),
    metadata: z.object({ timestamp: isoDateTime, requestId: z.string().check(z.minLength(1)) }),
  })
  .register(z.globalRegistry, { id: 'MediaStackError' });
export type MediaStackError = z.infer<typeof MediaStackError>;

/** Identity of the failed request; the server passes its own so logs and body agree. */
export interface ErrorMetadataInput {
  /** @default a fresh `req-<uuid>` */
  requestId?: string;
  /** @default now */
  timestamp?: string;
}

/** Renders an error in the surface's shape, with the request's id when the caller has one. */
export function renderMediaStackError(
  error: ErrorFields,
  meta: ErrorMetadataInput = {},
): MediaStackError {
  return {
    success: false,
    error: {
      // The seed's name for "authenticated, but not allowed".
      code: error.code === 'FORBIDDEN' ? 'INSUFFICIENT_PERMISSIONS' : error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
    metadata: {
      timestamp: meta.timestamp ?? new Date().toISOString(),
      requestId: meta.requestId ?? `req-${globalThis.crypto.randomUUID()}`,
    },
  };
}

export const mediaStackErrorShape: ErrorShape = {
  schema: MediaStackError,
  render: (e) => renderMediaStackError(e),
  read: (body) => {
    const parsed = MediaStackError.safeParse(body);
    if (!parsed.success) return undefined;
    const { code, message, details } = parsed.data.error;
    return details === undefined ? { code, message } : { code, message, details };
  },
};
