/**
 * The seed's "Standard Error Response": `{ "message", "status_code" }`. `status_code` is null
 * in the seed's client-side scenarios (network error, download failure), where no HTTP status
 * exists; the server always fills it with the response status. Marquee adds an optional `code`
 * from its error code map; clients that ignore unknown fields are unaffected.
 */
import * as z from 'zod/mini';
import { response, type ErrorShape } from '../tables';

export const SignageError = z
  .object({
    message: z.string(),
    status_code: z.nullable(z.number().check(z.int(), z.minimum(100), z.maximum(599))),
    /** Marquee's machine-readable error code, e.g. `UNAUTHORIZED`. */
    code: z.optional(z.string()),
  })
  .register(z.globalRegistry, { id: 'SignageError' });
export type SignageError = z.infer<typeof SignageError>;

export const signageErrorShape: ErrorShape = {
  schema: SignageError,
  render: (e): SignageError => ({ message: e.message, status_code: e.status, code: e.code }),
  read: (body) => {
    const parsed = SignageError.safeParse(body);
    return parsed.success
      ? { message: parsed.data.message, ...(parsed.data.code ? { code: parsed.data.code } : {}) }
      : undefined;
  },
};

/**
 * What any signage write may answer when the server's storage fails: 507 `STORAGE_FULL` (the
 * disk is full; for an upload, also when the file would leave less free than the reserve) and
 * 503 `STORAGE_READ_ONLY`; on PostgreSQL also 503 `SERVICE_UNAVAILABLE` when the database
 * connection was lost or the transaction was cancelled, serialised away or deadlocked (nothing of
 * it is stored; retrying works). Reads are unaffected.
 */
export const signageStorageErrors = {
  503: response(
    '`STORAGE_READ_ONLY`: the server cannot write its data directory (a read-only disk); on PostgreSQL `SERVICE_UNAVAILABLE` when the connection was lost or the transaction cancelled (nothing stored; retry)',
    SignageError,
  ),
  507: response(
    "`STORAGE_FULL`: the server's disk is full, or an upload would leave less free than MARQUEE_STORAGE_RESERVE_BYTES",
    SignageError,
  ),
} as const;
