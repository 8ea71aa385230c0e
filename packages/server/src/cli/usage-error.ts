/** A command line that cannot run as given; the CLI prints it with a pointer to `--help` and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit statuses of `marquee` commands. */
export const ExitCode = {
  OK: 0,
  /** The command ran and failed (not found, last admin, server refused, cannot reach it). */
  FAILURE: 1,
  /** The command line is wrong (unknown option, missing argument, bad role). */
  USAGE: 2,
} as const;
