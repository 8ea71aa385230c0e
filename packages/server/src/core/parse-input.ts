/**
 * Parses what a client sent (a request body, a socket message) with its protocol schema, reading
 * a JSON `null` in a top-level field the schema lets the client leave out as "left out".
 *
 * The seeds mark fields optional (`mac_address?: string`, `poster_url`, `error?`) without saying
 * whether `null` may stand for "none", and the JSON serialisers of common device stacks (Dart,
 * Kotlin, Python) write `null` for an unset field. Only nulls the schema rejected are dropped,
 * and only when the value then parses, so a field that accepts `null` keeps its meaning (an
 * explicit `current_playlist: null` still clears) and a required field sent as `null` is still
 * reported as invalid (and the optional nulls beside it are not).
 */
import * as z from 'zod';

export function parseClientInput<T extends z.core.$ZodType>(
  schema: T,
  value: unknown,
): z.ZodSafeParseResult<z.output<T>> {
  const parsed = z.safeParse(schema, value);
  if (parsed.success || !isRecord(value)) return parsed;
  const rejectedNulls = new Set<string>();
  for (const issue of parsed.error.issues) {
    const [key, ...deeper] = issue.path;
    if (typeof key === 'string' && deeper.length === 0 && value[key] === null) {
      rejectedNulls.add(key);
    }
  }
  if (rejectedNulls.size === 0) return parsed;
  const retry = z.safeParse(
    schema,
    Object.fromEntries(Object.entries(value).filter(([key]) => !rejectedNulls.has(key))),
  );
  if (retry.success) return retry;
  // Still invalid: report the original issues (a null sent for a required field reads "received
  // null"), less those of the nulls that were fine to leave out.
  const stillWrong = new Set(retry.error.issues.map((issue) => issue.path[0]));
  const issues = parsed.error.issues.filter((issue) => {
    const [key] = issue.path;
    return !(typeof key === 'string' && rejectedNulls.has(key) && !stillWrong.has(key));
  });
  return { success: false, error: new z.ZodError(issues) } as z.ZodSafeParseResult<z.output<T>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
