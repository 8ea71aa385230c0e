/**
 * `marquee backup <file>` and `marquee restore <file>`: the data directory comes from
 * `--data-dir`, else the configuration exactly as `marquee start` reads it. Exit 0 done, 1 failed
 * (message on stderr), 2 wrong command line.
 */
import { parseArgs } from 'node:util';
import { MarqueeError } from '@marquee/sdk';
import { ConfigError, loadConfig } from '../../core/config';
import { ExitCode, UsageError } from '../usage-error';
import { createBackup, restoreBackup } from '../../core/backup';

export const BACKUP_HELP = `Usage:
  marquee backup <file> [--data-dir DIR]            write a backup archive (.tar.gz) of the data
                                                    directory; safe while the server runs
  marquee restore <file> [--data-dir DIR] [--force] restore an archive into the data directory of
                                                    a stopped server; --force replaces existing data
`;

export interface BackupCliOptions {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
}

/** Runs `marquee backup|restore <argv…>` and resolves with the exit status. */
export async function runBackupCommand(
  command: 'backup' | 'restore',
  argv: readonly string[],
  options: BackupCliOptions,
): Promise<number> {
  const { stdout, stderr } = options;
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv],
        allowPositionals: true,
        options: {
          'data-dir': { type: 'string' },
          help: { type: 'boolean', short: 'h' },
          ...(command === 'restore' ? { force: { type: 'boolean' as const } } : {}),
        },
      });
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const { values, positionals } = parsed;
    if (values.help === true) {
      stdout.write(BACKUP_HELP);
      return ExitCode.OK;
    }
    const [file, ...extra] = positionals;
    if (file === undefined) throw new UsageError('Missing the archive file');
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}"`);
    const dataDirOption = values['data-dir'];
    const config = loadConfig({
      env: options.env,
      cwd: options.cwd,
      ...(typeof dataDirOption === 'string' ? { overrides: { dataDir: dataDirOption } } : {}),
    });
    if (config.databaseUrl !== undefined) {
      // The archive holds the SQLite file; a PostgreSQL database has its own tools.
      throw new ConfigError(
        `MARQUEE_DATABASE_URL is set: the store is PostgreSQL, which \`marquee ${command}\` does not ` +
          `cover. Use pg_dump / pg_restore for the database (docs/deploy.md), and copy ` +
          `${config.dataDir}/signage for the media files.`,
      );
    }
    if (command === 'backup') {
      const done = await createBackup(config.dataDir, file);
      stdout.write(
        `Backed up ${config.dataDir} to ${done.file} (${done.bytes} bytes: the database, ` +
          `${done.media} media files, ${done.screenshots} screenshots).\n`,
      );
    } else {
      const done = await restoreBackup(file, config.dataDir, { force: values.force === true });
      stdout.write(
        `Restored the backup of ${done.createdAt} into ${done.dataDir} (${done.files} files, ` +
          `${done.media} media files; sizes and MD5 checked).\n`,
      );
    }
    return ExitCode.OK;
  } catch (error) {
    if (error instanceof UsageError) {
      stderr.write(`marquee ${command}: ${error.message}\n${BACKUP_HELP}`);
      return ExitCode.USAGE;
    }
    if (error instanceof MarqueeError || error instanceof ConfigError) {
      stderr.write(`marquee ${command}: ${error.message}\n`);
    } else {
      stderr.write(
        `marquee ${command} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    return ExitCode.FAILURE;
  }
}
