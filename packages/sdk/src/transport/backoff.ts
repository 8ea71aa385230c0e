/**
 * Reconnect delays: exponential backoff with "full jitter" (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"). Every delay is drawn uniformly from [0, cap) where the cap grows
 * exponentially with the attempt and is bounded by `maxMs`. Full jitter spreads a fleet of panels
 * that lost the same server across the whole window instead of reconnecting in lock-step.
 */

/** Shape of the backoff curve. */
export interface BackoffOptions {
  /**
   * Cap of the first delay (attempt 0), in milliseconds.
   * @default 500
   */
  readonly initialMs?: number;
  /**
   * Upper bound of every delay, in milliseconds.
   * @default 30000
   */
  readonly maxMs?: number;
  /**
   * Growth of the cap per attempt.
   * @default 2
   */
  readonly factor?: number;
}

/**
 * The delay before reconnect attempt `attempt` (0-based): `random() * min(maxMs, initialMs *
 * factor ** attempt)`. Pure: the only source of randomness is `random`, called once per call, so
 * each attempt draws fresh jitter and tests can pin it.
 *
 * @param attempt 0 for the first retry after a drop; negative values count as 0.
 * @param options the curve; see {@link BackoffOptions} for defaults.
 * @param random a uniform source in [0, 1), `Math.random` by default.
 * @returns milliseconds in [0, maxMs).
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { initialMs = 500, maxMs = 30_000, factor = 2 } = options;
  // Math.min also tames the exponent once it overflows to Infinity on a long outage.
  const cap = Math.min(maxMs, initialMs * factor ** Math.max(0, attempt));
  return random() * cap;
}
