/**
 * One of two instances SIGKILLed under load. Two real `marquee start` processes share one
 * PostgreSQL database and one Redis prefix; the devices (acks=1, de-duplicating by id as the SDK's
 * device client does) hold their sockets on A while commands are posted to B, so every command
 * crosses the bus. A is killed in the middle (no clean leave: its node key, claims and inbox stay
 * in Redis until they expire); the devices reconnect to B, and posting goes on. In the end every
 * command posted is acked, applied exactly once by its own device, and only a command A wrote but
 * whose ack it never committed is written a second time.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cleanEnv, repoRoot } from '../helpers/cli';
import { call } from '../helpers/server';
import { postgresForTests, type TestDatabase } from '../helpers/postgres';
import { redisForTests } from '../helpers/redis';
import { ADMIN_API, deviceBody, openDevice, sendCommand, type RawDevice } from '../signage/helpers';
import {
  adminToken,
  killServerChild,
  startServerChild,
  type ServerChild,
} from '../signage/server-child';

const postgres = await postgresForTests();
const redis = await redisForTests();
const SERIALS = ['SN-KILL-1', 'SN-KILL-2', 'SN-KILL-3', 'SN-KILL-4', 'SN-KILL-5', 'SN-KILL-6'];
const TOTAL = 60;

/** Applies each `command_id` once, acknowledges every receipt, reconnects when its socket drops. */
class Device {
  readonly applied: string[] = [];
  readonly receipts = new Map<string, number>();
  socket: RawDevice | undefined;

  constructor(
    readonly sn: string,
    readonly sockets: RawDevice[],
  ) {}

  async connect(server: ServerChild, token: string): Promise<void> {
    const socket = await openDevice(server.wsUrl, token, this.sn, { acks: true });
    this.socket = socket;
    this.sockets.push(socket);
    socket.ws.on('message', (data: Buffer) => {
      const { command_id: id } = JSON.parse(data.toString('utf8')) as { command_id?: string };
      if (id === undefined) return;
      const seen = this.receipts.get(id) ?? 0;
      this.receipts.set(id, seen + 1);
      if (seen === 0) this.applied.push(id);
      socket.send({ type: 'ack', command_id: id, ok: true });
    });
  }
}

describe.skipIf(!postgres.available || !redis.available)('an instance killed under load', () => {
  let database: TestDatabase | undefined;
  const prefix = redis.prefix();
  const dirs: string[] = [];
  const servers: ServerChild[] = [];
  const sockets: RawDevice[] = [];

  afterAll(async () => {
    for (const socket of sockets) socket.ws.terminate();
    for (const server of servers) await killServerChild(server);
    await database?.drop();
    await redis.clean(prefix);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function start(): Promise<ServerChild> {
    if (database === undefined) throw new Error('no database');
    const dir = mkdtempSync(join(tmpdir(), 'marquee-cluster-kill-'));
    dirs.push(dir);
    const server = await startServerChild(dir, {
      MARQUEE_DATABASE_URL: database.url,
      MARQUEE_REDIS_URL: redis.url,
      MARQUEE_REDIS_PREFIX: prefix,
    });
    servers.push(server);
    return server;
  }

  it('delivers every queued command once to the devices that moved to the survivor', async () => {
    database = await postgres.createDatabase();
    const a = await start();
    const b = await start();
    const admin = await adminToken(a.url);
    for (const sn of SERIALS) {
      const res = await call(`${a.url}${ADMIN_API}/device/register/`, {
        token: admin,
        body: deviceBody(sn),
      });
      expect(res.status).toBe(201);
    }
    const devices = SERIALS.map((sn) => new Device(sn, sockets));
    for (const device of devices) await device.connect(a, admin);
    // B sees them online (through the bus registry) before the load starts.
    await vi.waitFor(
      async () => {
        const res = await call(`${b.url}${ADMIN_API}/devices/?online=true`, { token: admin });
        expect((res.body as { count: number }).count).toBe(SERIALS.length);
      },
      { timeout: 10_000 },
    );

    const issued = new Map<string, string>(); // command_id → sn
    let statesAtKill = new Map<string, string>();
    for (let i = 0; i < TOTAL; i++) {
      const sn = SERIALS[i % SERIALS.length] ?? '';
      const id = await sendCommand(b, admin, sn, { action: 'set_volume', volume: i });
      issued.set(id, sn);
      if (i === TOTAL / 3) {
        // Everything so far crossed from B to the devices on A and was acked.
        await vi.waitFor(
          async () => {
            const now = await states(b, admin);
            expect([...issued.keys()].filter((id) => now.get(id) !== 'acked')).toEqual([]);
          },
          { timeout: 10_000, interval: 100 },
        );
      }
      if (i === TOTAL / 2) {
        statesAtKill = await states(b, admin);
        await killServerChild(a);
        // The devices notice and come back, to the survivor, while commands keep coming.
        void Promise.all(
          devices.map(async (device) => {
            await device.socket?.closed;
            await device.connect(b, admin);
          }),
        );
      }
    }

    await vi.waitFor(
      async () => {
        const now = await states(b, admin);
        expect([...issued.keys()].filter((id) => now.get(id) !== 'acked')).toEqual([]);
      },
      { timeout: 30_000, interval: 200 },
    );
    for (const device of devices) {
      const own = [...issued].filter(([, sn]) => sn === device.sn).map(([id]) => id);
      // Every command of its own, once each, in the order they were posted.
      expect(device.applied).toEqual(own);
      // Written twice only if A wrote it and its ack was not committed when A died.
      for (const [id, count] of device.receipts) {
        if (count > 1) expect(statesAtKill.get(id)).not.toBe('acked');
        expect(count).toBeLessThanOrEqual(2);
      }
    }
  }, 120_000);
});

async function states(server: ServerChild, token: string): Promise<Map<string, string>> {
  const all = new Map<string, string>();
  for (const sn of SERIALS) {
    const res = await call(`${server.url}${ADMIN_API}/devices/${sn}/commands/?limit=500`, {
      token,
    });
    expect(res.status).toBe(200);
    for (const each of (res.body as { results: { command_id: string; state: string }[] }).results) {
      all.set(each.command_id, each.state);
    }
  }
  return all;
}

describe('marquee start with a bad MARQUEE_REDIS_URL', () => {
  it('refuses to start, naming the variable', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'marquee-cluster-badurl-'));
    try {
      const child = spawn(
        process.execPath,
        ['--conditions=@marquee/source', '--import', 'tsx', 'packages/server/src/cli.ts', 'start'],
        {
          cwd: repoRoot,
          env: cleanEnv({
            PORT: '0',
            MARQUEE_DATA_DIR: dataDir,
            MARQUEE_DATABASE_URL: 'postgres://127.0.0.1:5432/none',
            MARQUEE_REDIS_URL: 'http://127.0.0.1:6379',
          }),
        },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      expect(code).not.toBe(0);
      expect(output).toMatch(/MARQUEE_REDIS_URL.*redis:\/\//);
      expect(output).not.toMatch(/listening on/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
