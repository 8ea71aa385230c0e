/**
 * The envelope every seed 001 response travels in: `{ success, data, metadata }`. One generic
 * helper builds it so each route's response schema is `successEnvelope(<data schema>)` and the
 * metadata rules live in one place.
 */
import * as z from 'zod/mini';
import { isoDateTime, nonNegativeInt } from '../primitives';

/**
 * `metadata` of every response. `cacheAge` and `nextUpdate` appear only on cached routes (the
 * seed's notifications response, which is never cached, has neither), hence optional.
 */
export const ResponseMetadata = z
  .object({
    /** When the response was produced. */
    timestamp: isoDateTime,
    /** Correlates a response (and its logs) with one request, e.g. `req-stats-123`. */
    requestId: z.string().check(z.minLength(1)),
    /** Seconds since the cached data was computed; equals the `X-Cache-Age` header. */
    cacheAge: z.optional(nonNegativeInt),
    /** When the cached data will next be refreshed. */
    nextUpdate: z.optional(isoDateTime),
    /**
     * Marquee's addition: the figures of `data` that have no source right now (their upstream is
     * not configured or not answering), e.g. `requestStats (overseerr not configured)`. Those
     * fields are present with their documented type but hold zeros or empty lists, not
     * measurements. Absent when every figure has a source.
     */
    missing: z.optional(z.array(z.string().check(z.minLength(1)))),
  })
  .register(z.globalRegistry, { id: 'MediaStackResponseMetadata' });
export type ResponseMetadata = z.infer<typeof ResponseMetadata>;

/** A successful response carrying `data` of type `T`. */
export interface SuccessEnvelope<T> {
  success: true;
  data: T;
  metadata: ResponseMetadata;
}

/**
 * Wraps a data schema in the documented envelope. Callers add their own `.register(z.globalRegistry, { id })`, so each
 * route's response is a distinct, named schema in the generated docs.
 */
export function successEnvelope<T extends z.ZodMiniType>(data: T) {
  return z.object({ success: z.literal(true), data, metadata: ResponseMetadata });
}
