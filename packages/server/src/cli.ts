/**
 * The `marquee` command: `marquee start` runs the server on its embedded defaults (port 8000,
 * ./data, SQLite), configured by environment variables, `.env` or `MARQUEE_CONFIG`.
 */
import { parseArgs } from 'node:util';
import { createServer } from './app';
import { runBackupCommand } from './cli/backup/run';
import { runMigrateCommand } from './cli/migrate/run';
import { runUserCommand } from './cli/user/run';
import { ConfigError, ENV_NAMES, loadConfig } from './core/config';
import { DataDirError } from './core/data-dir-check';
import { VERSION } from './version';

const HELP = `marquee ${VERSION} — real-time screens for media servers, homelabs and signage fleets

Usage:
  marquee start [--port N] [--host H] [--data-dir DIR]   start the server
  marquee user add|list|passwd|disable|enable|remove      manage accounts and roles (marquee user --help)
  marquee backup <file> [--data-dir DIR]                  back up the data directory (safe while running)
  marquee restore <file> [--data-dir DIR] [--force]       restore a backup into a stopped server's directory
  marquee migrate --from sqlite --to postgres [--data-dir DIR] [--database-url URL]
                                                          copy the SQLite store into an empty PostgreSQL database
  marquee --version                                       print the version
  marquee --help                                          this help

Configuration (environment, .env in the working directory, or a JSON file named by MARQUEE_CONFIG):
${Object.entries(ENV_NAMES)
  .map(([key, name]) => `  ${name.padEnd(36)} ${key}`)
  .join('\n')}
`;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'user') {
    return runUserCommand(argv.slice(1), {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      cwd: process.cwd(),
    });
  }
  if (argv[0] === 'migrate') {
    return runMigrateCommand(argv.slice(1), {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      cwd: process.cwd(),
    });
  }
  if (argv[0] === 'backup' || argv[0] === 'restore') {
    return runBackupCommand(argv[0], argv.slice(1), {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      cwd: process.cwd(),
    });
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = positionals[0];
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined && !values.help ? 1 : 0;
  }
  if (command !== 'start') {
    process.stderr.write(`Unknown command "${command}".\n\n${HELP}`);
    return 1;
  }

  const config = loadConfig({
    overrides: {
      ...(values.port === undefined ? {} : { port: values.port }),
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
    },
  });
  const server = await createServer(config);
  const url = await server.listen();
  process.stdout.write(`Marquee ${VERSION} listening on ${url} (data in ${config.dataDir})\n`);
  process.stdout.write(`Now Playing dashboard: ${url}/\n`);

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      server.app.log.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await server.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (
      error instanceof ConfigError ||
      error instanceof DataDirError ||
      (error instanceof TypeError && 'code' in error)
    ) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(
        `Marquee failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    process.exitCode = 1;
  },
);
