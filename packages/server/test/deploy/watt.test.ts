/**
 * Marquee under Platformatic Watt, as docs/deploy.md says to run it: `npx wattpm start` at the
 * repository root (its watt.json, the built packages/server/dist/watt.js) as a real child
 * process. One worker on the embedded SQLite store serves the API, a Now Playing panel's socket
 * and a signage device's socket, and SIGTERM stops it cleanly (Marquee's close ran: its mark in
 * the data directory is gone). More than one worker without PostgreSQL and Redis is refused with
 * a line naming the variables. Two workers on one PostgreSQL database and one Redis act as one:
 * device and panel sockets land on both (read from the bus's registry and interest sets in Redis),
 * every command posted to either reaches its device once and is acknowledged, and a session posted
 * to either reaches every panel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { Redis } from 'ioredis';
import { SERVER_LOCK_DIR } from '../../src/core/server-lock';
import { DEVICE_REGISTRY } from '../../src/surfaces/signage/cluster';
import { NOW_PLAYING_BUS_TOPIC } from '../../src/surfaces/now-playing/cluster';
import { postgresForTests, type TestDatabase } from '../helpers/postgres';
import { redisForTests } from '../helpers/redis';
import { cleanEnv, repoRoot } from '../helpers/cli';
import { call, login } from '../helpers/server';
import { openDevice, register, sendCommand, getCommand } from '../signage/helpers';

const postgres = await postgresForTests();
const redis = await redisForTests();
const ADMIN = { username: 'admin', password: 'watt-admin-password-1' };
const dirs: string[] = [];
const children: ChildProcess[] = [];

const databases: TestDatabase[] = [];
const prefixes: string[] = [];

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  for (const database of databases) await database.drop();
  for (const prefix of prefixes) await redis.clean(prefix);
});

/** A port free right now on 127.0.0.1 (Watt's workers share a fixed port, not port 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

interface Watt {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** `npx wattpm start` in the repository root, in a process group of its own (npx → wattpm). */
function startWatt(env: Record<string, string>): Watt {
  const child = spawn('npx', ['--no-install', 'wattpm', 'start'], {
    cwd: repoRoot,
    env: cleanEnv({ LOG_LEVEL: 'info', ...env }),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, output: () => output, exited };
}

describe('npx wattpm start (docs/deploy.md)', () => {
  it('one worker on SQLite: API, a panel and a device socket, then a clean stop on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'marquee-watt-'));
    dirs.push(dataDir);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const watt = startWatt({
      PORT: String(port),
      HOST: '127.0.0.1',
      MARQUEE_WORKERS: '1',
      MARQUEE_DATA_DIR: dataDir,
      DASHBOARD_AUTH_USERNAME: ADMIN.username,
      DASHBOARD_AUTH_PASSWORD: ADMIN.password,
    });
    await vi.waitFor(() => expect(watt.output()).toContain('Marquee worker listening'), {
      timeout: 90_000,
      interval: 250,
    });
    expect((await call(`${url}/healthz`)).body).toMatchObject({ status: 'ok', store: 'sqlite' });
    expect(readdirSync(join(dataDir, SERVER_LOCK_DIR))).toHaveLength(1);

    // Now Playing: a session posted over HTTP reaches a panel's socket.
    const admin = await login(url, ADMIN.username, ADMIN.password);
    const panel = new WebSocket(`ws://127.0.0.1:${port}/api/dashboard/ws`);
    const seen: string[] = [];
    panel.on('message', (data: Buffer) => seen.push(data.toString('utf8')));
    await new Promise((resolve, reject) => {
      panel.once('open', resolve);
      panel.once('error', reject);
    });
    const posted = await call(`${url}/api/dashboard/session/update`, {
      token: admin,
      body: {
        session_id: 'watt-1',
        title: 'Blade Runner',
        current_time: 60,
        duration: 7000,
        state: 'playing',
      },
    });
    expect(posted.status).toBe(200);
    await vi.waitFor(() => expect(seen.join('\n')).toContain('Blade Runner'));
    panel.close();

    // Signage: a device account registers, connects, and acknowledges a command.
    const created = await call(`${url}/api/v1/admin/users/`, {
      token: admin,
      body: { username: 'watt-tv', password: 'device-password-1', role: 'device' },
    });
    expect(created.status).toBe(201);
    const deviceToken = await login(url, 'watt-tv', 'device-password-1');
    const server = { url };
    expect(await register(server, deviceToken, 'SN-WATT-1')).toBe(201);
    const socket = await openDevice(`ws://127.0.0.1:${port}`, deviceToken, 'SN-WATT-1', {
      acks: true,
    });
    const id = await sendCommand(server, admin, 'SN-WATT-1', { action: 'set_volume', volume: 7 });
    await vi.waitFor(() => expect(socket.actions().map((a) => a.command_id)).toContain(id));
    socket.send({ type: 'ack', command_id: id, ok: true });
    await vi.waitFor(async () =>
      expect(await getCommand(server, admin, id)).toMatchObject({ state: 'acked' }),
    );
    socket.ws.close();

    // SIGTERM to the group: Watt stops the worker, which closes Marquee (its mark goes).
    if (watt.child.pid === undefined) throw new Error('no pid');
    process.kill(-watt.child.pid, 'SIGTERM');
    await watt.exited;
    await vi.waitFor(() => expect(readdirSync(join(dataDir, SERVER_LOCK_DIR))).toEqual([]), {
      timeout: 15_000,
    });
  }, 150_000);

  it('refuses several workers without PostgreSQL and Redis, naming the variables', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'marquee-watt-'));
    dirs.push(dataDir);
    const watt = startWatt({
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      MARQUEE_WORKERS: '2',
      MARQUEE_DATA_DIR: dataDir,
    });
    const code = await watt.exited;
    expect(code).not.toBe(0);
    expect(watt.output()).toContain(
      'Watt runs Marquee with 2 workers; they must share a store and a bus: set MARQUEE_DATABASE_URL and MARQUEE_REDIS_URL',
    );
  }, 150_000);

  it.skipIf(!postgres.available || !redis.available)(
    'two workers on PostgreSQL and Redis: sockets on both, commands and sessions cross between them',
    async () => {
      const database = await postgres.createDatabase();
      databases.push(database);
      const prefix = redis.prefix();
      prefixes.push(prefix);
      const dataDir = mkdtempSync(join(tmpdir(), 'marquee-watt-'));
      dirs.push(dataDir);
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const watt = startWatt({
        PORT: String(port),
        HOST: '127.0.0.1',
        MARQUEE_WORKERS: '2',
        MARQUEE_DATA_DIR: dataDir,
        MARQUEE_DATABASE_URL: database.url,
        MARQUEE_REDIS_URL: redis.url,
        MARQUEE_REDIS_PREFIX: prefix,
        DASHBOARD_AUTH_USERNAME: ADMIN.username,
        DASHBOARD_AUTH_PASSWORD: ADMIN.password,
      });
      await vi.waitFor(
        () => expect(watt.output().split('Marquee worker listening').length - 1).toBe(2),
        { timeout: 120_000, interval: 250 },
      );
      const bus = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await bus.connect();
      try {
        const admin = await login(url, ADMIN.username, ADMIN.password);
        const created = await call(`${url}/api/v1/admin/users/`, {
          token: admin,
          body: { username: 'watt-fleet', password: 'device-password-1', role: 'device' },
        });
        expect(created.status).toBe(201);
        const deviceToken = await login(url, 'watt-fleet', 'device-password-1');
        const server = { url };

        // Devices until both workers hold some (the kernel spreads connections by hash).
        const devices: { sn: string; socket: Awaited<ReturnType<typeof openDevice>> }[] = [];
        const holders = async () =>
          new Set(Object.values(await bus.hgetall(`${prefix}reg:${DEVICE_REGISTRY}`)));
        while (devices.length < 8 || ((await holders()).size < 2 && devices.length < 40)) {
          const sn = `SN-WATT-${devices.length}`;
          expect(await register(server, deviceToken, sn)).toBe(201);
          const socket = await openDevice(`ws://127.0.0.1:${port}`, deviceToken, sn, {
            acks: true,
          });
          devices.push({ sn, socket });
          await vi.waitFor(async () =>
            expect(Object.keys(await bus.hgetall(`${prefix}reg:${DEVICE_REGISTRY}`))).toContain(sn),
          );
        }
        expect((await holders()).size).toBe(2);

        // A command to each device, each POST to whichever worker the kernel picks.
        const sent = new Map<string, string>();
        for (const { sn } of devices) {
          sent.set(sn, await sendCommand(server, admin, sn, { action: 'set_volume', volume: 9 }));
        }
        for (const { sn, socket } of devices) {
          const id = sent.get(sn) ?? '';
          await vi.waitFor(() => expect(socket.actions().map((a) => a.command_id)).toContain(id));
          socket.send({ type: 'ack', command_id: id, ok: true });
        }
        for (const { sn, socket } of devices) {
          const id = sent.get(sn) ?? '';
          await vi.waitFor(async () =>
            expect(await getCommand(server, admin, id)).toMatchObject({ state: 'acked' }),
          );
          // Exactly once: a set_volume for this device arrived one time.
          expect(socket.actions().filter((a) => a.command_id === id)).toHaveLength(1);
          socket.ws.close();
        }

        // Panels until both workers have one; a session posted anywhere reaches all of them.
        const panels: { ws: WebSocket; seen: string[] }[] = [];
        const interested = async () =>
          (await bus.smembers(`${prefix}interest:${NOW_PLAYING_BUS_TOPIC}`)).length;
        while (panels.length < 4 || ((await interested()) < 2 && panels.length < 40)) {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/api/dashboard/ws`);
          const seen: string[] = [];
          ws.on('message', (data: Buffer) => seen.push(data.toString('utf8')));
          await new Promise((resolve, reject) => {
            ws.once('open', resolve);
            ws.once('error', reject);
          });
          // The first snapshot: the panel is subscribed on its worker.
          await vi.waitFor(() => expect(seen.length).toBeGreaterThan(0));
          panels.push({ ws, seen });
        }
        expect(await interested()).toBe(2);
        for (let i = 0; i < 3; i++) {
          const posted = await call(`${url}/api/dashboard/session/update`, {
            token: admin,
            body: {
              session_id: `watt-${i}`,
              title: `Film number ${i}`,
              current_time: 10,
              duration: 6000,
              state: 'playing',
            },
          });
          expect(posted.status).toBe(200);
        }
        for (const panel of panels) {
          await vi.waitFor(() => {
            const text = panel.seen.join('\n');
            for (let i = 0; i < 3; i++) expect(text).toContain(`Film number ${i}`);
          });
          panel.ws.close();
        }
      } finally {
        bus.disconnect();
      }

      if (watt.child.pid === undefined) throw new Error('no pid');
      process.kill(-watt.child.pid, 'SIGTERM');
      await watt.exited;
      // Both workers closed their Marquee (each removes its mark in the data directory).
      await vi.waitFor(() => expect(readdirSync(join(dataDir, SERVER_LOCK_DIR))).toEqual([]), {
        timeout: 15_000,
      });
    },
    240_000,
  );
});
