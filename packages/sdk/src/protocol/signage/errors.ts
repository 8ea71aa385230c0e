/**
 * The seed's "Standard Error Response": `{ "message", "status_code" }`. `status_code` is null
 * in the seed's client-side scenarios (network error, download failure), where no HTTP status
 * exists; the server always fills it with the response status. Marquee adds an optional `code`
 * from its error code map; clients that ignore unknown fields are unaffected.
 */
import * as z from 'zod';
import { type ErrorShape } from '../common';

export const SignageError = z
  .object({
    message: z.string(),
    status_code: z.number().int().min(100).max(599).nullable(),
    /** Marquee's machine-readable error code, e.g. `UNAUTHORIZED`. */
    code: z.string().optional(),
  })
  .meta({ id: 'SignageError' });
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
