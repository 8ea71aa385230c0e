/**
 * `GET /api/v1/alerts`, the `alert` WebSocket message and the alert settings.
 */
import * as z from 'zod';
import { isoDateTime, nonNegativeInt, percent, queryInt } from '../common';

/**
 * The seed's alert levels. A `critical` threshold crossing raises an `error` alert: the seed
 * lists no `critical` level, and a client filtering on its three levels must see every alert.
 */
export const AlertLevel = z.enum(['info', 'warning', 'error']);
export type AlertLevel = z.infer<typeof AlertLevel>;

export const Alert = z
  .object({
    id: z.string().min(1),
    timestamp: isoDateTime,
    level: AlertLevel,
    message: z.string(),
    /** What raised it: `docker`, `system`, a service name ... */
    source: z.string().min(1),
    /** Source-specific context (`{}` when there is none). */
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'MonitoringAlert' });
export type Alert = z.infer<typeof Alert>;

/** Query of `GET /api/v1/alerts`. */
export const AlertsQuery = z.object({
  /** Only alerts of exactly this level. */
  level: AlertLevel.optional(),
  /**
   * Maximum alerts returned, newest first.
   * @default 100
   */
  limit: queryInt(1, 1000).default(100),
  /** Only alerts raised at or after this time. */
  since: isoDateTime.optional(),
});
export type AlertsQuery = z.infer<typeof AlertsQuery>;

/** `GET /api/v1/alerts`: `total` counts every match; `hasMore` says `limit` cut it short. */
export const AlertList = z
  .object({ alerts: z.array(Alert), total: nonNegativeInt, hasMore: z.boolean() })
  .meta({ id: 'MonitoringAlertList' });
export type AlertList = z.infer<typeof AlertList>;

/** Usage percentages that raise a `warning` and an `error` alert; `warning` <= `critical`. */
export const Threshold = z
  .object({ warning: percent, critical: percent })
  .refine((t) => t.warning <= t.critical, {
    path: ['warning'],
    message: 'warning must not exceed critical',
  })
  .meta({ id: 'MonitoringThreshold' });
export type Threshold = z.infer<typeof Threshold>;

/**
 * The body of `POST /api/v1/alerts/settings`, the response to it (the settings as saved) and the
 * response of `GET /api/v1/alerts/settings` (Marquee's addition).
 */
export const AlertSettings = z
  .object({
    thresholds: z.object({ cpu: Threshold, memory: Threshold, disk: Threshold }),
    notifications: z.object({
      email: z.boolean(),
      desktop: z.boolean(),
      /** Alerts below this level notify no one (they are still listed). */
      minLevel: AlertLevel,
    }),
  })
  .meta({ id: 'MonitoringAlertSettings' });
export type AlertSettings = z.infer<typeof AlertSettings>;
