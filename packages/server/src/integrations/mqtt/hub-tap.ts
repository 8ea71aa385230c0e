/**
 * Listens on a hub topic like a socket does, so the topic's producer runs (a hub topic's sampler
 * starts with its first subscriber) and the bridge receives exactly what panels receive, without
 * a second reader of the machine. Each message is parsed and checked with the protocol's schema.
 */
import type { Hub, HubSubscriber } from '../../core/ws';

export interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

/** Subscribes; returns the unsubscribe (the producer stops if nobody else listens). */
export function tapHub<T>(
  hub: Hub,
  topic: string,
  schema: Schema<T>,
  onMessage: (message: T) => void,
  onError: (error: unknown) => void,
): () => void {
  let closed = false;
  const receive = (data: string | Buffer): boolean => {
    try {
      const parsed = schema.safeParse(JSON.parse(data.toString()));
      if (parsed.success) onMessage(parsed.data);
    } catch (error) {
      onError(error);
    }
    return true;
  };
  const subscriber: HubSubscriber = {
    send: receive,
    sendLatest: (_key, data) => receive(data),
    // Never closed by the hub: only the returned function ends it.
    onClose: () => () => undefined,
    get isClosed() {
      return closed;
    },
  };
  const unsubscribe = hub.subscribe(topic, subscriber);
  return () => {
    closed = true;
    unsubscribe();
  };
}
