/**
 * Tiered metrics history, after Netdata's tiers: every sample kept per second for a day, rolled
 * up per minute for 90 days and per hour for 2 years (all configurable), each rolled-up point
 * with sum, min, max and count, so an average over any span stays exact and peaks are not lost.
 *
 * Roll-up is incremental: the minute and the hour in progress are running aggregates in memory;
 * when a sample opens a new minute, the finished minute is written once and folded into the
 * hour's aggregate, and likewise for the hour. Nothing is ever rescanned, except at start-up,
 * where the minute and hour in progress are rebuilt from at most 60 rows each of the finer tier
 * (every sample is written to the per-second tier as it comes, so a shutdown loses nothing).
 * Queries include the minute and hour in progress, so the newest bucket is never missing.
 *
 * Wall-clock steps (issue 18 §2): a sample not after the newest stored second is ignored, so a
 * clock stepped back (or a Raspberry Pi booting in 1970) leaves a gap and never rewrites or
 * removes what is stored. Retention removes rows older than the retention before the *earlier*
 * of the sample's time and the step-free time the caller passes (the wall time at start plus the
 * monotonic time since), so a clock stepped forward (a year ahead, then corrected) cannot delete
 * the history it appears to have outlived.
 *
 * A query picks the tier: the coarsest whose step is not longer than the resolution and whose
 * retention still holds `start` (or a coarser one that does), and the store groups its rows into
 * buckets of the resolution. The number of points is bounded: a resolution that would give more
 * than `maxPoints` is widened, and the effective resolution is what the answer echoes.
 *
 * The store is asynchronous (SQLite or PostgreSQL): samples are applied one after the other on a
 * chain, in arrival order, after the start-up rebuild; a query waits for the chain first, so it
 * takes its turn on the chain, so it never misses (nor counts twice) a minute being written.
 */
import type {
  Aggregate,
  HistorySample,
  MonitoringHistoryRepository,
  RollupRow,
  Tier,
} from './store/types';

export interface HistoryRetention {
  /** Seconds each tier is kept. */
  readonly second: number;
  readonly minute: number;
  readonly hour: number;
}

export const DEFAULT_RETENTION: HistoryRetention = {
  second: 86_400,
  minute: 90 * 86_400,
  hour: 730 * 86_400,
};

const STEP: Record<Tier, number> = { second: 1, minute: 60, hour: 3600 };
const TIERS: readonly Tier[] = ['second', 'minute', 'hour'];

function fold(a: Aggregate | null, value: Aggregate | null): Aggregate | null {
  if (value === null) return a;
  if (a === null) return value;
  return {
    sum: a.sum + value.sum,
    min: Math.min(a.min, value.min),
    max: Math.max(a.max, value.max),
  };
}

function point(value: number): Aggregate {
  return { sum: value, min: value, max: value };
}

/** A sample as a one-sample roll-up row. */
function asRow(s: HistorySample): RollupRow {
  return {
    ts: s.ts,
    n: 1,
    cpu: point(s.cpu),
    tempN: s.temp === null ? 0 : 1,
    temp: s.temp === null ? null : point(s.temp),
    mem: point(s.mem),
    memTotal: s.memTotal,
    disk: point(s.disk),
    diskTotal: s.diskTotal,
    rx: point(s.rx),
    tx: point(s.tx),
  };
}

/** `a` and `b` together, stamped `ts`. */
export function combine(ts: number, a: RollupRow | undefined, b: RollupRow): RollupRow {
  if (a === undefined) return { ...b, ts };
  const must = (x: Aggregate | null, y: Aggregate | null) => fold(x, y) ?? point(0);
  return {
    ts,
    n: a.n + b.n,
    cpu: must(a.cpu, b.cpu),
    tempN: a.tempN + b.tempN,
    temp: fold(a.temp, b.temp),
    mem: must(a.mem, b.mem),
    memTotal: Math.max(a.memTotal, b.memTotal),
    disk: must(a.disk, b.disk),
    diskTotal: Math.max(a.diskTotal, b.diskTotal),
    rx: must(a.rx, b.rx),
    tx: must(a.tx, b.tx),
  };
}

export interface HistoryQuery {
  /** Unix seconds, inclusive. */
  readonly start: number;
  /** Unix seconds, exclusive. */
  readonly end: number;
  /** Requested bucket width in seconds. */
  readonly resolution: number;
  /** Most points returned. */
  readonly maxPoints: number;
}

export interface HistoryAnswer {
  readonly tier: Tier;
  /** The bucket width used (seconds): the requested one, widened for the tier or the bound. */
  readonly resolution: number;
  readonly points: RollupRow[];
}

export class TieredHistory {
  readonly #repo: MonitoringHistoryRepository;
  readonly #retention: HistoryRetention;
  #minute: RollupRow | undefined;
  #hour: RollupRow | undefined;
  #lastSecond: number | undefined;
  /** The start-up rebuild, then every sample and query in arrival order. */
  #chain: Promise<void>;
  /** What retention measures from: the earlier of the newest sample and the step-free time. */
  #basis = Number.POSITIVE_INFINITY;

  constructor(repo: MonitoringHistoryRepository, retention: HistoryRetention = DEFAULT_RETENTION) {
    this.#repo = repo;
    this.#retention = retention;
    // A failed rebuild rejects the first ingest or query after it (the module logs it), not the
    // process: the handler attached here marks it handled.
    const restored = this.#restore();
    restored.catch(() => {});
    this.#chain = restored;
  }

