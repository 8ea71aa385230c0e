/**
 * What a benchmark is and what it reports. Every measurement is taken beside its baseline in the
 * same run (these machines are noisy; a number without its baseline says little), and says how
 * it compares: `ratio` is subject / baseline.
 */

/** `full`: the documented figures (`npm run bench`); `smoke`: tiny and quick, for CI. */
export type BenchMode = 'full' | 'smoke';

export interface BenchContext {
  readonly mode: BenchMode;
  /** Progress for the person watching (stderr); never part of the results. */
  log(line: string): void;
}

/** A target the benchmark reports against (never asserted by tests). */
export type Target = RatioTarget | ValueTarget;

interface TargetBase {
  readonly op: '>=' | '<=' | '==';
  /** Tolerance for `==`, as a fraction. @default 0 */
  readonly tolerance?: number;
}

/** Marquee against its baseline: the ratio (subject / baseline) must compare to `ratio`. */
export interface RatioTarget extends TargetBase {
  readonly ratio: number;
}

/** An absolute figure: Marquee's own (the subject, in the measurement's unit) against `value`. */
export interface ValueTarget extends TargetBase {
  readonly value: number;
}

export interface Measurement {
  /** What is measured, e.g. `deliveries/s, 1000 clients`. */
  readonly metric: string;
  readonly unit: string;
  /** Marquee's figure. */
  readonly subject: number;
  readonly subjectLabel: string;
  /** The baseline's figure, measured in the same run. */
  readonly baseline: number;
  readonly baselineLabel: string;
  /** subject / baseline. */
  readonly ratio: number;
  readonly target?: Target;
  /** Whether the ratio meets the target; undefined without one. */
  readonly met?: boolean;
}

export interface BenchResult {
  readonly name: string;
  readonly title: string;
  readonly measurements: readonly Measurement[];
  /** Findings worth a sentence in docs/benchmarks.md (bottlenecks, limits hit, caveats). */
  readonly notes: readonly string[];
  /** Raw figures for the JSON (trials, CPU time, settings). */
  readonly details: Readonly<Record<string, unknown>>;
  readonly durationMs: number;
}

export interface Benchmark {
  /** Short id, used by `--only`. */
  readonly name: string;
  readonly title: string;
  /** One paragraph for docs/benchmarks.md: what is compared with what. */
  readonly description: string;
  run(context: BenchContext): Promise<Omit<BenchResult, 'name' | 'title' | 'durationMs'>>;
}

/** A measurement with its ratio and verdict filled in. */
export function measurement(fields: Omit<Measurement, 'ratio' | 'met'>): Measurement {
  const ratio =
    fields.baseline === 0
      ? fields.subject === 0
        ? 1
        : Infinity
      : fields.subject / fields.baseline;
  const target = fields.target;
  let met: boolean | undefined;
  if (target !== undefined) {
    const tolerance = target.tolerance ?? 0;
    const [actual, wanted] =
      'value' in target ? [fields.subject, target.value] : [ratio, target.ratio];
    met =
      target.op === '>='
        ? actual >= wanted
        : target.op === '<='
          ? actual <= wanted
          : Math.abs(actual - wanted) <= tolerance * Math.abs(wanted);
  }
  return { ...fields, ratio, ...(met === undefined ? {} : { met }) };
}
