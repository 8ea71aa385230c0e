/**
 * `marquee user add|list|passwd|disable|enable|remove`: parses the command line, gathers the
 * secrets it needs (never from the command line), opens the data directory or the server, makes
 * the change and says what happened. Exit 0 done, 1 failed (message on stderr), 2 wrong command
 * line.
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import { ConfigError } from '../../core/config';
import { generatePassword } from '../../core/auth';
import { ExitCode, UsageError } from '../usage-error';
import { isAction, parseUserArgs, type UserAction, type UserTarget } from './args';
import type { UserBackend } from './backend';
import { openLocalUsers } from './local';
import { remoteUsers } from './remote';
import { confirm, interactive, readSecret, type CliIo } from './terminal';

export interface UserCliOptions extends CliIo {
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
}

/** Runs `marquee user <argv…>` and resolves with the exit status. */
export async function runUserCommand(
  argv: readonly string[],
  options: UserCliOptions,
): Promise<number> {
  const { stdout, stderr } = options;
  try {
    const parsed = parseUserArgs(argv, options.env);
    if ('help' in parsed) {
      stdout.write(parsed.help);
      return ExitCode.OK;
    }
    await execute(parsed.action, parsed.target, options);
    return ExitCode.OK;
  } catch (error) {
    const command = `marquee user${argv[0] !== undefined && isAction(argv[0]) ? ` ${argv[0]}` : ''}`;
    if (error instanceof UsageError) {
      stderr.write(`${command}: ${error.message}\nRun "${command} --help" for usage.\n`);
      return ExitCode.USAGE;
    }
    if (error instanceof MarqueeError || error instanceof ConfigError) {
      stderr.write(`${command}: ${error.message}\n`);
    } else {
      stderr.write(
        `${command} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    return ExitCode.FAILURE;
  }
}

async function execute(action: UserAction, target: UserTarget, options: UserCliOptions) {
  const { env } = options;
  // The account whose new password comes from stdin, if any.
  const newPasswordFor =
    (action.action === 'add' || action.action === 'passwd') && action.passwordStdin
      ? action.username
      : undefined;
  const signIn = target.mode === 'remote' ? target.username : undefined;
  if (target.mode === 'remote' && signIn === undefined && !env.MARQUEE_TOKEN) {
    throw new UsageError(
      `Signing in to ${target.url} needs MARQUEE_TOKEN (an admin's access token) or --username`,
    );
  }
  // An empty variable counts as unset, as loadConfig treats the server's.
  const envPassword = env.MARQUEE_PASSWORD === '' ? undefined : env.MARQUEE_PASSWORD;
  const signInFromStdin = signIn !== undefined && envPassword === undefined;
  if (signInFromStdin && newPasswordFor !== undefined && !interactive(options)) {
    throw new UsageError(
      'stdin cannot carry both your password and the new one: set MARQUEE_PASSWORD or MARQUEE_TOKEN',
    );
  }
  if (action.action === 'remove' && !action.yes && !interactive(options)) {
    throw new UsageError(
      `Not removing "${action.username}" without asking, and stdin is not a terminal: add --yes`,
    );
  }

  const newPassword = () =>
    newPasswordFor === undefined ? Promise.resolve(undefined) : newSecret(newPasswordFor, options);

  if (target.mode === 'local') {
    // The data directory is checked (and opened) before anything is asked for.
    const local = await openLocalUsers({
      env,
      cwd: options.cwd,
      ...(target.dataDir === undefined ? {} : { dataDir: target.dataDir }),
      onGeneratedAdmin: (username, password) =>
        options.stderr.write(
          `Marquee created the admin account "${username}" with the password:\n\n    ${password}\n\n` +
            'It is shown only this once. Set DASHBOARD_AUTH_PASSWORD to choose your own.\n\n',
        ),
    });
    try {
      await perform(action, local, await newPassword(), options);
    } finally {
      await local.close();
    }
    return;
  }

  const remote =
    signIn === undefined
      ? remoteUsers({ url: target.url, token: env.MARQUEE_TOKEN ?? '' })
      : remoteUsers({
          url: target.url,
          credentials: {
            username: signIn,
            password:
              envPassword ??
              (await readSecret(
                options,
                `Password for ${signIn}: `,
                'to sign in (or set MARQUEE_PASSWORD)',
              )),
          },
        });
  await perform(action, remote, await newPassword(), options);
}

/** A new password from stdin, typed twice on a terminal; checked as the API checks it. */
async function newSecret(username: string, io: CliIo): Promise<string> {
  const password = await readSecret(io, `New password for ${username}: `, 'for --password-stdin');
  if (interactive(io) && (await readSecret(io, 'Again: ', 'for --password-stdin')) !== password) {
    throw new MarqueeError('BAD_REQUEST', 'The two passwords differ; nothing was changed');
  }
  if (!protocol.core.Password.safeParse(password).success) {
    throw new MarqueeError(
      'BAD_REQUEST',
      'The new password must be 8 to 1024 characters long; nothing was changed',
    );
  }
  return password;
}

async function perform(
  action: UserAction,
  backend: UserBackend,
  newPassword: string | undefined,
  io: UserCliOptions,
): Promise<void> {
  const say = (text: string): void => {
    io.stdout.write(`${text}\n`);
  };
  const shownOnce = (password: string) =>
    say(`Its password, shown only this once:\n\n    ${password}\n`);
  const configNote = (username: string, what: string) => {
    if (backend.configuredAdmin?.toLowerCase() === username.toLowerCase()) {
      io.stderr.write(
        `Note: DASHBOARD_AUTH_PASSWORD is set, so the server ${what} on its next start.\n`,
      );
    }
  };

  switch (action.action) {
    case 'list': {
      const users = await backend.list(action.role);
      if (action.json) say(JSON.stringify({ count: users.length, results: users }, null, 2));
      else say(table(users));
      return;
    }
    case 'add': {
      const created = await backend.create({
        username: action.username,
        role: action.role,
        ...(newPassword === undefined ? {} : { password: newPassword }),
      });
      if (action.json) return say(JSON.stringify(created, null, 2));
      say(`Created user "${created.username}" with role ${created.role} (id ${created.id}).`);
      if (created.password !== undefined) shownOnce(created.password);
      return;
    }
    case 'passwd': {
      const user = await backend.find(action.username);
      const password = newPassword ?? generatePassword();
      await backend.update(user.id, { password });
      say(`Changed the password of "${user.username}"; its tokens and sessions were revoked.`);
      if (newPassword === undefined) shownOnce(password);
      configNote(user.username, 'sets it back to that');
      return;
    }
    case 'disable':
    case 'enable': {
      const user = await backend.find(action.username);
      await backend.update(user.id, { disabled: action.action === 'disable' });
      say(
        action.action === 'disable'
          ? `Disabled "${user.username}": it cannot sign in, and its tokens and sessions were revoked.`
          : `Enabled "${user.username}": it can sign in again.`,
      );
      return;
    }
    case 'remove': {
      const user = await backend.find(action.username);
      if (
        !action.yes &&
        !(await confirm(io, `Remove the ${user.role} "${user.username}" for good? [y/N] `))
      ) {
        throw new MarqueeError('BAD_REQUEST', `Not removed: "${user.username}" is unchanged`);
      }
      await backend.remove(user.id);
      say(`Removed "${user.username}".`);
      configNote(user.username, 'creates it again');
      return;
    }
  }
}

function table(users: readonly protocol.core.User[]): string {
  if (users.length === 0) return 'No users.';
  const rows = [
    ['ID', 'USERNAME', 'ROLE', 'STATUS', 'CREATED'],
    ...users.map((user) => [
      String(user.id),
      user.username,
      user.role,
      user.disabled ? 'disabled' : 'active',
      user.created_at,
    ]),
  ];
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
