/**
 * What the bridge sends, and when. Two kinds of message:
 *
 * - Retained (discovery configs, availability-scoped states): only the newest value per topic
 *   matters. A state is published only when it changed and at most once per `minIntervalMs` per
 *   topic (a change inside the window waits for its end, newer values replacing it); a discovery
 *   config or a removal goes out at once. While the broker is away nothing is lost: each topic
 *   keeps its newest value, and every retained value is published again on (re)connect, since a
 *   restarted broker without persistence has forgotten them.
 * - Events (command results): not retained; while the broker is away they wait in a queue of at
 *   most `maxQueued`, the oldest dropped first.
 *
 * MQTT.js's own offline queue is not used (the client is created with `queueQoSZero: false` and
 * nothing is handed to it while disconnected), so this file holds every bound.
 */

/** The part of an MQTT.js client the publisher needs. */
export interface PublishClient {
  readonly connected: boolean;
  publish(
    topic: string,
    payload: string,
    options: { qos: 0 | 1; retain: boolean },
    callback: (error?: Error) => void,
  ): unknown;
}

export interface PublisherOptions {
  readonly client: PublishClient;
  /** Least time between two publishes of one state topic. */
  readonly minIntervalMs: number;
  /** Events kept while disconnected. */
  readonly maxQueued: number;
  /** @default Date.now */
  readonly now?: () => number;
  readonly onError?: (error: Error, topic: string) => void;
}

interface Sent {
  readonly payload: string;
  readonly at: number;
}

export class Publisher {
  readonly #client: PublishClient;
  readonly #minIntervalMs: number;
  readonly #maxQueued: number;
  readonly #now: () => number;
  readonly #onError: (error: Error, topic: string) => void;
  /** The newest retained value per topic that went to the broker. */
  readonly #sent = new Map<string, Sent>();
  /** Retained values not sent yet (waiting for the window or for the broker). */
  readonly #pending = new Map<string, string>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  #events: { topic: string; payload: string }[] = [];
  #dropped = 0;
  #published = 0;

  constructor(options: PublisherOptions) {
    this.#client = options.client;
    this.#minIntervalMs = options.minIntervalMs;
    this.#maxQueued = options.maxQueued;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Events dropped because the queue was full while the broker was away. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Messages handed to the client since start. */
  get published(): number {
    return this.#published;
  }

  /** Events waiting for the broker. */
  get queued(): number {
    return this.#events.length;
  }

  /** A retained state: sent when it changed, at most once per window per topic. */
  state(topic: string, payload: string): void {
    if (this.#sent.get(topic)?.payload === payload) {
      this.#pending.delete(topic);
      return;
    }
    this.#pending.set(topic, payload);
    if (this.#timers.has(topic) || !this.#client.connected) return;
    const last = this.#sent.get(topic);
    const wait = last === undefined ? 0 : last.at + this.#minIntervalMs - this.#now();
    if (wait <= 0) {
      this.#sendPending(topic);
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(topic);
      if (this.#client.connected) this.#sendPending(topic);
    }, wait);
    timer.unref();
    this.#timers.set(topic, timer);
  }

  /** A retained message sent at once (a discovery config); `''` removes the topic's value. */
  retained(topic: string, payload: string): void {
    this.#cancel(topic);
    this.#pending.set(topic, payload);
    if (this.#client.connected) this.#sendPending(topic);
  }

  /** A non-retained message; queued (bounded, oldest dropped) while the broker is away. */
  event(topic: string, payload: string): void {
    if (this.#client.connected) {
      this.#send(topic, payload, false);
      return;
    }
    if (this.#maxQueued === 0) {
      this.#dropped++;
      return;
    }
    this.#events.push({ topic, payload });
    if (this.#events.length > this.#maxQueued) {
      this.#events.shift();
      this.#dropped++;
    }
  }

  /**
   * (Re)connected: every retained value again, newest first from the pending ones, then the queued
   * events in order. `resend: false` sends only what is pending (nothing was lost).
   */
  flush(resend = true): void {
    if (resend) {
      for (const [topic, sent] of this.#sent) {
        if (!this.#pending.has(topic)) this.#send(topic, sent.payload, true);
      }
    }
    for (const topic of [...this.#pending.keys()]) {
      this.#cancel(topic);
      this.#sendPending(topic);
    }
    const events = this.#events;
    this.#events = [];
    for (const each of events) this.#send(each.topic, each.payload, false);
  }

  /** Stops the window timers (shutdown). */
  stop(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #cancel(topic: string): void {
    const timer = this.#timers.get(topic);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#timers.delete(topic);
  }

  #sendPending(topic: string): void {
    const payload = this.#pending.get(topic);
    if (payload === undefined) return;
    this.#pending.delete(topic);
    // A removal leaves nothing to publish again on reconnect.
    if (payload === '') this.#sent.delete(topic);
    else this.#sent.set(topic, { payload, at: this.#now() });
    this.#send(topic, payload, true);
  }

  #send(topic: string, payload: string, retain: boolean): void {
    this.#published++;
    this.#client.publish(topic, payload, { qos: 1, retain }, (error) => {
      if (error) this.#onError(error, topic);
    });
  }
}
