/**
 * Field primitives every surface uses, written once in zod/mini. zod/mini schemas are plain zod
 * core schemas without chainable methods, so a browser bundle that validates with them keeps only
 * the checks it uses (see docs/size.md). Surfaces written in zod/mini (now-playing/) import these
 * directly; surfaces still written in classic zod get chainable views of the very same definitions
 * from `common.ts`.
 */
import * as z from 'zod/mini';

/**
 * Builds one primitive. Marked free of side effects so that a bundle which loads this file but
 * not a primitive drops it: zod marks its own functions that way, but esbuild honours such marks
 * only inside the file that declares them, so each call here would otherwise be kept.
 */
/* @__NO_SIDE_EFFECTS__ */
function primitive<T>(build: () => T): T {
  return build();
}

/** An ISO 8601 date-time with a `Z` or numeric offset, e.g. `2025-01-15T10:30:00Z`. */
export const isoDateTime = primitive(() => z.iso.datetime({ offset: true }));

/** A percentage in [0, 100]. */
export const percent = primitive(() => z.number().check(z.minimum(0), z.maximum(100)));

/** A whole number >= 0 (counts, sizes in bytes, ids). */
export const nonNegativeInt = primitive(() => z.number().check(z.int(), z.minimum(0)));

/** A positive whole number (database ids). */
export const positiveInt = primitive(() => z.number().check(z.int(), z.minimum(1)));

/** A Unix time in whole or fractional seconds. */
export const unixSeconds = primitive(() => z.number().check(z.minimum(0)));

/** A CSS hex colour: `#RGB`, `#RRGGBB` or `#RRGGBBAA`. */
export const hexColor = primitive(() =>
  z
    .string()
    .check(
      z.regex(
        /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/,
        'Expected a hex colour like #000000',
      ),
    ),
);

/**
 * A query-string boolean: accepts `true`/`false`/`1`/`0` (query values arrive as strings) and
 * real booleans (when a client builds the query from typed values).
 */
export const queryBoolean = primitive(() =>
  z.pipe(
    z.union([z.boolean(), z.enum(['true', 'false', '1', '0'])]),
    z.transform(
      (v: boolean | 'true' | 'false' | '1' | '0') => v === true || v === 'true' || v === '1',
    ),
  ),
);

/** A query-string integer with bounds; accepts numbers or their decimal strings. */
export function queryInt(min: number, max: number) {
  return z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max));
}
