/**
 * `marquee-sim <command> ...`: runs a simulator from the command line. Help lists only the
 * commands that exist; anything else is an unknown command (exit 2).
 *
 * To add a simulator (panel, tv, a fleet): write a `Command` in src/cli/<name>.ts and add it to
 * `COMMANDS`; help, dispatch and `marquee-sim <name> --help` follow from the entry.
 */
import { VERSION } from '../version';
import { ExitCodes, type Command } from './command';
import { dockerCommand } from './docker';
import { gpuCommand } from './gpu';
import { mediaStackCommand } from './media-stack';
import { panelCommand } from './panel';
import { tvCommand } from './tv';

const COMMANDS: readonly Command[] = [
  panelCommand,
  tvCommand,
  gpuCommand,
  mediaStackCommand,
  dockerCommand,
];

const HELP = `marquee-sim ${VERSION} — scriptable fake devices and upstreams for Marquee

Usage:
  marquee-sim <command> [options]
  marquee-sim <command> --help     a command's options
  marquee-sim --version
  marquee-sim --help

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join('\n')}
`;

async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    const command = COMMANDS.find((c) => c.name === rest[0]);
    process.stdout.write(command ? command.usage : HELP);
    return ExitCodes.ok;
  }
  if (first === '--version' || first === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return ExitCodes.ok;
  }
  if (first === undefined) {
    process.stderr.write(HELP);
    return ExitCodes.usage;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    process.stderr.write(`marquee-sim: unknown command "${first}"\n\n${HELP}`);
    return ExitCodes.usage;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `marquee-sim failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = ExitCodes.failure;
  },
);
