/**
 * A refusal that tells the client when to come back: 429 `RATE_LIMITED` (a limit was reached) or
 * 503 `SERVICE_UNAVAILABLE` (too much in progress). `sendError` and the WebSocket gateway turn
 * `retryAfterSeconds` into the `Retry-After` header; the body stays in the surface's shape.
 */
import { MarqueeError, type ErrorCode } from '@marquee/sdk';

export class RetryLaterError extends MarqueeError {
  /** Whole seconds, at least 1 (`Retry-After` takes no fractions). */
  readonly retryAfterSeconds: number;

  constructor(
    code: Extract<ErrorCode, 'RATE_LIMITED' | 'SERVICE_UNAVAILABLE'>,
    message: string,
    retryAfterMs: number,
  ) {
    super(code, message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  }
}

/** The `Retry-After` seconds an error asks for, when it is a RetryLaterError. */
export function retryAfterOf(error: unknown): number | undefined {
  return error instanceof RetryLaterError ? error.retryAfterSeconds : undefined;
}
