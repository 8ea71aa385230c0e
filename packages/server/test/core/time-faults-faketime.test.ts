/**
 * Time faults in a real process (issue 18 §2): `marquee start` runs as a child process under
 * libfaketime (Debian's `faketime` package), whose wall clock the test steps by rewriting
 * libfaketime's timestamp file (re-read at every clock call: FAKETIME_NO_CACHE), an hour back,
 * an hour forward and to 1970, while the monotonic clock runs untouched
 * (FAKETIME_DONT_FAKE_MONOTONIC), as NTP or a Raspberry Pi without a real-time clock would do.
 * The server's `Date` header proves each step took; the sign-in window, a live Now Playing
 * session and the uptime must not notice, and the session must still end after its TTL.
 * Needs libfaketime (Debian's `faketime`, installed by scripts/system-deps.sh); without it the
 * test fails saying so.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cleanEnv, repoRoot } from '../helpers/cli';
import { call } from '../helpers/server';

const LIBFAKETIME = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/faketime/libfaketime.so.1',
].find((path) => existsSync(path));

const dir = mkdtempSync(join(tmpdir(), 'marquee-faketime-'));
const stampFile = join(dir, 'faketime');
const PASSWORD = 'faketime-admin-password';
const TTL_S = 6;
let child: ChildProcessWithoutNullStreams | undefined;

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** libfaketime's setting: an offset from the real time (`-1h`) or an absolute `@` time. */
const setClock = (value: string) => writeFileSync(stampFile, `${value}\n`);

/** The server's wall clock, as its `Date` header says (second precision). */
async function serverTime(url: string): Promise<number> {
  const res = await fetch(`${url}/healthz`);
  await res.arrayBuffer();
  return Date.parse(res.headers.get('date') ?? '');
}

describe('marquee start under libfaketime', () => {
  it('steps of its wall clock leave its windows, sessions and uptime alone', async () => {
    if (LIBFAKETIME === undefined) {
      throw new Error('libfaketime not found: apt-get install faketime (scripts/system-deps.sh)');
    }
    setClock('+0');
    child = spawn(
      process.execPath,
      ['--conditions=@marquee/source', '--import', 'tsx', 'packages/server/src/cli.ts', 'start'],
      {
        cwd: repoRoot,
        env: cleanEnv({
          LD_PRELOAD: LIBFAKETIME,
          FAKETIME_TIMESTAMP_FILE: stampFile,
          FAKETIME_NO_CACHE: '1',
          FAKETIME_DONT_FAKE_MONOTONIC: '1',
          PORT: '0',
          HOST: '127.0.0.1',
          MARQUEE_DATA_DIR: join(dir, 'data'),
          DASHBOARD_AUTH_USERNAME: 'admin',
          DASHBOARD_AUTH_PASSWORD: PASSWORD,
          MARQUEE_SESSION_TTL_SECONDS: String(TTL_S),
          MARQUEE_LOGIN_MAX_FAILURES_PER_USERNAME: '3',
          // A day: this test is about the server's own timers, not a JWT's `exp` (a wall time;
          // time-faults.test.ts shows an hour's step answered by a refresh).
          MARQUEE_ACCESS_TOKEN_TTL_SECONDS: '86400',
          LOG_LEVEL: 'warn',
        }),
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await vi.waitFor(
      () => {
        if (child?.exitCode !== null) throw new Error(`server exited:\n${output}`);
        const match = /listening on (http:\/\/[^\s]+)/.exec(output);
        if (!match?.[1]) throw new Error('not listening yet');
        return match[1];
      },
      { timeout: 60_000, interval: 100 },
    );

    const signIn = (username: string, password: string) =>
      call(`${url}/api/v1/auth/token/`, { body: { username, password } });
    const admin = await signIn('admin', PASSWORD);
    expect(admin.status, JSON.stringify(admin.body)).toBe(200);
    const token = (admin.body as { access: string }).access;
    // A sign-in window (900 s) for one user name, and a live Now Playing session.
    await signIn('admin', PASSWORD);
    const victim = 'nobody';
    for (let i = 0; i < 3; i++) expect((await signIn(victim, 'guess')).status).toBe(400);
    expect((await signIn(victim, 'guess')).status).toBe(429);
    const update = await call(`${url}/api/dashboard/session/update`, {
      token,
      body: { session_id: 'ft', title: 'Heat', current_time: 1, duration: 6000, state: 'playing' },
    });
    expect(update.status).toBe(200);
    const sessions = async () => {
      const res = await call(`${url}/api/dashboard/now-playing`, { token });
      return (res.body as { sessions: { session_id: string }[] }).sessions.map((s) => s.session_id);
    };

    // Each offset is taken when its step is set: an absolute time's offset from the real clock
    // shrinks while the steps before it run (several seconds on a loaded machine).
    const steps: [string, () => number][] = [
      ['-1h', () => -3_600_000],
      ['+1h', () => 3_600_000],
      ['@1970-01-01 00:10:00', () => 600_000 - Date.now()],
    ];
    for (const [setting, offsetNow] of steps) {
      const offset = offsetNow();
      setClock(setting);
      // The step took: the server's own clock reads the new time (its `Date` header is cached
      // for up to a second).
      await vi.waitFor(
        async () =>
          expect(Math.abs((await serverTime(url)) - (Date.now() + offset))).toBeLessThan(3000),
        { timeout: 5000, interval: 200 },
      );
      // The window holds (not ended by a forward step, not stretched by a back one) ...
      const refused = await signIn(victim, 'guess');
      expect(refused.status, setting).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(800);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(900);
      // ... the session is live, and the uptime is the time since start.
      expect(await sessions(), setting).toEqual(['ft']);
      const health = await call(`${url}/healthz`);
      const uptime = (health.body as { uptime_seconds: number }).uptime_seconds;
      expect(uptime, setting).toBeGreaterThanOrEqual(0);
      expect(uptime, setting).toBeLessThan(300);
    }
    // Still in 1970: the session ends after its TTL of real time, not never.
    await vi.waitFor(async () => expect(await sessions()).toEqual([]), {
      timeout: (TTL_S + 5) * 1000,
      interval: 250,
    });
  }, 120_000);
});
