/**
 * Several instances on one PostgreSQL database and one Redis (`MARQUEE_REDIS_URL`, a key prefix
 * per test): real servers in this process on port 0, each with its own data directory, acting as
 * one. A command posted to one reaches the device on another once and its ack is seen by the
 * first; Now Playing sessions posted to one reach panels on another; removing a device or revoking
 * credentials closes sockets wherever they are; with Redis cut (a TCP proxy the test controls)
 * each instance serves its own sockets, and what crossed nothing meanwhile is delivered once
 * Redis is back.
 */
import { Writable } from 'node:stream';
import { createSignageEventsClient, protocol, type SignageEventsClient } from '@marquee/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { ConfigError, loadConfig, type ConfigInput } from '../../src/core/config';
import { RECORDER_LEASE } from '../../src/surfaces/monitoring/module';
import { call, login, startTestServer, type TestServer } from '../helpers/server';
import { postgresForTests, type TestDatabase } from '../helpers/postgres';
import { redisForTests } from '../helpers/redis';
import { TcpProxy } from '../mqtt/tcp-proxy';
import {
  ADMIN_API,
  getCommand,
  openDevice,
  register,
  sendCommand,
  userToken,
  type RawDevice,
} from '../signage/helpers';

const postgres = await postgresForTests();
const redis = await redisForTests();

const { Snapshot } = protocol.nowPlaying;
const METRICS_TOKEN = 'cluster-test-metrics-token';

