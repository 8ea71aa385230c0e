/**
 * Home Assistant's MQTT discovery config for `sensor` and `binary_sensor`, written from its
 * documentation (home-assistant.io/integrations/sensor.mqtt, binary_sensor.mqtt and the MQTT
 * discovery page): the documented keys only (`strict`, so a misspelt key fails), their types, and
 * the documented rules: `state_topic` required, `availability_topic` and `availability` not
 * together, a device needs `identifiers` or `connections`, `device` needs `unique_id`.
 */
import { z } from 'zod';

const template = z.string().min(1);
const topic = z
  .string()
  .min(1)
  .refine((t) => !t.includes('+') && !t.includes('#'), 'a topic to publish on has no wildcards');

const device = z
  .object({
    configuration_url: z.string().optional(),
    connections: z.array(z.tuple([z.string(), z.string()])).optional(),
    hw_version: z.string().optional(),
    identifiers: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    manufacturer: z.string().optional(),
    model: z.string().optional(),
    model_id: z.string().optional(),
    name: z.string().optional(),
    serial_number: z.string().optional(),
    suggested_area: z.string().optional(),
    sw_version: z.string().optional(),
    via_device: z.string().optional(),
  })
  .strict()
  .refine((d) => d.identifiers !== undefined || d.connections !== undefined, {
    message: 'a device needs identifiers or connections',
  });

const availability = z.array(
  z
    .object({
      topic,
      payload_available: z.string().optional(),
      payload_not_available: z.string().optional(),
      value_template: template.optional(),
    })
    .strict(),
);

/** Keys every MQTT entity shares. */
const common = {
  availability: availability.optional(),
  availability_mode: z.enum(['all', 'any', 'latest']).optional(),
  availability_template: template.optional(),
  availability_topic: topic.optional(),
  payload_available: z.string().optional(),
  payload_not_available: z.string().optional(),
  default_entity_id: z.string().optional(),
  device: device.optional(),
  enabled_by_default: z.boolean().optional(),
  encoding: z.string().optional(),
  entity_category: z.enum(['config', 'diagnostic']).optional(),
  entity_picture: z.string().optional(),
  expire_after: z.number().int().min(0).optional(),
  force_update: z.boolean().optional(),
  icon: z
    .string()
    .regex(/^[a-z0-9-]+:[a-z0-9-]+$/, 'an icon is prefix:name, e.g. mdi:cpu-64-bit')
    .optional(),
  json_attributes_template: template.optional(),
  json_attributes_topic: topic.optional(),
  name: z.string().nullable().optional(),
  platform: z.literal('mqtt').optional(),
  qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  state_topic: topic,
  unique_id: z.string().min(1).optional(),
  value_template: template.optional(),
};

/** Sensor device classes Home Assistant documents (the subset with units this test knows). */
const SENSOR_UNITS: Record<string, readonly string[]> = {
  temperature: ['°C', '°F', 'K'],
  data_size: [
    'bit',
    'kbit',
    'Mbit',
    'Gbit',
    'B',
    'kB',
    'MB',
    'GB',
    'TB',
    'KiB',
    'MiB',
    'GiB',
    'TiB',
  ],
  data_rate: [
    'bit/s',
    'kbit/s',
    'Mbit/s',
    'Gbit/s',
    'B/s',
    'kB/s',
    'MB/s',
    'GB/s',
    'KiB/s',
    'MiB/s',
    'GiB/s',
  ],
  duration: ['d', 'h', 'min', 's', 'ms'],
};

const rules = <
  T extends {
    availability?: unknown;
    availability_topic?: unknown;
    device?: unknown;
    unique_id?: unknown;
  },
>(
  value: T,
  ctx: z.RefinementCtx,
) => {
  if (value.availability !== undefined && value.availability_topic !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'availability and availability_topic are exclusive' });
  }
  if (value.device !== undefined && value.unique_id === undefined) {
    ctx.addIssue({ code: 'custom', message: 'device information needs unique_id' });
  }
};

export const SensorConfig = z
  .object({
    ...common,
    device_class: z.enum(Object.keys(SENSOR_UNITS) as [string, ...string[]]).optional(),
    last_reset_value_template: template.optional(),
    options: z.array(z.string()).optional(),
    suggested_display_precision: z.number().int().min(0).optional(),
    state_class: z
      .enum(['measurement', 'measurement_angle', 'total', 'total_increasing'])
      .optional(),
    unit_of_measurement: z.string().optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    rules(value, ctx);
    if (value.device_class !== undefined) {
      const units = SENSOR_UNITS[value.device_class] ?? [];
      if (value.unit_of_measurement === undefined || !units.includes(value.unit_of_measurement)) {
        ctx.addIssue({
          code: 'custom',
          message: `unit ${String(value.unit_of_measurement)} is not one of ${value.device_class}'s`,
        });
      }
    }
  });

export const BinarySensorConfig = z
  .object({
    ...common,
    device_class: z
      .enum([
        'battery',
        'battery_charging',
        'carbon_monoxide',
        'cold',
        'connectivity',
        'door',
        'garage_door',
        'gas',
        'heat',
        'light',
        'lock',
        'moisture',
        'motion',
        'moving',
        'occupancy',
        'opening',
        'plug',
        'power',
        'presence',
        'problem',
        'running',
        'safety',
        'smoke',
        'sound',
        'tamper',
        'update',
        'vibration',
        'window',
      ])
      .optional(),
    off_delay: z.number().int().min(0).optional(),
    payload_off: z.string().optional(),
    payload_on: z.string().optional(),
  })
  .strict()
  .superRefine(rules);

/** The topic's parts: `<discovery_prefix>/<component>/[<node_id>/]<object_id>/config`. */
export const DISCOVERY_TOPIC =
  /^(.+)\/(sensor|binary_sensor)\/(?:([A-Za-z0-9_-]+)\/)?([A-Za-z0-9_-]+)\/config$/;
