/**
 * The local Mosquitto the MQTT tests run against (127.0.0.1:1883, or MARQUEE_TEST_MQTT_URL), and
 * a recording client. Without a broker the tests skip; under CI=true they fail, naming the
 * service and how to start it.
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { connectAsync, type MqttClient } from 'mqtt';
import { vi } from 'vitest';

export const BROKER_URL = process.env.MARQUEE_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const broker = new URL(BROKER_URL);
export const BROKER_HOST = broker.hostname;
export const BROKER_PORT = Number(broker.port || 1883);

export const MOSQUITTO_MISSING =
  `Mosquitto (MQTT broker) is not reachable at ${BROKER_HOST}:${BROKER_PORT}. ` +
  "Start it with Debian's package: sudo apt-get install -y mosquitto && sudo service mosquitto start " +
  '(or set MARQUEE_TEST_MQTT_URL).';

function reachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: BROKER_HOST, port: BROKER_PORT });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export const brokerUp = await reachable();
if (!brokerUp && process.env.CI) throw new Error(MOSQUITTO_MISSING);
if (!brokerUp) console.warn(`skipping the MQTT tests: ${MOSQUITTO_MISSING}`);

/** A fresh topic prefix, discovery prefix and node id: tests never see each other's topics. */
export function freshNames() {
  const id = randomBytes(5).toString('hex');
  return {
    mqttTopicPrefix: `marquee-test-${id}`,
    mqttDiscoveryPrefix: `ha-test-${id}`,
    mqttNodeId: `node_${id}`,
  };
}

export interface Received {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
}

/** A client recording every message on the given filters (Home Assistant's side of the bridge). */
export class Watcher {
  readonly log: Received[] = [];
  readonly latest = new Map<string, Received>();
  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const entry = { topic, payload: payload.toString(), retain: packet.retain };
      this.log.push(entry);
      this.latest.set(topic, entry);
    });
  }

  static async open(filters: string[]): Promise<Watcher> {
    const client = await connectAsync(BROKER_URL, { reconnectPeriod: 0 });
    const watcher = new Watcher(client);
    await client.subscribeAsync(filters, { qos: 1 });
    return watcher;
  }

  json(topic: string): unknown {
    const found = this.latest.get(topic);
    return found === undefined || found.payload === '' ? undefined : JSON.parse(found.payload);
  }

  messages(topic: string): Received[] {
    return this.log.filter((m) => m.topic === topic);
  }

  async publish(topic: string, payload: string): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1 });
  }

  /** Clears every retained message seen, so the shared broker keeps nothing of the test. */
  async clearRetained(): Promise<void> {
    // A server that just closed may still have its `offline` on the way here.
    await new Promise((resolve) => setTimeout(resolve, 250));
    for (const [topic, last] of this.latest) {
      if (last.payload !== '') await this.client.publishAsync(topic, '', { qos: 1, retain: true });
    }
  }

  async close(): Promise<void> {
    await this.clearRetained();
    await this.client.endAsync(true);
  }
}

export const WAIT = { timeout: 10_000, interval: 20 } as const;

export function waitFor<T>(check: () => T): Promise<T> {
  return vi.waitFor(check, WAIT);
}