describe.skipIf(!postgres.available || !redis.available)('several instances on one bus', () => {
  let database: TestDatabase | undefined;
  let prefix = '';
  let proxy: TcpProxy | undefined;
  const servers: TestServer[] = [];
  const sockets: WebSocket[] = [];
  const consoles: SignageEventsClient[] = [];

  afterEach(async () => {
    for (const each of consoles.splice(0)) each.close();
    for (const socket of sockets.splice(0)) socket.terminate();
    await Promise.all(servers.splice(0).map((server) => server.close()));
    await proxy?.close();
    proxy = undefined;
    await database?.drop();
    database = undefined;
    await redis.clean(prefix);
  });

  /** `count` instances on a fresh database and prefix; the first migrates, the others follow. */
  async function cluster(
    count: number,
    options: { redisUrl?: string; log?: string[]; overrides?: ConfigInput } = {},
  ): Promise<TestServer[]> {
    database = await postgres.createDatabase();
    prefix = redis.prefix();
    const started: TestServer[] = [];
    for (let i = 0; i < count; i++) {
      const log = options.log;
      const server = await startTestServer(
        {
          databaseUrl: database.url,
          redisUrl: options.redisUrl ?? redis.url,
          redisPrefix: prefix,
          metricsToken: METRICS_TOKEN,
          ...options.overrides,
          ...(log === undefined ? {} : { logLevel: 'info' }),
        },
        log === undefined
          ? {}
          : {
              logStream: new Writable({
                write(chunk: Buffer, _encoding, done) {
                  log.push(`${i}:${chunk.toString('utf8')}`);
                  done();
                },
              }),
            },
      );
      servers.push(server);
      started.push(server);
    }
    // Every instance sees the others alive.
    await vi.waitFor(
      () => {
        for (const server of started) expect(server.server.bus.stats().nodes).toBe(count);
      },
      { timeout: 10_000 },
    );
    return started;
  }

  async function device(t: TestServer, token: string, sn: string): Promise<RawDevice> {
    const socket = await openDevice(t.wsUrl, token, sn, { acks: true });
    sockets.push(socket.ws);
    // Acknowledges every command (a re-delivery too, as the SDK's device client does).
    socket.ws.on('message', (data: Buffer) => {
      const { command_id: id } = JSON.parse(data.toString('utf8')) as { command_id?: string };
      if (id !== undefined) socket.send({ type: 'ack', command_id: id, ok: true });
    });
    return socket;
  }

  const online = async (t: TestServer, token: string, sn: string): Promise<boolean> => {
    const res = await call(`${t.url}${ADMIN_API}/devices/${sn}/`, { token });
    return protocol.signage.DeviceDetail.parse(res.body).online;
  };

  it('delivers a command posted to one instance to the device on another, once, acked', async () => {
    const [a, b] = await cluster(2);
    if (a === undefined || b === undefined) throw new Error('two instances');
    const token = await userToken(a, 'lobby-tv');
    await register(a, token, 'SN-BUS-1');
    const tv = await device(b, token, 'SN-BUS-1');
    const adminA = await a.login();
    // A knows the device is online, though its socket is on B.
    await vi.waitFor(async () => expect(await online(a, adminA, 'SN-BUS-1')).toBe(true));
    expect(a.server.signage.connections.isOnline('SN-BUS-1')).toBe(false);

    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await sendCommand(a, adminA, 'SN-BUS-1', { action: 'set_volume', volume: 10 + i }));
    }
    await vi.waitFor(() => expect(tv.actions().map((c) => c.command_id)).toEqual(ids));
    for (const id of ids) {
      await vi.waitFor(async () =>
        expect(await getCommand(a, adminA, id)).toMatchObject({ state: 'acked' }),
      );
    }
    const detail = protocol.signage.DeviceDetail.parse(
      (await call(`${a.url}${ADMIN_API}/devices/SN-BUS-1/`, { token: adminA })).body,
    );
    expect(detail.volume).toBe(14);
    // Nothing more arrives: each command was written once.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(tv.actions()).toHaveLength(5);
    expect(b.server.bus.stats().received).toBeGreaterThan(0);

    // The device moves to A: B's socket is replaced, A delivers from now on.
    const moved = await device(a, token, 'SN-BUS-1');
    expect(await tv.closed).toBe(protocol.CloseCodes.REPLACED);
    const next = await sendCommand(b, adminA, 'SN-BUS-1', { action: 'pause' });
    await vi.waitFor(() => expect(moved.actions().map((c) => c.command_id)).toEqual([next]));

    // Removed on B: the socket on A closes with DEVICE_REMOVED.
    const removed = await call(`${b.url}${ADMIN_API}/devices/SN-BUS-1/`, {
      method: 'DELETE',
      token: adminA,
    });
    expect(removed.status).toBe(204);
    expect(await moved.closed).toBe(protocol.CloseCodes.DEVICE_REMOVED);
  });

  it('pushes fleet notices made on any instance to consoles on every instance, once', async () => {
    const [a, b] = await cluster(2);
    if (a === undefined || b === undefined) throw new Error('two instances');
    const admin = await a.login();
    const token = await userToken(a, 'hall-tv');
    await register(a, token, 'SN-FLEET-1');
    const onA = await openConsole(a, admin);
    const onB = await openConsole(b, admin);
    // Both instances have consoles: both are in the topic before anything happens.
    await vi.waitFor(async () => expect(await interested()).toHaveLength(2));

    // The device's socket is on B: A's console hears it go online (once), as B's does.
    const tv = await device(b, token, 'SN-FLEET-1');
    for (const seen of [onA, onB]) {
      await vi.waitFor(() => expect(changes(seen, 'SN-FLEET-1')).toEqual(['online', 'last_seen']));
    }
    // A command posted to A, sent and acked on B: queued, sent, acked, once each, on both.
    const id = await sendCommand(a, admin, 'SN-FLEET-1', { action: 'set_volume', volume: 20 });
    for (const seen of [onA, onB]) {
      await vi.waitFor(() => expect(commandStates(seen, id)).toEqual(['queued', 'sent', 'acked']));
    }
    expect(onA.find((m) => m.type === 'command' && m.state === 'acked')).toMatchObject({
      sn_number: 'SN-FLEET-1',
      action: 'set_volume',
    });
    // A pairing code asked on B.
    const asked = await call(`${b.url}/api/v1/cloud/pairing/`, { body: { sn_number: 'SN-NEW' } });
    const { code } = protocol.signage.PairingStarted.parse(asked.body);
    for (const seen of [onA, onB]) {
      await vi.waitFor(() =>
        expect(seen.filter((m) => m.type === 'pairing')).toEqual([
          { type: 'pairing', change: 'pending', code, at: expect.any(String) },
        ]),
      );
    }
    // Offline on B (and the last seen its close records, as on one instance).
    const closedAs = ['online', 'last_seen', 'offline', 'last_seen'];
    tv.ws.close();
    for (const seen of [onA, onB]) {
      await vi.waitFor(() => expect(changes(seen, 'SN-FLEET-1')).toEqual(closedAs));
    }
    // Nothing arrives twice, late: every notice was seen once on each console.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const seen of [onA, onB]) {
      expect(changes(seen, 'SN-FLEET-1')).toEqual(closedAs);
      expect(commandStates(seen, id)).toEqual(['queued', 'sent', 'acked']);
      expect(seen.filter((m) => m.type === 'pairing')).toHaveLength(1);
    }
    expect(a.server.bus.stats().received).toBeGreaterThan(0);

    // What does not parse is dropped (logged); what follows still arrives.
    const bogus = { type: 'pairing', change: 'pending', code: 'X-1', at: 'yesterday' };
    const valid = { ...bogus, at: new Date().toISOString() };
    b.server.bus.publish('signage-admin', 'signage.admin.notices', { notices: [bogus, valid] });
    b.server.bus.publish('signage-admin', 'signage.admin.notices', 'no notices');
    await vi.waitFor(() => expect(onA.filter((m) => m.type === 'pairing').at(-1)).toEqual(valid));
    expect(onA.filter((m) => m.type === 'pairing')).toHaveLength(2);

    // The last console on A goes: A leaves the topic, B stays.
    consoles[0]?.close();
    await vi.waitFor(async () => expect(await interested()).toEqual([b.server.bus.nodeId]));
  });

  it('shows a session posted to one instance on panels of the others', async () => {
    const [a, b, c] = await cluster(3);
    if (a === undefined || b === undefined || c === undefined) throw new Error('three instances');
    await a.server.auth.createUser({
      username: 'viewer',
      password: 'viewer-pass-1',
      role: 'operator',
    });
    const player = await login(a.url, 'viewer', 'viewer-pass-1');

    // A session that exists before the panel connects is in its first snapshot.
    const posted = await call(`${a.url}/api/dashboard/session/update`, {
      token: player,
      body: session('s-early', 'Early'),
    });
    expect(posted.status).toBe(200);
    const panel = await openPanel(b);
    await vi.waitFor(() => expect(panel.messages.length).toBeGreaterThan(0));
    expect(titles(panel.messages[0])).toEqual(['Early']);

    // One posted while it watches arrives at once (not at the next sample).
    await call(`${a.url}/api/dashboard/session/update`, {
      token: player,
      body: session('s-live', 'Live'),
    });
    await vi.waitFor(() => expect(titles(panel.messages.at(-1))).toEqual(['Early', 'Live']));
    // An instance without subscribers reads the others on a REST request.
    const rest = await call(`${c.url}/api/dashboard/now-playing`, { token: player });
    expect(titles(rest.body)).toEqual(['Early', 'Live']);
    expect(Snapshot.parse(rest.body).system.active_users).toBe(1);

    // Stopped through C (posted to A): A stops it, B's panel drops it; only its owner or an
    // admin may, on any instance.
    await a.server.auth.createUser({
      username: 'someone',
      password: 'someone-pass-1',
      role: 'operator',
    });
    const someone = await login(c.url, 'someone', 'someone-pass-1');
    const refused = await call(`${c.url}/api/dashboard/session/s-early/stop`, {
      method: 'POST',
      token: someone,
    });
    expect(refused.status).toBe(403);
    const stopped = await call(`${c.url}/api/dashboard/session/s-early/stop`, {
      method: 'POST',
      token: player,
    });
    expect(stopped.status).toBe(200);
    await vi.waitFor(() => expect(titles(panel.messages.at(-1))).toEqual(['Live']));
    expect(a.server.nowPlaying.tracker.get('s-early')).toBeUndefined();
    const unknown = await call(`${c.url}/api/dashboard/session/nowhere/stop`, {
      method: 'POST',
      token: player,
    });
    expect(unknown.status).toBe(404);

    // A stops: its sessions leave the others' snapshots.
    const index = servers.indexOf(a);
    servers.splice(index, 1);
    await a.close();
    await vi.waitFor(() => expect(titles(panel.messages.at(-1))).toEqual([]), { timeout: 10_000 });
  });

  it('closes revoked credentials on every instance', async () => {
    const [a, b] = await cluster(2);
    if (a === undefined || b === undefined) throw new Error('two instances');
    const admin = await a.login();
    const created = await call(`${a.url}/api/v1/admin/display-tokens/`, {
      token: admin,
      body: { name: 'hall panel' },
    });
    expect(created.status).toBe(201);
    const { id, token } = created.body as { id: string; token: string };
    const panel = await openPanel(b, token);
    const revoked = await call(`${a.url}/api/v1/admin/display-tokens/${id}/`, {
      method: 'DELETE',
      token: admin,
    });
    expect(revoked.status).toBe(204);
    expect(await panel.closed).toBe(protocol.CloseCodes.UNAUTHORIZED);
  });

  it('records monitoring once per cluster and shows its alerts on every instance', async () => {
    const [a, b] = await cluster(2, { overrides: { sampleIntervalMs: 100 } });
    if (a === undefined || b === undefined) throw new Error('two instances');
    const recorders = () => [a, b].filter((t) => t.server.bus.lease(RECORDER_LEASE).held);
    await vi.waitFor(() => expect(recorders()).toHaveLength(1), { timeout: 10_000 });
    const [holder] = recorders();
    const other = holder === a ? b : a;
    if (holder === undefined) throw new Error('no holder');
    const admin = await other.login();
    const created = await call(`${other.url}/api/v1/admin/display-tokens/`, {
      token: admin,
      body: { name: 'wall', scopes: ['monitoring'] },
    });
    const wall = (created.body as { token: string }).token;
    const ws = new WebSocket(`${other.wsUrl}/monitoring?token=${encodeURIComponent(wall)}`);
    sockets.push(ws);
    const messages: protocol.monitoring.MonitoringServerMessage[] = [];
    ws.on('message', (data: Buffer) => {
      messages.push(protocol.monitoring.MonitoringServerMessage.parse(JSON.parse(data.toString())));
    });
    await new Promise((resolve) => ws.once('open', resolve));

    // Saved on the instance that does not evaluate: the holder uses the new thresholds.
    const saved = await call(`${other.url}/api/v1/alerts/settings`, {
      token: admin,
      body: {
        thresholds: {
          cpu: { warning: 50, critical: 70 },
          memory: { warning: 80, critical: 90 },
          disk: { warning: 85, critical: 95 },
        },
        notifications: { email: false, desktop: false, minLevel: 'warning' },
      },
    });
    expect(saved.status).toBe(200);
    for (const t of [a, b]) t.source.reading = { ...t.source.reading, cpuPercent: 75 };
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'alert')).toBe(true), {
      timeout: 10_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    // One alert in the shared store, not one per instance.
    const list = await call(`${other.url}/api/v1/alerts`, { token: admin });
    expect((list.body as protocol.monitoring.AlertList).total).toBe(1);
    expect(messages.filter((m) => m.type === 'alert')).toHaveLength(1);

    // The holder stops: the other takes the lease over.
    servers.splice(servers.indexOf(holder), 1);
    await holder.close();
    await vi.waitFor(() => expect(other.server.bus.lease(RECORDER_LEASE).held).toBe(true), {
      timeout: 10_000,
    });
  });

  it('serves its own sockets while Redis is away, and delivers the rest once it is back', async () => {
    proxy = await TcpProxy.start('127.0.0.1', Number(new URL(redis.url).port || 6379));
    const log: string[] = [];
    const [a, b] = await cluster(2, { redisUrl: `redis://127.0.0.1:${proxy.port}`, log });
    if (a === undefined || b === undefined) throw new Error('two instances');
    const token = await userToken(a, 'hall-tv');
    await register(a, token, 'SN-BUS-2');
    const first = await device(b, token, 'SN-BUS-2');
    const adminA = await a.login();
    await vi.waitFor(async () => expect(await online(a, adminA, 'SN-BUS-2')).toBe(true));

    proxy.cut();
    await vi.waitFor(() => {
      expect(a.server.bus.stats().connected).toBe(false);
      expect(b.server.bus.stats().connected).toBe(false);
    });
    expect(log.some((line) => line.includes('Redis bus lost'))).toBe(true);
    // B still serves its device: a command posted to B goes out at once.
    const local = await sendCommand(b, adminA, 'SN-BUS-2', {
      action: 'set_brightness',
      brightness: 40,
    });
    await vi.waitFor(() => expect(first.actions().map((c) => c.command_id)).toContain(local));
    // The device drops and comes back to B meanwhile: its claim waits for Redis (the release
    // queued for the old socket must not undo it).
    first.ws.close();
    await first.closed;
    const tv = await device(b, token, 'SN-BUS-2');
    // Posted to A meanwhile: stored (the store is shared), nothing can nudge B yet.
    const crossing = await sendCommand(a, adminA, 'SN-BUS-2', { action: 'pause' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(tv.actions().map((c) => c.command_id)).not.toContain(crossing);
    const metrics = await call(`${a.url}/metrics`, { token: METRICS_TOKEN });
    expect(metrics.status).toBe(200);
    expect(String(metrics.body)).toMatch(/^marquee_bus_connected 0$/m);
    expect(String(metrics.body)).toMatch(/^marquee_bus_outages_total 1$/m);

    proxy.restore();
    await vi.waitFor(() => expect(tv.actions().map((c) => c.command_id)).toContain(crossing), {
      timeout: 20_000,
    });
    await vi.waitFor(async () =>
      expect(await getCommand(a, adminA, crossing)).toMatchObject({ state: 'acked' }),
    );
    expect(log.some((line) => line.includes('Redis bus is back'))).toBe(true);
    expect(tv.actions().filter((c) => c.command_id === crossing)).toHaveLength(1);
    // The cluster works as before (once A reconnected too): a new command from A crosses at once.
    await vi.waitFor(() => expect(a.server.bus.stats().connected).toBe(true), { timeout: 10_000 });
    const after = await sendCommand(a, adminA, 'SN-BUS-2', { action: 'play' });
    await vi.waitFor(() => expect(tv.actions().map((c) => c.command_id)).toContain(after));
    expect(a.server.bus.stats().outages).toBe(1);
  });

  it('stops promptly while Redis is away', async () => {
    proxy = await TcpProxy.start('127.0.0.1', Number(new URL(redis.url).port || 6379));
    const started = await cluster(2, { redisUrl: `redis://127.0.0.1:${proxy.port}` });
    proxy.cut();
    await vi.waitFor(() => {
      for (const t of started) expect(t.server.bus.stats().connected).toBe(false);
    });
    const begun = performance.now();
    await Promise.all(servers.splice(0).map((server) => server.close()));
    expect(performance.now() - begun).toBeLessThan(5000);
  });

  it('leaves nothing behind in Redis when the instances stop', async () => {
    const [a, b] = await cluster(2);
    if (a === undefined || b === undefined) throw new Error('two instances');
    const token = await userToken(a, 'tidy-tv');
    await register(a, token, 'SN-BUS-3');
    await device(b, token, 'SN-BUS-3');
    await vi.waitFor(async () => expect(await online(a, await a.login(), 'SN-BUS-3')).toBe(true));
    for (const socket of sockets.splice(0)) socket.terminate();
    await Promise.all(servers.splice(0).map((server) => server.close()));
    expect(await redis.keys(prefix)).toEqual([]);
  });

  function session(id: string, title: string) {
    return {
      session_id: id,
      path: `/data/movies/${id}.mp4`,
      title,
      media_type: 'movie',
      current_time: 10,
      duration: 100,
      state: 'playing',
      username: 'Viewer',
    };
  }

  /** The instances in the bus topic of consoles (`signage-admin`). */
  async function interested(): Promise<string[]> {
    const redisClient = new Redis(redis.url);
    try {
      return (await redisClient.smembers(`${prefix}interest:signage-admin`)).sort();
    } finally {
      redisClient.disconnect();
    }
  }

  /** An operator console (the SDK's client) on `t`: every notice it hears, in order. */
  async function openConsole(
    t: TestServer,
    token: string,
  ): Promise<protocol.signage.AdminServerMessage[]> {
    const seen: protocol.signage.AdminServerMessage[] = [];
    let resyncs = 0;
    const client = createSignageEventsClient({
      baseUrl: t.url,
      token: () => token,
      heartbeat: false,
    });
    consoles.push(client);
    client.on('resync', () => (resyncs += 1));
    client.on('device', (m) => seen.push(m));
    client.on('pairing', (m) => seen.push(m));
    client.on('command', (m) => seen.push(m));
    client.connect();
    await vi.waitFor(() => expect(resyncs).toBe(1));
    return seen;
  }

  const changes = (seen: protocol.signage.AdminServerMessage[], sn: string) =>
    seen.flatMap((m) => (m.type === 'device' && m.sn_number === sn ? [m.change] : []));
  const commandStates = (seen: protocol.signage.AdminServerMessage[], id: string) =>
    seen.flatMap((m) => (m.type === 'command' && m.command_id === id ? [m.state] : []));

  function titles(snapshot: unknown): string[] {
    return Snapshot.parse(snapshot).sessions.map((s) => s.title);
  }

  async function openPanel(
    t: TestServer,
    token?: string,
  ): Promise<{ messages: unknown[]; closed: Promise<number> }> {
    const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
    const ws = new WebSocket(`${t.wsUrl}/api/dashboard/ws${query}`);
    sockets.push(ws);
    const messages: unknown[] = [];
    ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8'))));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return { messages, closed };
  }
});

