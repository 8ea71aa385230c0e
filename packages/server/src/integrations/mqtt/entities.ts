/**
 * The entities this instance has announced to Home Assistant: a discovery config is published
 * once per entity (and again when Home Assistant comes back online), states go through the
 * publisher's change-only, rate-limited path, and removing an entity clears both its config and
 * its retained state.
 */
import {
  configTopic,
  discoveryConfig,
  stateTopic,
  type DeviceInfo,
  type EntitySpec,
  type Topics,
} from './discovery';
import type { Publisher } from './publisher';

export class Entities {
  readonly #publisher: Publisher;
  readonly #topics: Topics;
  readonly #device: DeviceInfo;
  /** Announced entities by config topic. */
  readonly #announced = new Map<string, EntitySpec>();

  constructor(publisher: Publisher, topics: Topics, device: DeviceInfo) {
    this.#publisher = publisher;
    this.#topics = topics;
    this.#device = device;
  }

  get topics(): Topics {
    return this.#topics;
  }

  /** Announces `spec` unless it already is. */
  ensure(spec: EntitySpec): void {
    const topic = configTopic(this.#topics, spec);
    if (this.#announced.has(topic)) return;
    this.#announced.set(topic, spec);
    this.#announce(topic, spec);
  }

  /** Removes the entities (empty retained configs) and clears their retained states. */
  remove(specs: readonly EntitySpec[]): void {
    const states = new Set<string>();
    for (const spec of specs) {
      const topic = configTopic(this.#topics, spec);
      this.#announced.delete(topic);
      this.#publisher.retained(topic, '');
      states.add(spec.state);
    }
    for (const state of states) this.#publisher.retained(stateTopic(this.#topics, state), '');
  }

  /** A JSON state on `<base>/<relative>`. */
  state(relative: string, value: unknown): void {
    this.#publisher.state(stateTopic(this.#topics, relative), JSON.stringify(value));
  }

  /** Every config again (Home Assistant restarted and lost what was not retained). */
  reannounce(): void {
    for (const [topic, spec] of this.#announced) this.#announce(topic, spec);
  }

  #announce(topic: string, spec: EntitySpec): void {
    this.#publisher.retained(
      topic,
      JSON.stringify(discoveryConfig(this.#topics, this.#device, spec)),
    );
  }
}
