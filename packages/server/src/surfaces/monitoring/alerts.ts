/**
 * Threshold alerts on CPU, memory and disk usage. A metric at or above its `warning` line opens a
 * `warning` alert, at or above `critical` an `error` one (the seed's levels have no `critical`);
 * rising from warning to critical ends the warning and opens an error. An alert ends when the
 * value falls `HYSTERESIS` points below the line that opened it, so a value hovering at the line
 * does not open and end alerts on every sample. While open, its `peak` follows the worst value.
 *
 * A threshold's `forMinutes` is a duration: the value must stay at or above a line, sample after
 * sample, that long before the alert opens (one sample below restarts the wait); an escalation
 * from warning to error waits the same time above the critical line.
 */
import type { protocol } from '@marquee/sdk';
import type { MonitoringAlertRecord, MonitoringAlertsRepository } from './store/types';
import type { Usage } from './views';

type AlertSettings = protocol.monitoring.AlertSettings;

/** Points (percent) below the line a value must fall to end the alert. */
export const HYSTERESIS = 2;
/** Alerts kept in the store; the oldest beyond are deleted. */
export const MAX_ALERTS = 10_000;

const LABEL = { cpu: 'CPU', memory: 'Memory', disk: 'Disk' } as const;
type Metric = keyof typeof LABEL;

interface Open {
  readonly record: MonitoringAlertRecord;
  readonly line: number;
  peak: number;
}

export class ThresholdAlerts {
  readonly #repo: MonitoringAlertsRepository;
  readonly #onAlert: (alert: MonitoringAlertRecord) => void;
  readonly #onResolved: (alert: MonitoringAlertRecord) => void;
  readonly #open = new Map<Metric, Open>();
  /** Since when each metric has been at or above its warning / critical line, continuously. */
  readonly #since = new Map<Metric, { warning: number | undefined; error: number | undefined }>();
  /** Evaluations run one after the other (each awaits the store); never rejects. */
  #chain: Promise<void> = Promise.resolve();

  /**
   * `onAlert` is called with each alert opened; `onResolved` with each that ended because the value
   * fell below the line (not one ended by an escalation to `error`, nor at shutdown).
   */
  constructor(
    repo: MonitoringAlertsRepository,
    onAlert: (alert: MonitoringAlertRecord) => void,
    onResolved: (alert: MonitoringAlertRecord) => void = () => {},
  ) {
    this.#repo = repo;
    this.#onAlert = onAlert;
    this.#onResolved = onResolved;
  }

  /**
   * Compares one sample's usage with the thresholds; opens, escalates and ends alerts. Runs after
   * the evaluations before it; settles when its changes are stored.
   */
  evaluate(usage: Usage, settings: AlertSettings, at: number): Promise<void> {
    return this.#enqueue(() => this.#evaluate(usage, settings, at));
  }

  #enqueue(work: () => Promise<void>): Promise<void> {
    const done = this.#chain.then(work);
    this.#chain = done.catch(() => {});
    return done;
  }

  async #evaluate(usage: Usage, settings: AlertSettings, at: number): Promise<void> {
    for (const metric of Object.keys(LABEL) as Metric[]) {
      const value = usage[metric];
      const threshold = settings.thresholds[metric];
      const forMs = (threshold.forMinutes ?? 0) * 60_000;
      const since = this.#since.get(metric) ?? { warning: undefined, error: undefined };
      since.warning = value >= threshold.warning ? (since.warning ?? at) : undefined;
      since.error = value >= threshold.critical ? (since.error ?? at) : undefined;
      this.#since.set(metric, since);
      const held = (from: number | undefined) => from !== undefined && at - from >= forMs;
      const level = held(since.error) ? 'error' : held(since.warning) ? 'warning' : undefined;
      const open = this.#open.get(metric);
      if (open !== undefined) {
        const escalates = open.record.level === 'warning' && level === 'error';
        if (escalates || value < open.line - HYSTERESIS) {
          this.#open.delete(metric);
          await this.#repo.end(open.record.id, at);
          if (!escalates) {
            this.#onResolved({ ...open.record, endedAt: at, peak: open.peak });
          }
        } else {
          if (value > open.peak) {
            open.peak = value;
            await this.#repo.peak(open.record.id, value);
          }
          continue;
        }
      }
      if (level === undefined) continue;
      const line = level === 'error' ? threshold.critical : threshold.warning;
      const record = await this.#repo.open(
        {
          startedAt: at,
          level,
          message: `${LABEL[metric]} usage ${value}% is at or above the ${level === 'error' ? 'critical' : 'warning'} threshold of ${line}%`,
          source: 'system',
          details: {
            metric,
            value,
            threshold: line,
            ...(forMs > 0 ? { forMinutes: threshold.forMinutes } : {}),
          },
          peak: value,
        },
        MAX_ALERTS,
      );
      this.#open.set(metric, { record, line, peak: value });
      this.#onAlert(record);
    }
  }

  /** Ends every open alert (shutdown: a restart evaluates afresh), after pending evaluations. */
  endAll(at: number): Promise<void> {
    return this.#enqueue(async () => {
      const open = [...this.#open.values()];
      this.#open.clear();
      this.#since.clear();
      for (const { record } of open) await this.#repo.end(record.id, at);
    });
  }
}

/** An alert as `GET /alerts` and the `alert` message show it. */
export function alertView(record: MonitoringAlertRecord): protocol.monitoring.Alert {
  return {
    id: `alert-${record.id}`,
    timestamp: new Date(record.startedAt).toISOString(),
    level: record.level,
    message: record.message,
    source: record.source,
    details: {
      ...record.details,
      ...(record.peak === null ? {} : { peak: record.peak }),
      ...(record.endedAt === null ? {} : { endedAt: new Date(record.endedAt).toISOString() }),
    },
  };
}