  /** Rebuilds the minute and hour in progress from the rows already stored (≤ 60 each). */
  async #restore(): Promise<void> {
    const lastSecond = await this.#repo.newest('second');
    this.#lastSecond = lastSecond;
    if (lastSecond === undefined) return;
    const minute = Math.floor(lastSecond / 60) * 60;
    const hour = Math.floor(lastSecond / 3600) * 3600;
    this.#minute = (await this.#repo.buckets('second', minute, minute + 60, 60))[0];
    // The hour's finished minutes; the minute in progress joins it when it completes.
    this.#hour = (await this.#repo.buckets('minute', hour, minute, 3600))[0];
  }

  /**
   * Records one sample (a second already recorded is ignored), after the samples before it;
   * settles when it is stored, rejecting with the store's error (later samples still go on).
   * `steadySeconds` is the time by a clock that does not step (see the file comment); it bounds
   * what retention removes.
   */
  ingest(sample: HistorySample, steadySeconds: number = sample.ts): Promise<void> {
    const done = this.#chain.then(() => this.#ingest(sample, steadySeconds));
    this.#chain = done.catch(() => {});
    return done;
  }

  /** Settles once every sample ingested so far is stored (never rejects). */
  flush(): Promise<void> {
    return this.#chain.catch(() => {});
  }

  async #ingest(sample: HistorySample, steadySeconds: number): Promise<void> {
    if (this.#lastSecond !== undefined && sample.ts <= this.#lastSecond) return;
    this.#basis = Math.min(sample.ts, steadySeconds);
    this.#lastSecond = sample.ts;
    await this.#repo.insertSample(sample);
    const minute = Math.floor(sample.ts / 60) * 60;
    if (this.#minute !== undefined && this.#minute.ts !== minute) await this.#closeMinute(minute);
    this.#minute = combine(minute, this.#minute, asRow(sample));
  }

  async #closeMinute(nextMinute: number): Promise<void> {
    const done = this.#minute;
    if (done === undefined) return;
    this.#minute = undefined;
    const hour = Math.floor(done.ts / 3600) * 3600;
    const closesHour = this.#hour !== undefined && this.#hour.ts !== hour;
    const previousHour = closesHour ? this.#hour : undefined;
    if (closesHour) this.#hour = undefined;
    this.#hour = combine(hour, this.#hour, done);
    const endsHour = Math.floor(nextMinute / 3600) * 3600 !== hour;
    const finished = endsHour ? this.#hour : undefined;
    if (endsHour) this.#hour = undefined;
    // The in-memory state is settled before the first await; the writes follow in order.
    await this.#repo.putRollup('minute', done);
    const basis = this.#basis;
    await this.#repo.deleteBefore('second', Math.min(nextMinute, basis) - this.#retention.second);
    if (previousHour !== undefined) await this.#writeHour(previousHour, basis);
    if (finished !== undefined) await this.#writeHour(finished, basis);
  }

  async #writeHour(done: RollupRow, basis: number): Promise<void> {
    await this.#repo.putRollup('hour', done);
    const end = Math.min(done.ts + 3600, basis);
    await this.#repo.deleteBefore('minute', end - this.#retention.minute);
    await this.#repo.deleteBefore('hour', end - this.#retention.hour);
  }

  /** The tier and bucket width that answer `query`; see the file comment. */
  plan(query: HistoryQuery, nowSeconds: number): { tier: Tier; resolution: number } {
    const span = Math.max(1, query.end - query.start);
    // Buckets are aligned to multiples of the resolution, so a span meets at most
    // ceil(span / resolution) + 1 of them: bound that by maxPoints (at least 2).
    const fewest = Math.ceil(span / Math.max(1, query.maxPoints - 1));
    let resolution = Math.max(query.resolution, fewest);
    const byStep = [...TIERS].reverse().find((tier) => STEP[tier] <= resolution) ?? 'second';
    const covering = TIERS.slice(TIERS.indexOf(byStep)).find(
      (tier) => query.start >= nowSeconds - this.#retention[tier],
    );
    const tier = covering ?? 'hour';
    resolution = Math.max(resolution, STEP[tier]);
    // Buckets aligned to the tier's rows: a whole number of its steps.
    resolution = Math.ceil(resolution / STEP[tier]) * STEP[tier];
    return { tier, resolution };
  }

  /** Runs on the chain, so no sample moves a minute from memory to the store mid-query. */
  query(query: HistoryQuery, nowSeconds: number): Promise<HistoryAnswer> {
    const answer = this.#chain.then(() => this.#query(query, nowSeconds));
    this.#chain = answer.then(
      () => {},
      () => {},
    );
    return answer;
  }

  async #query(query: HistoryQuery, nowSeconds: number): Promise<HistoryAnswer> {
    const { tier, resolution } = this.plan(query, nowSeconds);
    const points = await this.#repo.buckets(tier, query.start, query.end, resolution);
    const pending = this.#pending(tier);
    if (pending !== undefined && pending.ts >= query.start && pending.ts < query.end) {
      const bucket = Math.floor(pending.ts / resolution) * resolution;
      const last = points.at(-1);
      if (last !== undefined && last.ts === bucket)
        points[points.length - 1] = combine(bucket, last, pending);
      else if (last === undefined || last.ts < bucket) points.push({ ...pending, ts: bucket });
    }
    return { tier, resolution, points };
  }

  /** What `tier` will hold for the interval in progress once it completes, if anything. */
  #pending(tier: Tier): RollupRow | undefined {
    if (tier === 'second') return undefined;
    if (tier === 'minute') return this.#minute;
    const minute = this.#minute;
    if (minute === undefined) return this.#hour;
    const hour = Math.floor(minute.ts / 3600) * 3600;
    // The hour in progress and its minute in progress (an older hour would have been closed).
    return this.#hour === undefined || this.#hour.ts === hour
      ? combine(hour, this.#hour, minute)
      : minute;
  }
}
