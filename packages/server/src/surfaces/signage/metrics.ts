/**
 * The signage surface's metrics (docs/metrics.md): commands by state, one grouped query per
 * scrape, and devices online. Read at scrape time; nothing is counted on the command path.
 */
import { protocol } from '@marquee/sdk';
import { Gauge } from 'prom-client';
import type { MetricsCollector } from '../../core/metrics';
import type { DeviceConnections } from './connections';
import type { SignageRepositories } from './store';

export function signageMetrics(
  store: Pick<SignageRepositories, 'commands'>,
  connections: Pick<DeviceConnections, 'online'>,
): MetricsCollector {
  return (registry) => {
    new Gauge({
      name: 'marquee_signage_commands',
      help: 'Signage commands stored, by state (queued, sent, acked, failed, expired)',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        const counts = await store.commands.countByState();
        for (const state of protocol.signage.CommandState.options) {
          this.set({ state }, counts.get(state) ?? 0);
        }
      },
    });
    new Gauge({
      name: 'marquee_signage_devices_online',
      help: 'Signage devices with an open socket',
      registers: [registry],
      collect() {
        this.set(connections.online().length);
      },
    });
  };
}
