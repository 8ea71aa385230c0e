/**
 * `--json <file|->`: a fleet run as one JSON document, for scripts and dashboards that would
 * otherwise scrape the summary. `-` writes it to standard output, and the human summary and
 * progress lines move to standard error so that stdout is the document alone (`| jq`).
 *
 * The shape is versioned (`schema`): fields are only ever added within a version.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ExitCodes } from './command';
import { writeJunit, type JunitCase } from './junit';

/** `--json -`: the report goes to stdout, everything else to stderr. */
export const JSON_TO_STDOUT = '-';

export interface FleetReport {
  /** `marquee-sim/fleet-report@1`; a new number means a field changed meaning or went away. */
  readonly schema: 'marquee-sim/fleet-report@1';
  /** The command: `panel` or `tv`. */
  readonly command: string;
  readonly server: string;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly durationMs: number;
  /** Why the run ended: `duration reached`, `SIGINT`, ... */
  readonly stopReason: string;
  /** The exit code the run ends with: 0 when every device passed, 1 when any failed. */
  readonly exitCode: number;
  readonly devices: { readonly total: number; readonly ok: number; readonly failed: number };
  /** The command's counters, as the summary prints them. */
  readonly totals: Readonly<Record<string, number | Readonly<Record<string, number>>>>;
  /** One entry per device, in start order; `failure` only where it failed. */
  readonly results: readonly {
    readonly name: string;
    readonly ok: boolean;
    readonly failure?: string;
  }[];
}

export interface FleetRun {
  readonly command: string;
  readonly server: string;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly stopReason: string;
  readonly exitCode: number;
  readonly totals: FleetReport['totals'];
  readonly cases: readonly JunitCase[];
}

export function fleetReport(run: FleetRun): FleetReport {
  const failed = run.cases.filter((c) => c.failure !== undefined).length;
  return {
    schema: 'marquee-sim/fleet-report@1',
    command: run.command,
    server: run.server,
    startedAt: run.startedAt.toISOString(),
    durationMs: Math.round(run.durationMs),
    stopReason: run.stopReason,
    exitCode: run.exitCode,
    devices: { total: run.cases.length, ok: run.cases.length - failed, failed },
    totals: run.totals,
    results: run.cases.map((c) =>
      c.failure === undefined
        ? { name: c.name, ok: true }
        : { name: c.name, ok: false, failure: c.failure },
    ),
  };
}

/**
 * Writes the report to `path` (creating its folder) or, for `-`, to `stdout`; returns the line the
 * summary prints, or undefined when the report went to stdout.
 */
export function writeJsonReport(
  path: string,
  run: FleetRun,
  stdout: { write(text: string): unknown } = process.stdout,
): string | undefined {
  const text = `${JSON.stringify(fleetReport(run), null, 2)}\n`;
  if (path === JSON_TO_STDOUT) {
    stdout.write(text);
    return undefined;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return `  JSON report:   ${path}`;
}

/** Where human-readable output goes: stderr when stdout carries the JSON report. */
export function humanOutput(jsonPath: string | undefined): NodeJS.WriteStream {
  return jsonPath === JSON_TO_STDOUT ? process.stderr : process.stdout;
}

/**
 * The end of a fleet run, the same for every fleet command: the reports asked for, then the
 * summary `lines` (on stderr when the JSON report takes stdout); returns the exit code.
 */
export function finishFleetRun(
  options: {
    readonly server: string;
    readonly junitPath?: string | undefined;
    readonly jsonPath?: string | undefined;
  },
  run: Omit<FleetRun, 'exitCode' | 'server'>,
  lines: string[],
): number {
  const exitCode = run.cases.some((c) => c.failure !== undefined)
    ? ExitCodes.failure
    : ExitCodes.ok;
  if (options.junitPath !== undefined) {
    lines.push(writeJunit(options.junitPath, run));
  }
  const full = { ...run, server: options.server, exitCode };
  const jsonLine =
    options.jsonPath === undefined ? undefined : writeJsonReport(options.jsonPath, full);
  if (jsonLine !== undefined) lines.push(jsonLine);
  humanOutput(options.jsonPath).write(`${lines.join('\n')}\n`);
  return exitCode;
}
