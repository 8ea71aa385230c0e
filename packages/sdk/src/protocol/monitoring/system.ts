/**
 * `GET /api/v1/status` and `GET|PUT /api/v1/config`: the host's summary line and the media
 * server's configuration.
 */
import * as z from 'zod';
import { percent } from '../common';

/**
 * The whole system's state. The seed shows only `running`; `degraded` (Marquee's) means the API
 * answers but a monitored service is not running or a component is critical.
 */
export const SystemState = z.enum(['running', 'degraded']);
export type SystemState = z.infer<typeof SystemState>;

/** `GET /api/v1/status`. */
export const SystemStatus = z
  .object({
    status: SystemState,
    /** Human-readable, e.g. `10d 4h 30m`. */
    uptime: z.string().min(1),
    cpu_usage: percent,
    /**
     * Memory in use in GB, not a percentage: the seed's 6.8 equals `memory.used` of its metrics
     * example (whose `memory.usage` percentage is 68.5).
     */
    memory_usage: z.number().min(0),
    disk_usage: percent,
  })
  .meta({ id: 'MonitoringSystemStatus' });
export type SystemStatus = z.infer<typeof SystemStatus>;

/** A service (container) name: letters, digits, `.`, `_` and `-`, as Docker allows. */
export const ServiceName = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/, 'Expected a service name like "plex"');

/** An absolute directory path on the host. */
const absolutePath = z.string().max(4096).regex(/^\//, 'Expected an absolute path');

/**
 * The configuration `GET /api/v1/config` returns and `PUT /api/v1/config` takes whole (a PUT
 * replaces it; the response is the configuration as saved).
 */
export const SystemConfig = z
  .object({
    /** Domain the services are published under, e.g. `media.example.com`. */
    domain: z.hostname(),
    media_dir: absolutePath,
    downloads_dir: absolutePath,
    /** Enabled services, each named once. */
    services: z
      .array(ServiceName)
      .max(100)
      .refine((names) => new Set(names).size === names.length, 'Service names must be unique'),
  })
  .meta({ id: 'MonitoringSystemConfig' });
export type SystemConfig = z.infer<typeof SystemConfig>;
