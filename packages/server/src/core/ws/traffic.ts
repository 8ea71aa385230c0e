/**
 * What the sockets of one channel did with their messages, counted where it happens and read
 * only when someone asks (the gateway's `stats()`, `GET /metrics`). The fan-out path pays one
 * integer increment per delivered message for this; coalescing and dropping are off that path.
 */
export class TrafficCounters {
  /** Messages handed to `ws` for writing. */
  delivered = 0;
  /** Queued snapshots replaced by a newer one with the same key (latest wins) before delivery. */
  coalesced = 0;
  /** Messages that never reached `ws`: sent to a closing socket, or still queued when it closed. */
  dropped = 0;
}

/** A copy of the counters at one moment. */
export type TrafficStats = Readonly<Pick<TrafficCounters, 'delivered' | 'coalesced' | 'dropped'>>;
