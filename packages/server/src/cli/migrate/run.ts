/**
 * `marquee migrate --from sqlite --to postgres`: copies a data directory's SQLite store into an
 * empty PostgreSQL database (core/store/copy-to-postgres.ts). The data directory comes from
 * `--data-dir`, else the configuration as `marquee start` reads it; the database from
 * `--database-url`, else `MARQUEE_DATABASE_URL`. Media files stay in the data directory, which a
 * server on PostgreSQL keeps using. Exit 0 done, 1 failed (message on stderr), 2 wrong command line.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MarqueeError } from '@marquee/sdk';
import { SURFACES } from '../../app';
import { ConfigError, loadConfig } from '../../core/config';
import { DATABASE_FILE } from '../../core/store';
import { copySqliteToPostgres } from '../../core/store/copy-to-postgres';
import { surfaceMigrations } from '../../core/surface';
import { ExitCode, UsageError } from '../usage-error';

export const MIGRATE_HELP = `Usage:
  marquee migrate --from sqlite --to postgres [--data-dir DIR] [--database-url URL]
      copy the data directory's database (DIR/marquee.db) into an empty PostgreSQL database
      (URL, else MARQUEE_DATABASE_URL), table by table, with the row counts verified; media
      files stay in DIR. Stop the server first, then start it with MARQUEE_DATABASE_URL.
`;

export interface MigrateCliOptions {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
}

export async function runMigrateCommand(
  argv: readonly string[],
  options: MigrateCliOptions,
): Promise<number> {
  const { stdout, stderr } = options;
  try {
    let values;
    try {
      ({ values } = parseArgs({
        args: [...argv],
        options: {
          from: { type: 'string' },
          to: { type: 'string' },
          'data-dir': { type: 'string' },
          'database-url': { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      }));
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    if (values.help === true) {
      stdout.write(MIGRATE_HELP);
      return ExitCode.OK;
    }
    if (values.from !== 'sqlite' || values.to !== 'postgres') {
      throw new UsageError('Only --from sqlite --to postgres is supported');
    }
    const config = loadConfig({
      env: options.env,
      cwd: options.cwd,
      overrides: {
        ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
        ...(values['database-url'] === undefined ? {} : { databaseUrl: values['database-url'] }),
      },
    });
    if (config.databaseUrl === undefined) {
      throw new UsageError('Name the target with --database-url or MARQUEE_DATABASE_URL');
    }
    const source = join(config.dataDir, DATABASE_FILE);
    if (!existsSync(source)) throw new ConfigError(`No Marquee database at ${source}`);
    const report = await copySqliteToPostgres(
      source,
      config.databaseUrl,
      surfaceMigrations(SURFACES),
    );
    const total = report.tables.reduce((sum, each) => sum + each.rows, 0);
    stdout.write(
      `Copied ${source} into PostgreSQL: ${total} rows in ${report.tables.length} tables, counts verified.\n` +
        report.tables.map(({ table, rows }) => `  ${table.padEnd(34)} ${rows}\n`).join(''),
    );
    return ExitCode.OK;
  } catch (error) {
    if (error instanceof UsageError) {
      stderr.write(`marquee migrate: ${error.message}\n${MIGRATE_HELP}`);
      return ExitCode.USAGE;
    }
    const known = error instanceof MarqueeError || error instanceof ConfigError;
    stderr.write(
      `marquee migrate ${known ? '' : 'failed'}: ${error instanceof Error ? (known ? error.message : (error.stack ?? error.message)) : String(error)}\n`,
    );
    return ExitCode.FAILURE;
  }
}
