/**
 * `GET /api/v1/services`, `GET /api/v1/services/health` and `POST /api/v1/services/{name}/restart`.
 */
import * as z from 'zod';
import { isoDateTime, percent } from '../common';
import { ServiceName } from './system';

/**
 * A service's run state. The seed shows `running`; the others are Marquee's, after the
 * container states a restart passes through.
 */
export const ServiceRunState = z.enum(['running', 'restarting', 'stopped', 'error']);
export type ServiceRunState = z.infer<typeof ServiceRunState>;

/**
 * Health of a component (cpu, memory, disk, network) or of a service: `healthy`, `warning`,
 * `critical`. For services Marquee maps Docker's health: `healthy` → healthy, `starting` →
 * warning, `unhealthy` → critical.
 */
export const ComponentStatus = z.enum(['healthy', 'warning', 'critical']);
export type ComponentStatus = z.infer<typeof ComponentStatus>;

/** One entry of `GET /api/v1/services`. */
export const MonitoredService = z
  .object({
    name: ServiceName,
    status: ServiceRunState,
    port: z.number().int().min(1).max(65535),
    /** Where users reach the service, e.g. `https://plex.media.example.com`. */
    url: z.url(),
  })
  .meta({ id: 'MonitoringService' });
export type MonitoredService = z.infer<typeof MonitoredService>;

export const ServiceList = z
  .object({ services: z.array(MonitoredService) })
  .meta({ id: 'MonitoringServiceList' });
export type ServiceList = z.infer<typeof ServiceList>;

/** One entry of `GET /api/v1/services/health`. */
export const ServiceHealth = z
  .object({
    name: ServiceName,
    status: ServiceRunState,
    health: ComponentStatus,
    lastCheck: isoDateTime,
    metrics: z.object({
      /** Human-readable, e.g. `10d 4h 30m`. */
      uptime: z.string(),
      /** Memory the service uses, in GB. */
      memory: z.number().min(0),
      /** CPU the service uses, in percent. */
      cpu: percent,
    }),
  })
  .meta({ id: 'MonitoringServiceHealth' });
export type ServiceHealth = z.infer<typeof ServiceHealth>;

export const ServiceHealthList = z
  .object({ services: z.array(ServiceHealth) })
  .meta({ id: 'MonitoringServiceHealthList' });
export type ServiceHealthList = z.infer<typeof ServiceHealthList>;

/**
 * Path parameters of the restart route. Any string is accepted here so that an unknown name gets
 * the seed's documented 404 `SERVICE_NOT_FOUND` rather than a 400.
 */
export const ServiceNameParams = z.object({ name: z.string().min(1).max(200) });
export type ServiceNameParams = z.infer<typeof ServiceNameParams>;

/**
 * Response of the restart route. The seed documents none; Marquee answers once the restart has
 * been issued, and the `status` WebSocket message reports when the service is back.
 */
export const RestartResponse = z
  .object({ name: ServiceName, status: z.literal('restarting') })
  .meta({ id: 'MonitoringRestartResponse' });
export type RestartResponse = z.infer<typeof RestartResponse>;
