/**
 * `marquee user` as a newcomer runs it: the built bin in a real child process, on a real data
 * directory (then signed in to by a real server started on it), and through a real server's
 * admin API, where removing a user closes its open socket. Also the refusal while a server uses
 * the directory, the last admin, usage errors (exit 2), and a terminal (script(1) gives the
 * command a pseudo-terminal) for the confirmation and the password typed without echo.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { protocol } from '@marquee/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SERVER_LOCK_DIR } from '../../src/core/server-lock';
import { cleanEnv, cliPath, runCli, type CliResult } from '../helpers/cli';
import { ADMIN, call, startTestServer } from '../helpers/server';

const scratch = mkdtempSync(join(tmpdir(), 'marquee-user-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(scratch, `data-${++dirs}`);

/** `marquee user <args>` with the scratch folder as working directory. */
const user = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
  runCli(['user', ...args], { cwd: scratch, ...options });

/** The password a command printed once (generated). */
function shownPassword(result: CliResult): string {
  const password = /shown only this once:\s+(\S+)/.exec(result.stdout)?.[1];
  expect(password, result.stdout).toMatch(/^[\w-]{24}$/);
  return password ?? '';
}

const signIn = (url: string, username: string, password: string) =>
  call(`${url}/api/v1/auth/token/`, { body: { username, password } });

/** A real server on `dataDir` (kept afterwards) for the length of `use`. */
async function withServer(
  dataDir: string,
  admin: { username: string; password: string },
  use: (url: string) => Promise<void>,
): Promise<void> {
  const t = await startTestServer({}, { dataDir, admin });
  try {
    await use(t.url);
  } finally {
    await t.close();
  }
}

const LOBBY_TV = {
  sn_number: 'LOBBY-1',
  brand: 'Acme',
  model: 'TV-55',
  manufacturer: 'Acme',
  os_version: '12',
  screen_resolution: '1920x1080',
  total_storage: '32GB',
  free_storage: '20GB',
  app_version: '1.0.0',
};

