/**
 * Home Assistant MQTT discovery: one retained config per entity on
 * `<discovery_prefix>/<component>/<node_id>/<object_id>/config`, naming its state topic, a
 * `value_template` that reads the JSON state, the device every entity belongs to and the
 * availability topic (`online` retained on connect, `offline` as the last will). An empty
 * retained config removes the entity. Field names as Home Assistant documents them for
 * `sensor.mqtt` and `binary_sensor.mqtt`.
 */
import { createHash } from 'node:crypto';

export type Component = 'sensor' | 'binary_sensor';

/** Where this instance's topics live. */
export interface Topics {
  /** `<topic_prefix>/<node_id>`: every state, the availability and the command topics. */
  readonly base: string;
  readonly discoveryPrefix: string;
  readonly nodeId: string;
  /** `<base>/status`. */
  readonly availability: string;
}

export function topicsFor(topicPrefix: string, discoveryPrefix: string, nodeId: string): Topics {
  const base = `${topicPrefix}/${nodeId}`;
  return { base, discoveryPrefix, nodeId, availability: `${base}/status` };
}

/** The `device` block shared by every entity of this instance. */
export interface DeviceInfo {
  readonly identifiers: readonly string[];
  readonly name: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly sw_version: string;
}

export function deviceFor(nodeId: string, version: string): DeviceInfo {
  return {
    identifiers: [`marquee_${nodeId}`],
    name: `Marquee ${nodeId}`,
    manufacturer: 'Marquee',
    model: 'Marquee server',
    sw_version: version,
  };
}

/** One Home Assistant entity. */
export interface EntitySpec {
  readonly component: Component;
  /** [A-Za-z0-9_-]; unique within the node. */
  readonly objectId: string;
  readonly name: string;
  /** Relative to `Topics.base`. */
  readonly state: string;
  readonly valueTemplate: string;
  /** The whole JSON state also becomes the entity's attributes. */
  readonly attributes?: boolean;
  readonly unit?: string;
  readonly deviceClass?: string;
  readonly stateClass?: 'measurement' | 'total' | 'total_increasing';
  readonly icon?: string;
  readonly entityCategory?: 'diagnostic';
}

export function configTopic(topics: Topics, spec: Pick<EntitySpec, 'component' | 'objectId'>) {
  return `${topics.discoveryPrefix}/${spec.component}/${topics.nodeId}/${spec.objectId}/config`;
}

export function stateTopic(topics: Topics, relative: string): string {
  return `${topics.base}/${relative}`;
}

/** The discovery config of one entity. */
export function discoveryConfig(
  topics: Topics,
  device: DeviceInfo,
  spec: EntitySpec,
): Record<string, unknown> {
  const state = stateTopic(topics, spec.state);
  return {
    name: spec.name,
    unique_id: `${topics.nodeId}_${spec.objectId}`,
    state_topic: state,
    value_template: spec.valueTemplate,
    ...(spec.attributes ? { json_attributes_topic: state } : {}),
    ...(spec.unit === undefined ? {} : { unit_of_measurement: spec.unit }),
    ...(spec.deviceClass === undefined ? {} : { device_class: spec.deviceClass }),
    ...(spec.stateClass === undefined ? {} : { state_class: spec.stateClass }),
    ...(spec.icon === undefined ? {} : { icon: spec.icon }),
    ...(spec.entityCategory === undefined ? {} : { entity_category: spec.entityCategory }),
    ...(spec.component === 'binary_sensor' ? { payload_on: 'ON', payload_off: 'OFF' } : {}),
    availability_topic: topics.availability,
    payload_available: 'online',
    payload_not_available: 'offline',
    device,
  };
}

/**
 * An object id for an arbitrary id (a session id, a GPU index): its safe characters, cut short,
 * and a hash of the whole so two ids that differ only in unsafe characters never collide.
 */
export function objectIdOf(prefix: string, id: string): string {
  const slug = id
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .slice(0, 40)
    .toLowerCase();
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 8);
  return `${prefix}_${slug}_${hash}`;
}
