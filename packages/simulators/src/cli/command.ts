/** One `marquee-sim` subcommand. */
export interface Command {
  /** The word after `marquee-sim`. */
  readonly name: string;
  /** One line for `marquee-sim --help`. */
  readonly summary: string;
  /** The full usage text, for `marquee-sim <name> --help` and usage errors. */
  readonly usage: string;
  /** Runs it with the arguments after its name; resolves to the exit code. */
  run(argv: readonly string[]): Promise<number>;
}

/** Exit codes of `marquee-sim`. */
export const ExitCodes = {
  ok: 0,
  /** Something failed at run time (e.g. the port is taken). */
  failure: 1,
  /** Unknown subcommand or option, or a bad option value. */
  usage: 2,
} as const;
