/**
 * Shared building blocks of the protocol for the surfaces written in classic zod: the field
 * primitives as chainable classic schemas, and the route and channel table shapes (`tables.ts`).
 *
 * Each primitive is defined once, in zod/mini (`primitives.ts`). The classic schema exported here
 * is built on that same definition (type, format and checks), so it validates, and renders to
 * JSON Schema, exactly as the zod/mini one does, while still offering `.optional()`,
 * `.nullable()` and `.default()` to the classic surfaces. Surfaces written in zod/mini import
 * `primitives.ts` and `tables.ts` directly and never load classic zod through this file.
 */
import * as z from 'zod';
import * as mini from './primitives';

export {
  defineChannel,
  defineRoute,
  defineSurface,
  servedPart,
  response,
  type AuthPolicy,
  type BodyKind,
  type ChannelDef,
  type ErrorFields,
  type ErrorShape,
  type HttpMethod,
  type ObjectSchema,
  type RateLimitDef,
  type ResponseDef,
  type RouteDef,
  type Schema,
  type SurfaceDef,
} from './tables';

/** A schema of the classic class `Classic` on a copy of `schema`'s definition. */
function chainable<D, C>(
  Classic: new (def: D) => C,
  schema: z.core.$ZodType & { readonly _zod: { readonly def: D } },
): C {
  return new Classic({ ...schema._zod.def });
}

/** An ISO 8601 date-time with a `Z` or numeric offset, e.g. `2025-01-15T10:30:00Z`. */
export const isoDateTime = chainable(z.ZodISODateTime, mini.isoDateTime);

/** A percentage in [0, 100]. */
export const percent = chainable(z.ZodNumber, mini.percent);

/** A whole number >= 0 (counts, sizes in bytes, ids). */
export const nonNegativeInt = chainable(z.ZodNumber, mini.nonNegativeInt);

/** A positive whole number (database ids). */
export const positiveInt = chainable(z.ZodNumber, mini.positiveInt);

/** A Unix time in whole or fractional seconds. */
export const unixSeconds = chainable(z.ZodNumber, mini.unixSeconds);

/** A CSS hex colour: `#RGB`, `#RRGGBB` or `#RRGGBBAA`. */
export const hexColor = chainable(z.ZodString, mini.hexColor);

/**
 * A query-string boolean: accepts `true`/`false`/`1`/`0` (query values arrive as strings) and
 * real booleans (when a client builds the query from typed values).
 */
export const queryBoolean = chainable(z.ZodPipe, mini.queryBoolean) as z.ZodPipe<
  (typeof mini.queryBoolean)['def']['in'],
  (typeof mini.queryBoolean)['def']['out']
>;

/** A query-string integer with bounds; accepts numbers or their decimal strings. */
export function queryInt(min: number, max: number): z.ZodCoercedNumber {
  return chainable(z.ZodNumber, mini.queryInt(min, max));
}
