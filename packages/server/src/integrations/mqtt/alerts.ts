/**
 * Monitoring alerts to MQTT, from the monitoring surface's hub topic (its `metrics` and `alert`
 * messages, driven by the shared system sampler): one `problem` binary sensor per alert kind (CPU,
 * memory, disk) that is on while the figure is at or above its warning threshold, and a sensor
 * holding the last alert raised (its message, with level, source and details as attributes).
 */
import type { protocol } from '@marquee/sdk';
import type { EntitySpec } from './discovery';
import type { Entities } from './entities';

type MonitoringMessage = protocol.monitoring.MonitoringServerMessage;

export const ALERT_KINDS = ['cpu', 'memory', 'disk'] as const;

export const ALERT_ENTITIES: readonly EntitySpec[] = [
  ...ALERT_KINDS.map((kind): EntitySpec => ({
    component: 'binary_sensor',
    objectId: `alert_${kind}`,
    name: `${kind === 'cpu' ? 'CPU' : kind === 'memory' ? 'Memory' : 'Disk'} alert`,
    state: `alerts/${kind}`,
    valueTemplate: "{{ 'ON' if value_json.active else 'OFF' }}",
    deviceClass: 'problem',
    attributes: true,
  })),
  {
    component: 'sensor',
    objectId: 'last_alert',
    name: 'Last alert',
    state: 'alerts/last',
    // A sensor's state holds at most 255 characters.
    valueTemplate: '{{ value_json.message[:255] }}',
    attributes: true,
    icon: 'mdi:alert',
  },
];

export class AlertEntities {
  readonly #entities: Entities;

  constructor(entities: Entities) {
    this.#entities = entities;
    for (const spec of ALERT_ENTITIES) entities.ensure(spec);
  }

  onMessage(message: MonitoringMessage): void {
    if (message.type === 'metrics') {
      for (const kind of ALERT_KINDS) {
        const { status } = message.data[kind];
        this.#entities.state(`alerts/${kind}`, { active: status !== 'healthy', status });
      }
    } else if (message.type === 'alert') {
      this.#entities.state('alerts/last', message.data);
    }
  }
}
