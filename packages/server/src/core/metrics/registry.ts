/**
 * The metrics one server exposes, in a registry of its own (never prom-client's global one), so
 * several servers in one process (tests, embedding) each count their own. Nearly everything is
 * read when a scrape asks (`collect`), from figures the gateway and store already keep; the only
 * observations made as things happen are one per HTTP response and one per sampler read, both
 * far from the WebSocket fan-out path. Every metric is listed in docs/metrics.md.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SharedSampler } from '../shared-sampler';
import type { WsGateway } from '../ws';

/** Adds a part's own metrics (a surface's) to the registry. */
export type MetricsCollector = (registry: Registry) => void;

/** A sampler whose reads can be timed. */
export type ProbedSampler = Pick<SharedSampler<unknown>, 'onProbe'>;

export interface MetricsSources {
  readonly gateway: Pick<WsGateway, 'stats'>;
  /** Shared samplers by name (`system`, `gpu`); every read's duration is observed. */
  readonly samplers: Readonly<Record<string, ProbedSampler>>;
  /** Surfaces' own metrics. @default [] */
  readonly collectors?: readonly MetricsCollector[];
}

export interface ServerMetrics {
  readonly registry: Registry;
  /** Labelled by route pattern (never the raw URL), method and status class. */
  readonly httpDuration: Histogram<'method' | 'route' | 'status_class'>;
  /** Stops observing the samplers. */
  stop(): void;
}

/** A counter whose value is read at scrape time from a total kept elsewhere. */
export function totals<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () => ReadonlyArray<readonly [Partial<Record<L, string>>, number]>,
): void {
  new Counter<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.inc(labels, value);
    },
  });
}

export function createServerMetrics(sources: MetricsSources): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { gateway } = sources;

  new Gauge({
    name: 'marquee_ws_connections',
    help: 'Open WebSocket connections per channel (closing handshakes included)',
    labelNames: ['channel'],
    registers: [registry],
    collect() {
      const stats = gateway.stats();
      this.reset();
      for (const channel of Object.keys(stats.traffic)) {
        this.set({ channel }, stats.byChannel[channel] ?? 0);
      }
    },
  });
  const perChannel = (field: 'delivered' | 'coalesced' | 'dropped') => () =>
    Object.entries(gateway.stats().traffic).map(([channel, t]) => [{ channel }, t[field]] as const);
  totals(
    registry,
    'marquee_ws_messages_delivered_total',
    'WebSocket messages handed to the socket for writing, per channel',
    ['channel'],
    perChannel('delivered'),
  );
  totals(
    registry,
    'marquee_ws_messages_coalesced_total',
    'Queued snapshots replaced by a newer one before delivery (latest wins), per channel',
    ['channel'],
    perChannel('coalesced'),
  );
  totals(
    registry,
    'marquee_ws_messages_dropped_total',
    'WebSocket messages never written: sent to a closing socket, or queued when it closed',
    ['channel'],
    perChannel('dropped'),
  );
  totals(
    registry,
    'marquee_ws_slow_consumer_closes_total',
    'Sockets closed because their send queue overflowed (SLOW_CONSUMER)',
    [],
    () => [[{}, gateway.stats().slowConsumersClosed]],
  );
  totals(
    registry,
    'marquee_ws_dead_peers_terminated_total',
    'Sockets terminated after a missed pong',
    [],
    () => [[{}, gateway.stats().deadPeersTerminated]],
  );
  totals(registry, 'marquee_ws_upgrades_accepted_total', 'WebSocket upgrades accepted', [], () => [
    [{}, gateway.stats().accepted],
  ]);
  totals(
    registry,
    'marquee_ws_upgrades_rejected_total',
    'WebSocket upgrades refused before the handshake, by HTTP status',
    ['status'],
    () => Object.entries(gateway.stats().rejected).map(([status, n]) => [{ status }, n] as const),
  );

  const samplerDuration = new Histogram<'sampler' | 'outcome'>({
    name: 'marquee_sampler_duration_seconds',
    help: 'How long one read of a shared sampler took (system stats, nvidia-smi), by outcome',
    labelNames: ['sampler', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const stops = Object.entries(sources.samplers).map(([sampler, source]) =>
    source.onProbe((seconds, ok) =>
      samplerDuration.observe({ sampler, outcome: ok ? 'ok' : 'error' }, seconds),
    ),
  );

  const httpDuration = new Histogram<'method' | 'route' | 'status_class'>({
    name: 'marquee_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern (unmatched: no route), method and status class',
    labelNames: ['method', 'route', 'status_class'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  for (const collector of sources.collectors ?? []) collector(registry);
  return {
    registry,
    httpDuration,
    stop() {
      for (const stop of stops) stop();
    },
  };
}
