/**
 * The MQTT bridge's settings (core/config.ts spreads them into the server's Config). Everything is
 * off until `MARQUEE_MQTT_URL` is set; commands stay off until `MARQUEE_MQTT_COMMANDS` grants some.
 */
import { protocol } from '@marquee/sdk';
import { z } from 'zod';

/** One topic level chosen by the operator: no wildcards, no `/` at either end, no empty levels. */
const topicPrefix = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^#+/\s]+(\/[^#+/\s]+)*$/, 'a topic without wildcards, spaces or empty levels');

export const mqttSettings = {
  /** Broker URL (`mqtt://host:1883`, `mqtts://`, `ws://`, `wss://`); unset, the bridge is off. @default undefined */
  mqttUrl: z
    .string()
    .regex(/^(mqtts?|wss?|tcp|ssl):\/\/[^\s]+$/, 'an mqtt://, mqtts://, ws:// or wss:// URL')
    .optional(),
  /** Broker user name. @default undefined */
  mqttUsername: z.string().min(1).optional(),
  /** Broker password. @default undefined */
  mqttPassword: z.string().min(1).optional(),
  /** First levels of every Marquee topic. @default 'marquee' */
  mqttTopicPrefix: topicPrefix.default('marquee'),
  /** Home Assistant's discovery prefix. @default 'homeassistant' */
  mqttDiscoveryPrefix: topicPrefix.default('homeassistant'),
  /** This instance's node id in topics and unique ids. @default `marquee_<hostname>` */
  mqttNodeId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - (at most 64)')
    .optional(),
  /** JSON allow-list of accepted commands (see docs/mqtt.md); unset, no command is accepted. @default undefined */
  mqttCommands: z
    .string()
    .transform((text, ctx) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
      const parsed = protocol.mqtt.MqttCommandPolicy.safeParse(value);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: z.prettifyError(parsed.error) });
        return z.NEVER;
      }
      return parsed.data;
    })
    .optional(),
  /** Least time between two publishes on one state topic, in ms (only changes are sent). @default 2000 */
  mqttMinIntervalMs: z.coerce.number().int().min(0).max(3_600_000).default(2000),
  /** Non-retained messages held while the broker is away (the oldest are dropped). @default 1000 */
  mqttMaxQueued: z.coerce.number().int().min(0).max(100_000).default(1000),
};

export const MQTT_ENV_NAMES = {
  mqttUrl: 'MARQUEE_MQTT_URL',
  mqttUsername: 'MARQUEE_MQTT_USERNAME',
  mqttPassword: 'MARQUEE_MQTT_PASSWORD',
  mqttTopicPrefix: 'MARQUEE_MQTT_TOPIC_PREFIX',
  mqttDiscoveryPrefix: 'MARQUEE_MQTT_DISCOVERY_PREFIX',
  mqttNodeId: 'MARQUEE_MQTT_NODE_ID',
  mqttCommands: 'MARQUEE_MQTT_COMMANDS',
  mqttMinIntervalMs: 'MARQUEE_MQTT_MIN_INTERVAL_MS',
  mqttMaxQueued: 'MARQUEE_MQTT_MAX_QUEUED',
} as const;
