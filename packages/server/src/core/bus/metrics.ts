/** `marquee_bus_*`: the bus between instances (docs/metrics.md). */
import { Gauge } from 'prom-client';
import type { MetricsCollector } from '../metrics';
import { totals } from '../metrics/registry';
import type { ClusterBus } from './types';

export function busMetrics(bus: ClusterBus): MetricsCollector {
  return (registry) => {
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    gauge('marquee_bus_connected', '1 while the bus between instances reaches Redis', () =>
      bus.stats().connected ? 1 : 0,
    );
    gauge(
      'marquee_bus_nodes',
      'Instances alive on the bus, this one included',
      () => bus.stats().nodes,
    );
    gauge(
      'marquee_bus_queued',
      'Bus writes waiting for Redis to come back',
      () => bus.stats().queued,
    );
    const counter = (name: string, help: string, read: () => number) =>
      totals(registry, name, help, [], () => [[{}, read()]]);
    counter('marquee_bus_sent_total', 'Messages sent to other instances', () => bus.stats().sent);
    counter(
      'marquee_bus_received_total',
      'Messages received from other instances',
      () => bus.stats().received,
    );
    counter(
      'marquee_bus_dropped_total',
      'Bus writes dropped because the queue was full while Redis was away (MARQUEE_REDIS_MAX_QUEUED)',
      () => bus.stats().dropped,
    );
    counter(
      'marquee_bus_outages_total',
      'Times the connection to Redis was lost',
      () => bus.stats().outages,
    );
  };
}