describe('marquee user on the data directory (server stopped)', () => {
  it('creates, lists, changes and disables accounts that a server started later signs in with', async () => {
    const dataDir = freshDir();
    const at = ['--data-dir', dataDir];

    // First command on an empty directory: the admin is created as `marquee start` would.
    const viewer = await user(['add', 'alice', '--role', 'viewer', ...at]);
    expect(viewer.code, viewer.stderr).toBe(0);
    expect(viewer.stdout).toContain('Created user "alice" with role viewer');
    const alicePassword = shownPassword(viewer);
    const adminPassword = /password:\s+(\S+)/.exec(viewer.stderr)?.[1] ?? '';
    expect(viewer.stderr).toContain('created the admin account "admin"');

    const tv = await user(['add', 'tv-lobby', '--role', 'device', '--password-stdin', ...at], {
      input: 'lobby-tv-secret\n',
    });
    expect(tv.code, tv.stderr).toBe(0);
    expect(tv.stdout).not.toContain('shown only this once');
    expect(tv.stdout + tv.stderr).not.toContain('lobby-tv-secret');

    // The directory can also come from MARQUEE_DATA_DIR, as for `marquee start`.
    const listed = await user(['list', '--json'], { env: { MARQUEE_DATA_DIR: dataDir } });
    expect(listed.code, listed.stderr).toBe(0);
    const all = protocol.core.UserList.parse(JSON.parse(listed.stdout));
    expect(all.results.map((u) => [u.username, u.role, u.disabled])).toEqual([
      ['admin', 'admin', false],
      ['alice', 'viewer', false],
      ['tv-lobby', 'device', false],
    ]);
    const devices = await user(['list', '--role', 'device', ...at]);
    expect(devices.stdout).toMatch(/ID\s+USERNAME\s+ROLE\s+STATUS\s+CREATED/);
    expect(devices.stdout).toContain('tv-lobby');
    expect(devices.stdout).not.toContain('alice');

    const passwd = await user(['passwd', 'alice', '--password-stdin', ...at], {
      input: 'alice-new-secret\r\n',
    });
    expect(passwd.code, passwd.stderr).toBe(0);
    const generated = await user(['passwd', 'tv-lobby', ...at]);
    expect(generated.code, generated.stderr).toBe(0);
    const tvPassword = shownPassword(generated);
    const disabled = await user(['disable', 'TV-LOBBY', ...at]);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.stdout).toContain('Disabled "tv-lobby"');

    // A server started on the directory: the CLI's admin and accounts sign in as they should.
    await withServer(dataDir, { username: 'admin', password: adminPassword }, async (url) => {
      expect((await signIn(url, 'admin', adminPassword)).status).toBe(200);
      expect((await signIn(url, 'alice', alicePassword)).status).toBe(400);
      expect((await signIn(url, 'alice', 'alice-new-secret')).status).toBe(200);
      const refused = await signIn(url, 'tv-lobby', tvPassword);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ message: 'This account is disabled' });
    });
    const enabled = await user(['enable', 'tv-lobby', ...at]);
    expect(enabled.code, enabled.stderr).toBe(0);
    // Every surface's tables were created: the device account registers its TV (seed 002).
    await withServer(dataDir, ADMIN, async (url) => {
      const login = await signIn(url, 'tv-lobby', tvPassword);
      expect(login.status).toBe(200);
      const register = await call(`${url}/api/v1/admin/cloud/device/register/`, {
        token: (login.body as { access: string }).access,
        body: LOBBY_TV,
      });
      expect(register.status, JSON.stringify(register.body)).toBe(201);
    });

    const removed = await user(['remove', 'alice', '--yes', ...at]);
    expect(removed.code, removed.stderr).toBe(0);
    const after = await user(['list', '--json', ...at]);
    expect(JSON.parse(after.stdout)).toMatchObject({ count: 2 });
  }, 90_000);

  it('refuses while a server uses the directory, naming its --url; a stale mark is ignored', async () => {
    const t = await startTestServer({}, { dataDir: freshDir() });
    try {
      const refused = await user(['add', 'bob', '--role', 'viewer', '--data-dir', t.dataDir]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`is using the data directory ${t.dataDir}`);
      expect(refused.stderr).toContain(`--url ${t.url}`);
      expect(refused.stdout).toBe('');
      const listed = await call(`${t.url}/api/v1/admin/users/`, { token: await t.login() });
      expect(listed.body).toMatchObject({ count: 1 });
    } finally {
      await t.close();
    }
    // A server killed without closing leaves its mark behind; its process is gone.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    mkdirSync(join(t.dataDir, SERVER_LOCK_DIR), { recursive: true });
    writeFileSync(join(t.dataDir, SERVER_LOCK_DIR, `server-${gone}-abc123.json`), '{"pid"');
    const added = await user(['add', 'bob', '--role', 'viewer', '--data-dir', t.dataDir]);
    expect(added.code, added.stderr).toBe(0);
    rmSync(t.dataDir, { recursive: true, force: true });
  }, 60_000);

  it('keeps the last admin: disabling or removing it fails with exit 1 and the reason', async () => {
    const at = ['--data-dir', freshDir()];
    for (const args of [
      ['disable', 'admin'],
      ['remove', 'admin', '--yes'],
    ]) {
      const result = await user([...args, ...at]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('admin is the last active admin');
    }
    const missing = await user(['passwd', 'nobody', ...at]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No user named "nobody"');
    const taken = await user(['add', 'ADMIN', '--role', 'viewer', ...at]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('is already taken');
    const short = await user(['add', 'eve', '--role', 'viewer', '--password-stdin', ...at], {
      input: 'short\n',
    });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('8 to 1024 characters');
    const empty = await user(['passwd', 'admin', '--password-stdin', ...at]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('No password on the first line of stdin');
  }, 60_000);
});

describe('marquee user --url (through a running server)', () => {
  it('works as an admin signed in by name or token; removing a user closes its open socket', async () => {
    const t = await startTestServer();
    try {
      const byName = { MARQUEE_PASSWORD: ADMIN.password };
      const added = await user(
        ['add', 'bob', '--role', 'viewer', '--url', t.url, '--username', 'admin'],
        { env: byName },
      );
      expect(added.code, added.stderr).toBe(0);
      const bobPassword = shownPassword(added);

      const token = { MARQUEE_TOKEN: await t.login(), MARQUEE_URL: t.url };
      const carol = await user(['add', 'carol', '--role', 'operator', '--password-stdin'], {
        env: token,
        input: 'carol-secret-1\n',
      });
      expect(carol.code, carol.stderr).toBe(0);
      expect((await signIn(t.url, 'carol', 'carol-secret-1')).status).toBe(200);

      // The admin's password on stdin, with the URL from the environment.
      const listed = await user(['list', '--json', '--username', 'admin'], {
        env: { MARQUEE_URL: t.url },
        input: `${ADMIN.password}\n`,
      });
      expect(listed.code, listed.stderr).toBe(0);
      expect(JSON.parse(listed.stdout)).toMatchObject({ count: 3 });

      const bob = await signIn(t.url, 'bob', bobPassword);
      const bobToken = (bob.body as { access: string }).access;
      const socket = new WebSocket(`${t.wsUrl}/api/gpu/ws?token=${encodeURIComponent(bobToken)}`);
      const closed = new Promise<number>((resolve) => socket.once('close', resolve));
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      const removed = await user(['remove', 'bob', '--yes'], { env: token });
      expect(removed.code, removed.stderr).toBe(0);
      expect(await closed).toBe(protocol.CloseCodes.UNAUTHORIZED);
      expect((await call(`${t.url}/api/v1/auth/me/`, { token: bobToken })).status).toBe(401);

      const disabled = await user(['disable', 'carol'], { env: token });
      expect(disabled.code, disabled.stderr).toBe(0);
      expect((await signIn(t.url, 'carol', 'carol-secret-1')).status).toBe(400);
    } finally {
      await t.close();
    }
  }, 60_000);

  it("prints the server's refusals and failed sign-ins with exit 1", async () => {
    const t = await startTestServer();
    const url = ['--url', t.url];
    try {
      const last = await user(['remove', 'admin', '--yes', ...url], {
        env: { MARQUEE_TOKEN: await t.login() },
      });
      expect(last.code).toBe(1);
      expect(last.stderr).toContain('admin is the last active admin');

      const wrong = await user(['list', ...url, '--username', 'admin'], {
        env: { MARQUEE_PASSWORD: 'not-the-password' },
      });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('Invalid username or password');

      const created = await call(`${t.url}/api/v1/admin/users/`, {
        token: await t.login(),
        body: { username: 'olga', role: 'operator', password: 'olga-secret-1' },
      });
      expect(created.status).toBe(201);
      const notAdmin = await user(['list', ...url, '--username', 'olga'], {
        env: { MARQUEE_PASSWORD: 'olga-secret-1' },
      });
      expect(notAdmin.code).toBe(1);
      expect(notAdmin.stderr).toContain('Insufficient permissions: managing users takes an admin');

      const badToken = await user(['list', ...url], { env: { MARQUEE_TOKEN: 'not-a-token' } });
      expect(badToken.code).toBe(1);
      expect(badToken.stderr).toContain('refused MARQUEE_TOKEN');
    } finally {
      await t.close();
    }
    const unreachable = await user(['list', ...url], { env: { MARQUEE_TOKEN: 'x' } });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`Cannot reach a Marquee server at ${t.url}`);
  }, 60_000);
});

describe('marquee user usage', () => {
  it('exits 2 with the reason and a pointer to --help on a wrong command line', async () => {
    const cases: Array<[string[], string, Record<string, string>?]> = [
      [[], 'Missing command'],
      [['frob'], 'Unknown command "frob"'],
      [['add'], 'Missing the user name'],
      [['add', 'tv1'], 'Missing --role'],
      [['add', 'tv1', '--role', 'king'], 'Unknown role "king"'],
      [['add', 'bad name', '--role', 'viewer'], 'Invalid user name "bad name"'],
      [['list', '--rol', 'viewer'], "Unknown option '--rol'"],
      [['disable', 'a', 'b'], 'Unexpected argument "b"'],
      [['list', '--url', 'ftp://x'], 'Not an http(s) server address'],
      [['list', '--url', 'http://a:1', '--data-dir', 'd'], 'not both'],
      [['list', '--username', 'admin'], 'give --url too'],
      [['list', '--url', 'http://a:1'], 'needs MARQUEE_TOKEN'],
      [['remove', 'bob'], 'add --yes'],
      [
        [
          'add',
          'x',
          '--role',
          'viewer',
          '--password-stdin',
          '--url',
          'http://a:1',
          '--username',
          'a',
        ],
        'cannot carry both',
      ],
    ];
    const results = await Promise.all(cases.map(([args, , env]) => user(args, { env: env ?? {} })));
    results.forEach((result, index) => {
      const [args, message] = cases[index] ?? [[], ''];
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toContain(message);
      expect(result.stderr).toMatch(/Run "marquee user( \w+)? --help" for usage/);
    });
  }, 60_000);

  it('has --help for itself and each command, and the top-level help names it', async () => {
    const top = await user(['--help']);
    expect(top.code).toBe(0);
    for (const word of ['add <name> --role', 'list', 'passwd', 'disable', 'enable', 'remove']) {
      expect(top.stdout).toContain(word);
    }
    expect(top.stdout).toContain('device     a signage TV');
    const helps = await Promise.all(
      ['add', 'list', 'passwd', 'disable', 'enable', 'remove'].map((name) =>
        user([name, '--help']),
      ),
    );
    for (const [index, name] of [
      'add',
      'list',
      'passwd',
      'disable',
      'enable',
      'remove',
    ].entries()) {
      expect(helps[index]?.code).toBe(0);
      expect(helps[index]?.stdout).toContain(`Usage: marquee user ${name}`);
      expect(helps[index]?.stdout).toContain('--url URL');
    }
  }, 60_000);
});

const hasScript = spawnSync('script', ['--version']).status === 0;

/**
 * `marquee user <args>` on a pseudo-terminal (util-linux script(1)); `answers` maps a prompt to
 * what is typed after it appears. Output comes back as the terminal shows it.
 */
function onTerminal(args: string[], answers: Array<[string, string]>): Promise<CliResult> {
  const command = [process.execPath, cliPath, 'user', ...args]
    .map((word) => `'${word.replaceAll("'", "'\\''")}'`)
    .join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: scratch,
    env: cleanEnv(),
  });
  let output = '';
  let answered = 0;
  let from = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    const next = answers[answered];
    const at = next === undefined ? -1 : output.indexOf(next[0], from);
    if (next !== undefined && at >= 0) {
      from = at + next[0].length;
      answered++;
      child.stdin.write(next[1]);
    }
  });
  return new Promise((resolve) => {
    child.once('close', (code) => resolve({ code, stdout: output, stderr: '' }));
  });
}

