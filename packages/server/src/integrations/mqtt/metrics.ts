/** The MQTT bridge in `/metrics` (docs/mqtt.md), read at scrape time. */
import { Gauge } from 'prom-client';
import type { MetricsCollector } from '../../core/metrics';
import type { MqttBridge } from './bridge';

export function mqttMetrics(bridge: MqttBridge): MetricsCollector {
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
    gauge('marquee_mqtt_connected', '1 while the MQTT bridge is connected to its broker', () =>
      bridge.client.connected ? 1 : 0,
    );
    gauge(
      'marquee_mqtt_published',
      'Messages the MQTT bridge has handed to its broker',
      () => bridge.publisher.published,
    );
    gauge(
      'marquee_mqtt_queued',
      'Command results waiting for the broker to come back',
      () => bridge.publisher.queued,
    );
    gauge(
      'marquee_mqtt_dropped',
      'Command results dropped while the broker was away (MARQUEE_MQTT_MAX_QUEUED)',
      () => bridge.publisher.dropped,
    );
  };
}
