/** The data directory's disk in `/metrics` (docs/metrics.md), read from core/storage.ts at scrape time. */
import { Gauge } from 'prom-client';
import type { StorageMonitor } from '../storage';
import { totals, type MetricsCollector } from './registry';

const STATES = ['ok', 'low', 'full', 'read_only'] as const;

export function storageMetrics(storage: StorageMonitor): MetricsCollector {
  return (registry) => {
    const bytes = (name: string, help: string, read: () => number | null) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          const value = read();
          this.reset();
          if (value !== null) this.set(value);
        },
      });
    bytes(
      'marquee_storage_free_bytes',
      "Bytes free to the server on the data directory's filesystem",
      () => storage.status().freeBytes,
    );
    bytes(
      'marquee_storage_total_bytes',
      "Size of the data directory's filesystem in bytes",
      () => storage.status().totalBytes,
    );
    bytes(
      'marquee_storage_reserve_bytes',
      'Free space uploads and screenshots must leave (MARQUEE_STORAGE_RESERVE_BYTES)',
      () => storage.reserveBytes,
    );
    new Gauge({
      name: 'marquee_storage_state',
      help: 'The data directory disk state: 1 for the current one of ok, low, full, read_only',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const { state } = storage.status();
        for (const each of STATES) this.set({ state: each }, each === state ? 1 : 0);
      },
    });
    totals(
      registry,
      'marquee_storage_faults_total',
      'Requests answered 507 (disk full) or 503 (read-only store) because a write failed',
      ['kind'],
      () => Object.entries(storage.status().faults).map(([kind, n]) => [{ kind }, n] as const),
    );
  };
}
