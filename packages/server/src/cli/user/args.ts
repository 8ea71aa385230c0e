/**
 * The command line of `marquee user`: which action, on which account, against the data directory
 * (local) or a running server (remote). Pure: the environment comes in as an argument, and every
 * mistake is a UsageError (exit 2) before anything is opened or sent.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { protocol } from '@marquee/sdk';
import { UsageError } from '../usage-error';
import { commandHelp, USER_HELP } from './help';

type Role = protocol.core.User['role'];

export type UserAction =
  | {
      readonly action: 'add';
      readonly username: string;
      readonly role: Role;
      readonly passwordStdin: boolean;
      readonly json: boolean;
    }
  | { readonly action: 'list'; readonly role?: Role; readonly json: boolean }
  | { readonly action: 'passwd'; readonly username: string; readonly passwordStdin: boolean }
  | { readonly action: 'disable' | 'enable'; readonly username: string }
  | { readonly action: 'remove'; readonly username: string; readonly yes: boolean };

export type UserTarget =
  | { readonly mode: 'local'; readonly dataDir?: string }
  | {
      readonly mode: 'remote';
      readonly url: string;
      /** Sign in as this admin (password from MARQUEE_PASSWORD or stdin); else MARQUEE_TOKEN. */
      readonly username?: string;
    };

export type ParsedUserArgs =
  { readonly help: string } | { readonly action: UserAction; readonly target: UserTarget };

type Options = NonNullable<ParseArgsConfig['options']>;

const WHERE: Options = {
  'data-dir': { type: 'string' },
  url: { type: 'string' },
  username: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** Each action's own options and whether it names an account. */
const ACTIONS = {
  add: {
    named: true,
    options: {
      role: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  },
  list: { named: false, options: { role: { type: 'string' }, json: { type: 'boolean' } } },
  passwd: { named: true, options: { 'password-stdin': { type: 'boolean' } } },
  disable: { named: true, options: {} },
  enable: { named: true, options: {} },
  remove: { named: true, options: { yes: { type: 'boolean', short: 'y' } } },
} as const satisfies Record<UserAction['action'], { named: boolean; options: Options }>;

type ActionName = keyof typeof ACTIONS;
export const isAction = (name: string): name is ActionName => Object.hasOwn(ACTIONS, name);

/** Parses `argv` (the words after `marquee user`); `env` supplies MARQUEE_URL. */
export function parseUserArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ParsedUserArgs {
  const [name, ...rest] = argv;
  if (name === undefined)
    throw new UsageError('Missing command: add, list, passwd, disable, enable or remove');
  if (name === '--help' || name === '-h' || name === 'help') return { help: USER_HELP };
  if (!isAction(name)) throw new UsageError(`Unknown command "${name}"`);

  const spec = ACTIONS[name];
  let parsed: ReturnType<typeof parseArgs<{ options: Options; allowPositionals: true }>>;
  try {
    parsed = parseArgs({
      args: [...rest],
      allowPositionals: true,
      options: { ...WHERE, ...spec.options },
    });
  } catch (error) {
    // node:util's messages name the option ("Unknown option '--rol'"), which is what to show.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { help: commandHelp(name) };

  const expected = spec.named ? 1 : 0;
  if (positionals.length < expected)
    throw new UsageError(`Missing the user name: marquee user ${name} <name>`);
  if (positionals.length > expected) {
    throw new UsageError(`Unexpected argument "${positionals[expected] ?? ''}"`);
  }
  const username = positionals[0] ?? '';
  if (spec.named) checkUsername(username);
  const role = stringOption(values, 'role');
  const flag = (key: string) => values[key] === true;

  const target = targetOf(values, env);
  switch (name) {
    case 'add':
      if (role === undefined)
        throw new UsageError('Missing --role: admin, operator, viewer or device');
      return {
        target,
        action: {
          action: 'add',
          username,
          role: roleOf(role),
          passwordStdin: flag('password-stdin'),
          json: flag('json'),
        },
      };
    case 'list':
      return {
        target,
        action: {
          action: 'list',
          json: flag('json'),
          ...(role === undefined ? {} : { role: roleOf(role) }),
        },
      };
    case 'passwd':
      return {
        target,
        action: { action: 'passwd', username, passwordStdin: flag('password-stdin') },
      };
    case 'disable':
    case 'enable':
      return { target, action: { action: name, username } };
    case 'remove':
      return { target, action: { action: 'remove', username, yes: flag('yes') } };
  }
}

function targetOf(
  values: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
): UserTarget {
  const dataDir = stringOption(values, 'data-dir');
  const givenUrl = stringOption(values, 'url');
  const username = stringOption(values, 'username');
  if (dataDir !== undefined && givenUrl !== undefined) {
    throw new UsageError(
      'Give either --data-dir (server stopped) or --url (server running), not both',
    );
  }
  // An explicit --data-dir wins over MARQUEE_URL from the environment.
  const url = givenUrl ?? (dataDir === undefined && env.MARQUEE_URL ? env.MARQUEE_URL : undefined);
  if (url === undefined) {
    if (username !== undefined)
      throw new UsageError('--username signs in to a server: give --url too');
    return { mode: 'local', ...(dataDir === undefined ? {} : { dataDir }) };
  }
  if (!/^https?:\/\/[^/\s]+/i.test(url) || !URL.canParse(url)) {
    throw new UsageError(`Not an http(s) server address: ${url}`);
  }
  if (username !== undefined) checkUsername(username);
  return { mode: 'remote', url, ...(username === undefined ? {} : { username }) };
}

function stringOption(values: Record<string, unknown>, key: string): string | undefined {
  const value = values[key];
  return typeof value === 'string' ? value : undefined;
}

function roleOf(value: string): Role {
  const role = protocol.core.Role.safeParse(value);
  if (role.success) return role.data;
  throw new UsageError(`Unknown role "${value}": use admin, operator, viewer or device`);
}

function checkUsername(value: string): void {
  const result = protocol.core.Username.safeParse(value);
  if (!result.success) {
    throw new UsageError(
      `Invalid user name "${value}": ${result.error.issues[0]?.message ?? 'rejected'}`,
    );
  }
}
