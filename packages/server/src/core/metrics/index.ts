/** `GET /metrics`: Prometheus metrics in a registry per server (docs/metrics.md). */
export { mountMetrics, type Metrics, type MetricsOptions } from './mount';
export type { MetricsCollector, MetricsSources, ProbedSampler } from './registry';
export { storageMetrics } from './storage';