describe.skipIf(!hasScript)('marquee user on a terminal', () => {
  it('reads a new password twice without echo, and asks before removing', async () => {
    const at = ['--data-dir', freshDir()];
    const added = await onTerminal(
      ['add', 'tom', '--role', 'viewer', '--password-stdin', ...at],
      [
        ['New password for tom: ', 'typed-secret-1\r'],
        ['Again: ', 'typed-secret-1\r'],
      ],
    );
    expect(added.code, added.stdout).toBe(0);
    expect(added.stdout).toContain('Created user "tom"');
    expect(added.stdout).not.toContain('typed-secret-1');

    const differ = await onTerminal(
      ['passwd', 'tom', '--password-stdin', ...at],
      [
        ['New password for tom: ', 'typed-secret-2\r'],
        ['Again: ', 'typed-secret-3\r'],
      ],
    );
    expect(differ.code).toBe(1);
    expect(differ.stdout).toContain('The two passwords differ');

    const kept = await onTerminal(['remove', 'tom', ...at], [['for good? [y/N] ', 'n\r']]);
    expect(kept.code).toBe(1);
    expect(kept.stdout).toContain('Remove the viewer "tom" for good?');
    expect(kept.stdout).toContain('Not removed');
    const gone = await onTerminal(['remove', 'tom', ...at], [['for good? [y/N] ', 'y\r']]);
    expect(gone.code, gone.stdout).toBe(0);
    expect(gone.stdout).toContain('Removed "tom"');
    const listed = await user(['list', '--json', ...at]);
    expect(JSON.parse(listed.stdout)).toMatchObject({ count: 1 });
  }, 60_000);
});
