/**
 * Messages the server pushes on `/ws/dashboard`, discriminated on `type` exactly as the seed's
 * client switches on it: `stats_update` (`data`), `service_status_change` (`service`, `status`)
 * and `new_notification` (`notification`). The channel is push-only.
 */
import * as z from 'zod/mini';
import { Notification } from './notifications';
import { DashboardStats } from './stats';
import { ServiceInfo, ServiceState } from './status';

/** Sent whenever the statistics are recomputed (every 5 minutes, as the stats cache). */
export const StatsUpdateMessage = z
  .object({ type: z.literal('stats_update'), data: DashboardStats })
  .register(z.globalRegistry, { id: 'MediaStackStatsUpdateMessage' });
export type StatsUpdateMessage = z.infer<typeof StatsUpdateMessage>;

/**
 * Sent when a health check finds a service in a new state. The seed's client calls
 * `updateServiceStatus(update.service, update.status)`; `status` is the new `ServiceInfo.status`
 * (the literal reading of "status"). `previous` and the full `info` are Marquee's additions so a
 * dashboard can say "restored" and refresh the entry without a round trip.
 */
export const ServiceStatusChangeMessage = z
  .object({
    type: z.literal('service_status_change'),
    /** The name `GET /api/v1/dashboard/status/{service}` takes, e.g. `plex`, `qbittorrent`. */
    service: z.string().check(z.minLength(1)),
    status: ServiceState,
    previous: z.optional(ServiceState),
    info: z.optional(ServiceInfo),
  })
  .register(z.globalRegistry, { id: 'MediaStackServiceStatusChangeMessage' });
export type ServiceStatusChangeMessage = z.infer<typeof ServiceStatusChangeMessage>;

/** Sent to the notification's recipient when it is created. */
export const NewNotificationMessage = z
  .object({ type: z.literal('new_notification'), notification: Notification })
  .register(z.globalRegistry, { id: 'MediaStackNewNotificationMessage' });
export type NewNotificationMessage = z.infer<typeof NewNotificationMessage>;

export const DashboardServerMessage = z
  .discriminatedUnion('type', [
    StatsUpdateMessage,
    ServiceStatusChangeMessage,
    NewNotificationMessage,
  ])
  .register(z.globalRegistry, { id: 'MediaStackServerMessage' });
export type DashboardServerMessage = z.infer<typeof DashboardServerMessage>;
