/**
 * The bus of a server that runs alone (no `MARQUEE_REDIS_URL`): there is no other instance, so a
 * message to itself is handled at once and everything else has nobody to reach.
 */
import type { BusHandler, BusStats, ClusterBus, Lease } from './types';

export class LocalBus implements ClusterBus {
  readonly nodeId = 'local';
  readonly clustered = false;
  readonly #handlers = new Map<string, Set<BusHandler>>();

  on(kind: string, handler: BusHandler): () => void {
    const set = this.#handlers.get(kind) ?? new Set<BusHandler>();
    this.#handlers.set(kind, set);
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }

  sendTo(node: string, kind: string, payload: unknown): void {
    if (node !== this.nodeId) return;
    for (const handler of this.#handlers.get(kind) ?? []) handler(payload, this.nodeId);
  }

  broadcast(): void {}

  publishState(): void {}

  publish(): void {}

  interest(): () => void {
    return () => undefined;
  }

  states(): Promise<Map<string, unknown>> {
    return Promise.resolve(new Map<string, never>());
  }

  claim(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  release(): void {}

  holders(): Promise<Map<string, string>> {
    return Promise.resolve(new Map<string, never>());
  }

  lease(): Lease {
    return { held: true, onChange: () => () => undefined, release: () => undefined };
  }

  held(): Promise<Map<string, string>> {
    return Promise.resolve(new Map<string, never>());
  }

  onNodeDown(): () => void {
    return () => undefined;
  }

  onNodeUp(): () => void {
    return () => undefined;
  }

  onReconnect(): () => void {
    return () => undefined;
  }

  stats(): BusStats {
    return { connected: true, nodes: 1, sent: 0, received: 0, queued: 0, dropped: 0, outages: 0 };
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
