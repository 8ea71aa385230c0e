/**
 * The bus between Marquee instances (docs/deploy.md, "Several instances"). Without
 * `MARQUEE_REDIS_URL` the server runs alone and the bus is `LocalBus`: every call is answered
 * within the process and nothing crosses it. With it, `RedisBus` connects the instances that share
 * one database: messages addressed to one instance, to every instance, or to the instances that
 * declared an interest in a topic (and only those: a state kept per instance, or events), plus a
 * registry of which instance holds what (a device's socket).
 */

/** A message's handler; `from` is the sending instance's node id. */
export type BusHandler = (payload: unknown, from: string) => void;

export interface BusStats {
  /** 1 while connected to Redis (always 1 for the local bus). */
  readonly connected: boolean;
  /** Instances alive in the cluster, this one included. */
  readonly nodes: number;
  readonly sent: number;
  readonly received: number;
  /** Operations waiting for Redis (bounded by MARQUEE_REDIS_MAX_QUEUED). */
  readonly queued: number;
  /** Operations dropped because the queue was full while Redis was away. */
  readonly dropped: number;
  /** Times the connection to Redis was lost. */
  readonly outages: number;
}

/** A lease one instance of the cluster holds at a time (work done once per cluster). */
export interface Lease {
  /** Whether this instance holds it now. */
  readonly held: boolean;
  /** Runs `listener` whenever `held` changes; returns its removal. */
  onChange(listener: (held: boolean) => void): () => void;
  /** Gives it up (another instance takes it at its next heartbeat) and stops renewing. */
  release(): void;
}

export interface ClusterBus {
  /** This instance's id, unique per start. */
  readonly nodeId: string;
  /** True with Redis: other instances may exist. */
  readonly clustered: boolean;
  /** Runs `handler` with every message of `kind` addressed to this instance; returns its removal. */
  on(kind: string, handler: BusHandler): () => void;
  /** Sends to one instance (to itself: handled at once, in the process). */
  sendTo(node: string, kind: string, payload: unknown): void;
  /** Sends to every other instance. */
  broadcast(kind: string, payload: unknown): void;
  /**
   * Keeps `state` as this instance's share of `topic` (replacing the previous one) and sends it,
   * as a message of kind `state:<topic>`, to the other instances interested in the topic only.
   */
  publishState(topic: string, state: unknown): void;
  /**
   * Sends `payload`, as a message of `kind`, to the other instances interested in `topic` only;
   * kept nowhere (an instance that declares its interest later never gets it): events, not state.
   */
  publish(topic: string, kind: string, payload: unknown): void;
  /**
   * Declares this instance interested in `topic` until the returned function runs: it then
   * receives the other instances' `publishState` for the topic.
   */
  interest(topic: string): () => void;
  /** Every other live instance's current share of `topic`, by node id. */
  states(topic: string): Promise<Map<string, unknown>>;
  /**
   * Records this instance as the holder of `key` in `registry`; answers the previous holder when
   * it was another instance. Kept while the instance lives, and asserted again after an outage.
   */
  claim(registry: string, key: string): Promise<string | undefined>;
  /** Forgets the claim, unless another instance holds the key by now. */
  release(registry: string, key: string): void;
  /** The instances holding `keys` (an entry per key held by a live instance). */
  holders(registry: string, keys: readonly string[]): Promise<Map<string, string>>;
  /**
   * The lease `name`: held by one live instance at a time, renewed every heartbeat, taken over by
   * another within the node TTL when its holder stops or goes silent. Alone, always held.
   */
  lease(name: string): Lease;
  /** Every key of `registry` held by a live instance, with its holder. */
  held(registry: string): Promise<Map<string, string>>;
  /** Runs `listener` with the node id of an instance that stopped (or went silent). */
  onNodeDown(listener: (node: string) => void): () => void;
  /** Runs `listener` with the node id of an instance that appeared (or came back). */
  onNodeUp(listener: (node: string) => void): () => void;
  /** Runs `listener` after the connection to Redis came back from an outage. */
  onReconnect(listener: () => void): () => void;
  stats(): BusStats;
  stop(): Promise<void>;
}
