/**
 * THE restart test (issue 4 §5): commands queued for an offline device survive the server being
 * killed with SIGKILL (no graceful shutdown, no WAL checkpoint). The real CLI runs as a child
 * process from source; after a restart on the same data directory the device connects and
 * receives every queued command exactly once, in order, and nothing it had already received.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { call } from '../helpers/server';
import { deviceBody, openDevice, sendCommand, type RawDevice } from './helpers';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'marquee-restart-'));
const PASSWORD = 'restart-test-password';
const children: ChildProcessWithoutNullStreams[] = [];
const sockets: RawDevice[] = [];

afterAll(() => {
  for (const socket of sockets) socket.ws.terminate();
  for (const child of children) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('MARQUEE_') || key.startsWith('DASHBOARD_AUTH_')) delete env[key];
  }
  return {
    ...env,
    PORT: '0',
    HOST: '127.0.0.1',
    MARQUEE_DATA_DIR: dataDir,
    DASHBOARD_AUTH_USERNAME: 'admin',
    DASHBOARD_AUTH_PASSWORD: PASSWORD,
    LOG_LEVEL: 'warn',
  };
}

/** `marquee start` from source, as a child process; resolves with its URL once listening. */
async function start(): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@marquee/source', '--import', 'tsx', 'packages/server/src/cli.ts', 'start'],
    { cwd: repoRoot, env: cleanEnv() },
  );
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await vi.waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`server exited:\n${output}`);
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (!match?.[1]) throw new Error(`not listening yet:\n${output}`);
      return match[1];
    },
    { timeout: 60_000, interval: 100 },
  );
  return { child, url };
}

async function kill(child: ChildProcessWithoutNullStreams): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function token(url: string): Promise<string> {
  const res = await call(`${url}/api/v1/auth/token/`, {
    body: { username: 'admin', password: PASSWORD },
  });
  expect(res.status).toBe(200);
  return (res.body as { access: string }).access;
}

describe('commands queued for an offline device across a SIGKILL', () => {
  it('arrive exactly once, in order, after the restart', async () => {
    const first = await start();
    const wsUrl = (url: string) => url.replace(/^http/, 'ws');
    const admin = await token(first.url);
    const registered = await call(`${first.url}/api/v1/admin/cloud/device/register/`, {
      token: admin,
      body: deviceBody('SN-R'),
    });
    expect(registered.status).toBe(201);
    const t1 = { url: first.url };

    // One command delivered while online: it must not come back after the restart.
    const online = await openDevice(wsUrl(first.url), admin, 'SN-R');
    sockets.push(online);
    const delivered = await sendCommand(t1, admin, 'SN-R', { action: 'play' });
    await vi.waitFor(() => expect(online.actions()).toHaveLength(1));
    online.ws.close();
    await online.closed;

    const queued: string[] = [];
    const actions = [
      { action: 'set_volume', volume: 10 },
      { action: 'pause' },
      { action: 'switch_playlist', playlist_id: 7 },
      { action: 'show_text_overlay', text_overlay: { text: 'Back soon' } },
      { action: 'set_brightness', brightness: 90 },
    ] as const;
    // The device's "offline" state may lag its close by a tick; wait until it is seen offline.
    await vi.waitFor(async () => {
      const res = await call(`${first.url}/api/v1/admin/cloud/devices/SN-R/`, { token: admin });
      expect((res.body as { online: boolean }).online).toBe(false);
    });
    for (const action of actions) queued.push(await sendCommand(t1, admin, 'SN-R', action));

    await kill(first.child);

    const second = await start();
    // The old token still works: the JWT secret lives in the store too.
    const device = await openDevice(wsUrl(second.url), admin, 'SN-R');
    sockets.push(device);
    await vi.waitFor(() => expect(device.actions()).toHaveLength(actions.length), {
      timeout: 10_000,
    });
    expect(device.actions().map((a) => a.command_id)).toEqual(queued);
    expect(device.actions().map((a) => a.action)).toEqual(actions.map((a) => a.action));
    expect(device.actions()).not.toContainEqual(expect.objectContaining({ command_id: delivered }));

    // Nothing arrives twice: reconnecting delivers nothing more.
    device.ws.close();
    await device.closed;
    const again = await openDevice(wsUrl(second.url), admin, 'SN-R');
    sockets.push(again);
    const t2 = { url: second.url };
    const marker = await sendCommand(t2, admin, 'SN-R', { action: 'next' });
    await vi.waitFor(() => expect(again.actions()).toHaveLength(1));
    expect(again.actions()[0]?.command_id).toBe(marker);

    const list = await call(`${second.url}/api/v1/admin/cloud/devices/SN-R/commands/`, {
      token: admin,
    });
    const states = (list.body as { results: Array<{ command_id: string; state: string }> }).results;
    expect(states.every((c) => c.state === 'sent')).toBe(true);
    expect(states.map((c) => c.command_id)).toEqual([marker, ...queued.toReversed(), delivered]);
    await kill(second.child);
  }, 120_000);
});
