/**
 * `GET /api/v1/services`, `GET /api/v1/services/health` and `POST /api/v1/services/{name}/restart`.
 */
import * as z from 'zod';
import { isoDateTime } from '../common';
import { ServiceName } from './system';

/**
 * A service's run state. The seed shows `running`; the others are Marquee's, after the
 * container states a restart passes through: `error` is a container that died or exited with a
 * non-zero code, or an integration that does not answer; `unknown` a configured service that
 * nothing reports on (no container and no integration of that name).
 */
export const ServiceRunState = z.enum(['running', 'restarting', 'stopped', 'error', 'unknown']);
export type ServiceRunState = z.infer<typeof ServiceRunState>;

/**
 * Health of a component (cpu, memory, disk, network) or of a service: `healthy`, `warning`,
 * `critical`. For services Marquee maps Docker's health: `healthy` → healthy, `starting` →
 * warning, `unhealthy` → critical.
 */
export const ComponentStatus = z.enum(['healthy', 'warning', 'critical']);
export type ComponentStatus = z.infer<typeof ComponentStatus>;

/**
 * What reports on a service: its Docker container, the media integration of the same name
 * (Plex, Sonarr ...: its health poll), or nothing.
 */
export const ServiceSource = z.enum(['docker', 'integration', 'none']);
export type ServiceSource = z.infer<typeof ServiceSource>;

/** One entry of `GET /api/v1/services`. */
export const MonitoredService = z
  .object({
    name: ServiceName,
    status: ServiceRunState,
    /**
     * The container's published port (else its first exposed one), or the integration URL's;
     * null when neither is known.
     */
    port: z.number().int().min(1).max(65535).nullable(),
    /** Where users reach the service: `https://<name>.<domain>`, e.g. `https://plex.media.example.com`. */
    url: z.url(),
    /** Marquee's addition (always sent by Marquee; absent in the seed's example). */
    source: ServiceSource.optional(),
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
    /** When the state was read; null for a service nothing reports on or not polled yet. */
    lastCheck: isoDateTime.nullable(),
    /** Present where Docker reports the container (an integration reports no usage). */
    metrics: z
      .object({
        /** Human-readable, e.g. `10d 4h 30m`; `0m` when not running. */
        uptime: z.string(),
        /** Memory the service uses, in GB. */
        memory: z.number().min(0),
        /**
         * CPU the service uses, in percent of one core (above 100 on several cores, as
         * `docker stats` shows it).
         */
        cpu: z.number().min(0),
      })
      .optional(),
    /** Docker's restart count (Marquee's addition). */
    restartCount: z.number().int().min(0).optional(),
    /** Why the health is not `healthy`, when known (Marquee's addition). */
    reason: z.string().optional(),
    /** Marquee's addition (always sent by Marquee; absent in the seed's example). */
    source: ServiceSource.optional(),
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
