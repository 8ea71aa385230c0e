/** zod helpers shared by the upstream shapes of the media-stack adapters. */
import { z } from 'zod';

/**
 * A number some upstreams send as a string (Tautulli's `"stream_count": "2"`, Plex's `"1"`):
 * either is accepted, anything that is not a finite number is refused.
 */
export const numberish = z
  .union([z.number(), z.string().trim().min(1)])
  .transform((value) => Number(value))
  .pipe(z.number().refine(Number.isFinite, 'not a finite number'));

/** An optional string that may come as `null` (Jellyfin, Overseerr). */
export const maybeString = z.string().nullish();

/** The health entries the *arr family reports (`GET /api/v3/health`, Prowlarr's `/api/v1/health`). */
export const ArrHealthItem = z.object({
  source: z.string().nullish(),
  type: z.enum(['ok', 'notice', 'warning', 'error']),
  message: z.string().nullish(),
  wikiUrl: z.unknown().optional(),
});
export const ArrHealth = z.array(ArrHealthItem);
export type ArrHealth = z.infer<typeof ArrHealth>;

/** `GET /api/v3/system/status` (Sonarr, Radarr) and `/api/v1/system/status` (Prowlarr). */
export const ArrSystemStatus = z.object({
  version: z.string(),
  appName: z.string().nullish(),
  startTime: z.string().nullish(),
});
export type ArrSystemStatus = z.infer<typeof ArrSystemStatus>;

/** The health problems that make an *arr `degraded`: its `error` entries, in its own words. */
export function arrHealthProblem(health: ArrHealth): string | undefined {
  const errors = health.filter((item) => item.type === 'error');
  if (errors.length === 0) return undefined;
  return errors.map((item) => item.message ?? item.source ?? 'health check failed').join('; ');
}

/** An optional number Tautulli may send as `""` (a movie library's `parent_count`): `""` is absent. */
export const optionalNumberish = z
  .union([z.literal('').transform(() => undefined), numberish])
  .nullish()
  .transform((value) => value ?? undefined);
