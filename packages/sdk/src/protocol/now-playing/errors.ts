/**
 * The surface's error body. The seed is a FastAPI app, so errors use FastAPI's
 * `{"detail": ...}` body; Marquee adds a machine-readable `code` beside it.
 */
import * as z from 'zod/mini';
import type { ErrorShape } from '../tables';

/** FastAPI's error body, plus Marquee's `code`. */
export const NowPlayingError = z.object({ detail: z.string(), code: z.optional(z.string()) });

export const nowPlayingErrorShape: ErrorShape = {
  schema: NowPlayingError,
  render: (e) => ({ detail: e.message, code: e.code }),
  read: (body) => {
    const parsed = NowPlayingError.safeParse(body);
    return parsed.success
      ? { message: parsed.data.detail, ...(parsed.data.code ? { code: parsed.data.code } : {}) }
      : undefined;
  },
};
