/**
 * Topic fan-out. A publish serialises its message once and hands the very same UTF-8 buffer to
 * every subscriber (ws frames a Buffer without copying it), so 1,000 displays cost one
 * JSON.stringify and one encode per broadcast. First/last-subscriber hooks let an upstream
 * (system sampler, Plex poller) run only while someone is watching.
 */
import type { Connection } from './connection';

/** What the hub needs from a socket; Connection provides it, tests may fake it. */
export type HubSubscriber = Pick<Connection, 'send' | 'sendLatest' | 'onClose' | 'isClosed'>;

export interface HubOptions {
  /** Turns a message into its wire text. @default JSON.stringify */
  readonly serialize?: (message: unknown) => string;
  /** Receives errors thrown by topic hooks. @default console.error */
  readonly onHookError?: (error: unknown, topic: string) => void;
}

type TopicHook = (topic: string) => void;

export interface Hub {
  /** Adds `subscriber` to `topic` until the returned function runs or the socket closes. */
  subscribe(topic: string, subscriber: HubSubscriber): () => void;
  unsubscribe(topic: string, subscriber: HubSubscriber): void;
  /** Serialises once, sends to every subscriber; returns how many accepted it. */
  publish(topic: string, message: unknown): number;
  /** As `publish`, but a subscriber's still-queued message with the same key is replaced. */
  publishLatest(topic: string, key: string, message: unknown): number;
  /** Sends already-serialised text (e.g. a cached snapshot), optionally latest-wins by key. */
  publishSerialized(topic: string, data: string | Buffer, latestKey?: string): number;
  subscriberCount(topic: string): number;
  /** Runs `hook` whenever `topic` goes from 0 to 1 subscriber. */
  onFirstSubscriber(topic: string, hook: TopicHook): () => void;
  /** Runs `hook` whenever `topic` goes from 1 to 0 subscribers. */
  onLastUnsubscribed(topic: string, hook: TopicHook): () => void;
}

export function createHub(options: HubOptions = {}): Hub {
  const serialize = options.serialize ?? ((message: unknown) => JSON.stringify(message));
  const onHookError =
    options.onHookError ??
    ((error: unknown, topic: string) => console.error(`hub hook for ${topic} failed`, error));
  const topics = new Map<string, Set<HubSubscriber>>();
  const topicsOf = new Map<HubSubscriber, Set<string>>();
  const firstHooks = new Map<string, Set<TopicHook>>();
  const lastHooks = new Map<string, Set<TopicHook>>();

  const runHooks = (hooks: Map<string, Set<TopicHook>>, topic: string): void => {
    for (const hook of hooks.get(topic) ?? []) {
      try {
        hook(topic);
      } catch (error) {
        onHookError(error, topic);
      }
    }
  };

  const addHook = (hooks: Map<string, Set<TopicHook>>, topic: string, hook: TopicHook) => {
    const set = hooks.get(topic) ?? new Set<TopicHook>();
    hooks.set(topic, set);
    set.add(hook);
    return () => {
      set.delete(hook);
    };
  };

  const unsubscribe = (topic: string, subscriber: HubSubscriber): void => {
    const subscribers = topics.get(topic);
    if (subscribers === undefined || !subscribers.delete(subscriber)) return;
    topicsOf.get(subscriber)?.delete(topic);
    if (subscribers.size > 0) return;
    topics.delete(topic);
    runHooks(lastHooks, topic);
  };

  const fanOut = (topic: string, data: string | Buffer, key: string | undefined): number => {
    let delivered = 0;
    for (const subscriber of topics.get(topic) ?? []) {
      const ok = key === undefined ? subscriber.send(data) : subscriber.sendLatest(key, data);
      if (ok) delivered += 1;
    }
    return delivered;
  };

  /** Encodes once so ws frames the same bytes for every socket instead of re-encoding. */
  const publishValue = (topic: string, message: unknown, key: string | undefined): number => {
    if (!topics.has(topic)) return 0;
    return fanOut(topic, Buffer.from(serialize(message), 'utf8'), key);
  };

  return {
    subscribe(topic, subscriber) {
      if (subscriber.isClosed) return () => undefined;
      let subscribers = topics.get(topic);
      if (subscribers?.has(subscriber)) return () => unsubscribe(topic, subscriber);
      let mine = topicsOf.get(subscriber);
      if (mine === undefined) {
        const owned = new Set<string>();
        mine = owned;
        topicsOf.set(subscriber, owned);
        subscriber.onClose(() => {
          topicsOf.delete(subscriber);
          for (const t of [...owned]) unsubscribe(t, subscriber);
        });
      }
      mine.add(topic);
      const first = subscribers === undefined;
      subscribers ??= new Set<HubSubscriber>();
      topics.set(topic, subscribers);
      subscribers.add(subscriber);
      if (first) runHooks(firstHooks, topic);
      return () => unsubscribe(topic, subscriber);
    },
    unsubscribe,
    publish: (topic, message) => publishValue(topic, message, undefined),
    publishLatest: (topic, key, message) => publishValue(topic, message, key),
    publishSerialized(topic, data, latestKey) {
      if (!topics.has(topic)) return 0;
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      return fanOut(topic, bytes, latestKey);
    },
    subscriberCount: (topic) => topics.get(topic)?.size ?? 0,
    onFirstSubscriber: (topic, hook) => addHook(firstHooks, topic, hook),
    onLastUnsubscribed: (topic, hook) => addHook(lastHooks, topic, hook),
  };
}