describe('MARQUEE_REDIS_URL', () => {
  const load = (env: Record<string, string>) => loadConfig({ env, cwd: '/nonexistent' });

  it('refuses a bad URL, naming the variable', () => {
    expect(() =>
      load({ MARQUEE_REDIS_URL: 'http://redis:6379', MARQUEE_DATABASE_URL: 'postgres://db/x' }),
    ).toThrow(/MARQUEE_REDIS_URL/);
    expect(() =>
      load({ MARQUEE_REDIS_URL: 'redis://[::1', MARQUEE_DATABASE_URL: 'postgres://db/x' }),
    ).toThrow(ConfigError);
  });

  it('needs a shared database', () => {
    expect(() => load({ MARQUEE_REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(
      /MARQUEE_REDIS_URL.*MARQUEE_DATABASE_URL/,
    );
  });

  it('refuses a bad prefix or queue bound, naming the variable', () => {
    const base = {
      MARQUEE_REDIS_URL: 'redis://127.0.0.1:6379',
      MARQUEE_DATABASE_URL: 'postgres://db/x',
    };
    expect(() => load({ ...base, MARQUEE_REDIS_PREFIX: 'has spaces' })).toThrow(
      /MARQUEE_REDIS_PREFIX/,
    );
    expect(() => load({ ...base, MARQUEE_REDIS_MAX_QUEUED: '0' })).toThrow(
      /MARQUEE_REDIS_MAX_QUEUED/,
    );
    expect(
      load({ ...base, MARQUEE_REDIS_PREFIX: 'site-a:', MARQUEE_REDIS_MAX_QUEUED: '500' }),
    ).toMatchObject({ redisPrefix: 'site-a:', redisMaxQueued: 500 });
  });

  it('is off by default', () => {
    const config = load({});
    expect(config.redisUrl).toBeUndefined();
    expect(config.redisPrefix).toBe('marquee:');
  });
});
