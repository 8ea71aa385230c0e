/**
 * Messages the server pushes on `/monitoring`, discriminated on `type` as the seed's clients
 * switch on it; each carries its payload in `data`. The channel is push-only.
 */
import * as z from 'zod';
import { isoDateTime } from '../common';
import { Alert } from './alerts';
import { CpuMetrics, DiskMetrics, MemoryMetrics, NetworkMetrics } from './metrics';
import { ComponentStatus, ServiceRunState } from './services';
import { ServiceName } from './system';

/** A live sample; unlike `/metrics/current`, it always includes `network`. */
export const MetricsMessage = z
  .object({
    type: z.literal('metrics'),
    data: z.object({
      cpu: CpuMetrics,
      memory: MemoryMetrics,
      disk: DiskMetrics,
      network: NetworkMetrics,
    }),
  })
  .meta({ id: 'MonitoringMetricsMessage' });
export type MetricsMessage = z.infer<typeof MetricsMessage>;

/** A newly raised alert, as `GET /api/v1/alerts` lists it. */
export const AlertMessage = z
  .object({ type: z.literal('alert'), data: Alert })
  .meta({ id: 'MonitoringAlertMessage' });
export type AlertMessage = z.infer<typeof AlertMessage>;

/**
 * A service changed run state or health. The seed names the event only; the shape is Marquee's,
 * built from the fields of `GET /api/v1/services/health`.
 */
export const ServiceStatusChange = z
  .object({
    name: ServiceName,
    status: ServiceRunState,
    health: ComponentStatus.optional(),
    /** The run state before the change, when known. */
    previous: ServiceRunState.optional(),
    timestamp: isoDateTime,
  })
  .meta({ id: 'MonitoringServiceStatusChange' });
export type ServiceStatusChange = z.infer<typeof ServiceStatusChange>;

export const StatusMessage = z
  .object({ type: z.literal('status'), data: ServiceStatusChange })
  .meta({ id: 'MonitoringStatusMessage' });
export type StatusMessage = z.infer<typeof StatusMessage>;

export const MonitoringServerMessage = z
  .discriminatedUnion('type', [MetricsMessage, AlertMessage, StatusMessage])
  .meta({ id: 'MonitoringServerMessage' });
export type MonitoringServerMessage = z.infer<typeof MonitoringServerMessage>;
