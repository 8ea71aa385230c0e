/**
 * Ollama's `keep_alive` (api.Duration): a number is seconds, a string is a Go duration
 * (`5m`, `1h30m`, `0`), and anything negative keeps the model loaded indefinitely. Invalid
 * strings fail with Go's `time: invalid duration "x"`, which Ollama returns as a 400.
 */

/** Ollama's default when a request has no keep_alive. */
export const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;

/** "Forever": Go's maximum duration (math.MaxInt64 ns, about 292 years), in milliseconds. */
export const FOREVER_MS = 9_223_372_036_854;

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;

/** Go's time.ParseDuration, in milliseconds; undefined when `text` is not a duration. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0' || text === '+0' || text === '-0') return 0;
  const sign = /^[-+]/.test(text) ? text.charAt(0) : '';
  const body = text.slice(sign.length);
  if (!new RegExp(`^(?:${PART.source})+$`).test(body)) return undefined;
  let total = 0;
  for (const [, amount, unit] of body.matchAll(new RegExp(PART.source, 'g'))) {
    total += Number(amount) * (UNIT_MS[unit ?? ''] ?? 0);
  }
  return sign === '-' ? -total : total;
}

/**
 * How long a request's keep_alive keeps the model loaded, in milliseconds (`FOREVER_MS` for a
 * negative value); an Error with Go's message when it is not a duration.
 */
export function keepAliveMs(value: string | number | undefined): number | Error {
  if (value === undefined) return DEFAULT_KEEP_ALIVE_MS;
  const ms = typeof value === 'number' ? value * 1_000 : parseGoDuration(value);
  if (ms === undefined) return new Error(`time: invalid duration ${JSON.stringify(value)}`);
  return ms < 0 ? FOREVER_MS : ms;
}
