/**
 * Option values shared by the `marquee-sim` commands. A bad value throws `UsageError`; the
 * command prints it with its usage and exits 2 (`usageFailure`).
 */
import { ExitCodes } from './command';

export class UsageError extends Error {}

/** A whole number in [min, max]; `fallback` when the option is absent. */
export function wholeNumber(
  name: string,
  text: string | undefined,
  fallback: number,
  range: { readonly min: number; readonly max: number },
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < range.min || value > range.max) {
    throw new UsageError(
      `--${name} must be a whole number from ${range.min} to ${range.max}, not "${text}"`,
    );
  }
  return value;
}

/** Seconds (fractions allowed) as milliseconds; undefined when the option is absent. */
export function seconds(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(value)) {
    throw new UsageError(`--${name} must be a number of seconds, not "${text}"`);
  }
  return Math.round(value * 1000);
}

/** The required `--server`: http(s), or ws(s) read as http(s). */
export function serverUrl(text: string | undefined): string {
  if (text === undefined) throw new UsageError('--server is required');
  try {
    const url = new URL(text);
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) throw new Error();
  } catch {
    throw new UsageError(`--server must be an http(s):// URL, not "${text}"`);
  }
  return text.replace(/^ws(s?):/, 'http$1:');
}

/** Prints why the options were refused, then the usage; returns the usage exit code. */
export function usageFailure(command: string, error: unknown, usage: string): number {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`marquee-sim ${command}: ${message}\n\n${usage}`);
  return ExitCodes.usage;
}

/** What every fleet command (`panel`, `tv`) takes, for `parseArgs`; spread its own beside. */
export const FLEET_OPTIONS = {
  server: { type: 'string' },
  count: { type: 'string' },
  duration: { type: 'string' },
  ramp: { type: 'string' },
  junit: { type: 'string' },
  json: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface FleetOptions {
  readonly server: string;
  readonly count: number;
  /** undefined: run until Ctrl+C. */
  readonly durationMs: number | undefined;
  readonly rampMs: number;
  /** `--junit`: where to write the run as a JUnit XML report; undefined: no report. */
  readonly junitPath: string | undefined;
  /** `--json`: where to write the run as a JSON report (`-`: stdout); undefined: no report. */
  readonly jsonPath: string | undefined;
}

function reportPath(option: string, text: string | undefined): string | undefined {
  if (text === '') throw new UsageError(`--${option} needs a file path`);
  return text;
}

/** Reads the `FLEET_OPTIONS` values. */
export function fleetOptions(
  values: {
    server?: string;
    count?: string;
    duration?: string;
    ramp?: string;
    junit?: string;
    json?: string;
  },
  maxCount: number,
): FleetOptions {
  return {
    server: serverUrl(values.server),
    count: wholeNumber('count', values.count, 1, { min: 1, max: maxCount }),
    durationMs: seconds('duration', values.duration),
    rampMs: seconds('ramp', values.ramp) ?? 0,
    junitPath: reportPath('junit', values.junit),
    jsonPath: reportPath('json', values.json),
  };
}

/**
 * Runs a command's option parser: `--help` prints the usage (exit 0), a refused option its
 * reason and the usage (exit 2); either way the command returns `exitCode`.
 */
export function parseCommandLine<T>(
  command: string,
  usage: string,
  parse: () => T | 'help',
): { readonly options: T } | { readonly exitCode: number } {
  try {
    const options = parse();
    if (options !== 'help') return { options };
    process.stdout.write(usage);
    return { exitCode: ExitCodes.ok };
  } catch (error) {
    return { exitCode: usageFailure(command, error, usage) };
  }
}
