/**
 * Spawns the README's start command (`npm start` at the repository root) as a real child process
 * on a free port with a fresh data directory, signs in with the password it prints, and checks
 * that SIGTERM shuts it down cleanly. Also the `marquee` bin's --help and --version.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runningServers, SERVER_LOCK_DIR } from '../../src/core/server-lock';
import { cleanEnv, cliPath, repoRoot } from '../helpers/cli';
import { call } from '../helpers/server';

const cli = cliPath;
const dataDir = mkdtempSync(join(tmpdir(), 'marquee-cli-'));
const children: ChildProcessWithoutNullStreams[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start (the README command)', () => {
  it('starts on the given port with a generated admin password, serves, and stops on SIGTERM', async () => {
    const child = spawn('npm', ['start', '--silent'], {
      cwd: repoRoot,
      env: cleanEnv({ PORT: '0', HOST: '127.0.0.1', MARQUEE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }),
    });
    children.push(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const url = await vi.waitFor(
      () => {
        const match = /listening on (http:\/\/[^\s]+)/.exec(output);
        if (!match?.[1]) throw new Error(`not listening yet:\n${output}`);
        return match[1];
      },
      { timeout: 90_000, interval: 200 },
    );
    const password = /with the password:\s+(\S+)/.exec(output)?.[1];
    expect(password, output).toMatch(/^\S{16,}$/);

    expect((await call(`${url}/healthz`)).body).toMatchObject({ status: 'ok', store: 'sqlite' });
    const login = await call(`${url}/api/v1/auth/token/`, {
      body: { username: 'admin', password },
    });
    expect(login.status).toBe(200);
    const token = (login.body as { access: string }).access;
    const posted = await call(`${url}/api/dashboard/session/update`, {
      token,
      body: {
        session_id: 'cli-1',
        title: 'Blade Runner',
        current_time: 60,
        duration: 7000,
        state: 'playing',
      },
    });
    expect(posted.status).toBe(200);
    const snap = await call(`${url}/api/dashboard/now-playing`, { token });
    expect((snap.body as { sessions: Array<{ title: string }> }).sessions[0]?.title).toBe(
      'Blade Runner',
    );
    // The server marks the data directory as in use, for `marquee user` (core/server-lock.ts).
    expect(runningServers(dataDir)).toHaveLength(1);
    const page = await fetch(`${url}/dashboard_test.html`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Now Playing');

    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    child.kill('SIGTERM');
    // npm re-raises the signal on itself once its script has exited, so either is a clean stop.
    const { code, signal } = await exited;
    expect(code === 0 || signal === 'SIGTERM', output).toBe(true);
    expect(output).not.toMatch(/failed to start|Uncaught|ERR_[A-Z_]+|"level":50/);
    // Graceful: the port is closed and the store checkpointed its WAL on the way out.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    const wal = join(dataDir, 'marquee.db-wal');
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
    expect(readdirSync(join(dataDir, SERVER_LOCK_DIR))).toEqual([]);
  }, 120_000);
});

describe('marquee bin', () => {
  it('prints help and version, and fails clearly on a bad setting', () => {
    const help = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('marquee start');
    expect(help.stdout).toContain('marquee user --help');
    expect(help.stdout).toContain('MARQUEE_MAX_CONNECTIONS_PER_IP');
    const version = spawnSync(process.execPath, [cli, '--version'], { encoding: 'utf8' });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const bad = spawnSync(process.execPath, [cli, 'start'], {
      encoding: 'utf8',
      env: cleanEnv({ PORT: 'eighty', MARQUEE_DATA_DIR: dataDir }),
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('PORT');
  });
});
