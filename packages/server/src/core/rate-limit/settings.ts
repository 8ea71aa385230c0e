/**
 * `MARQUEE_ROUTE_RATE_LIMITS`: whether the limits the route tables document (seed 001's per-user
 * limits, seed 003's per-address limit) are applied, and overrides by bucket (a route's
 * `rateLimit.bucket`, else its id):
 *
 * - `on` (the default) / `off`;
 * - `monitoring=300/60,mediaStack.stats=off`: on, with `monitoring` at 300 requests per 60 s and
 *   `mediaStack.stats` unlimited;
 * - in a JSON config file also `true` / `false` or `{ "monitoring": { "max": 300,
 *   "windowSeconds": 60 }, "mediaStack.stats": false }`.
 *
 * An unknown bucket is a configuration error, so a typo does not silently leave a limit in place.
 */
import { protocol } from '@marquee/sdk';
import { z } from 'zod';

export interface LimitOverride {
  readonly max: number;
  readonly windowSeconds: number;
}

export interface RouteRateLimits {
  readonly enabled: boolean;
  /** By bucket; `false` lifts that bucket's limit. */
  readonly overrides: Readonly<Record<string, LimitOverride | false>>;
}

/** The counter a rate-limited route counts in. */
export function bucketOf(route: protocol.RouteDef): string | undefined {
  return route.rateLimit === undefined ? undefined : (route.rateLimit.bucket ?? route.id);
}

const knownBuckets = (): Set<string> =>
  new Set(
    protocol.surfaces.flatMap((surface) =>
      surface.routes.map(bucketOf).filter((b): b is string => b !== undefined),
    ),
  );

const Override = z.union([
  z.literal(false),
  z.object({
    max: z.coerce.number().int().min(1),
    windowSeconds: z.coerce.number().int().min(1),
  }),
]);

const OVERRIDE_TEXT = /^([\w.-]+)=(?:off|(\d+)\/(\d+))$/;

/** `name=max/seconds` / `name=off` pairs, comma-separated, to an override map. */
function parseList(text: string, ctx: z.RefinementCtx): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const entry of text.split(',').map((e) => e.trim())) {
    const match = OVERRIDE_TEXT.exec(entry);
    if (match === null) {
      ctx.addIssue({
        code: 'custom',
        message: `"${entry}" is not bucket=max/seconds or bucket=off`,
      });
      return overrides;
    }
    const [, name = '', max, seconds] = match;
    overrides[name] = max === undefined ? false : { max, windowSeconds: seconds };
  }
  return overrides;
}

export const RouteRateLimitsSetting = z
  .union([z.boolean(), z.string().trim().min(1), z.record(z.string(), z.unknown())])
  .transform((value, ctx) => {
    if (typeof value === 'boolean') return { enabled: value, overrides: {} };
    if (typeof value !== 'string') return { enabled: true, overrides: value };
    const lower = value.toLowerCase();
    if (['on', 'true', '1', 'yes'].includes(lower)) return { enabled: true, overrides: {} };
    if (['off', 'false', '0', 'no'].includes(lower)) return { enabled: false, overrides: {} };
    return { enabled: true, overrides: parseList(value, ctx) };
  })
  .pipe(
    z.object({
      enabled: z.boolean(),
      overrides: z.record(z.string(), Override).superRefine((overrides, ctx) => {
        const known = knownBuckets();
        for (const name of Object.keys(overrides)) {
          if (!known.has(name)) {
            ctx.addIssue({
              code: 'custom',
              message: `unknown rate-limit bucket "${name}" (known: ${[...known].join(', ')})`,
            });
          }
        }
      }),
    }),
  );
