/**
 * The envelope every seed 001 response travels in: `{ success, data, metadata }`. One generic
 * helper builds it so each route's response schema is `successEnvelope(<data schema>)` and the
 * metadata rules live in one place.
 */
import * as z from 'zod';
import { isoDateTime, nonNegativeInt } from '../common';

/**
 * `metadata` of every response. `cacheAge` and `nextUpdate` appear only on cached routes (the
 * seed's notifications response, which is never cached, has neither), hence optional.
 */
export const ResponseMetadata = z
  .object({
    /** When the response was produced. */
    timestamp: isoDateTime,
    /** Correlates a response (and its logs) with one request, e.g. `req-stats-123`. */
    requestId: z.string().min(1),
    /** Seconds since the cached data was computed; equals the `X-Cache-Age` header. */
    cacheAge: nonNegativeInt.optional(),
    /** When the cached data will next be refreshed. */
    nextUpdate: isoDateTime.optional(),
    /**
     * Marquee's addition: the figures of `data` that have no source right now (their upstream is
     * not configured or not answering), e.g. `requestStats (overseerr not configured)`. Those
     * fields are present with their documented type but hold zeros or empty lists, not
     * measurements. Absent when every figure has a source.
     */
    missing: z.array(z.string().min(1)).optional(),
  })
  .meta({ id: 'MediaStackResponseMetadata' });
export type ResponseMetadata = z.infer<typeof ResponseMetadata>;

/** A successful response carrying `data` of type `T`. */
export interface SuccessEnvelope<T> {
  success: true;
  data: T;
  metadata: ResponseMetadata;
}

/**
 * Wraps a data schema in the documented envelope. Callers add their own `.meta({ id })`, so each
 * route's response is a distinct, named schema in the generated docs.
 */
export function successEnvelope<T extends z.ZodType>(data: T) {
  return z.object({ success: z.literal(true), data, metadata: ResponseMetadata });
}
