/**
 * Seed 003 on a real server (port 0, a fresh SQLite file, every response checked against its
 * schema): status and metrics from the sampler's readings, history from the recorded samples,
 * configuration and alert settings validated, persisted and audited, threshold alerts in
 * `/alerts` and on the `/monitoring` socket, roles, the error shape and the rate limit.
 */
import { protocol } from '@marquee/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { monitoringModule } from '../../src/surfaces/monitoring/module';
import { FakeSystemSource } from '../../src/testing';
import {
  call,
  createDisplayToken,
  login,
  startTestServer,
  type TestServer,
} from '../helpers/server';
import { terminateUpgrades, tryUpgrade } from '../helpers/upgrade';

const WAIT = { timeout: 10_000, interval: 20 };

const servers: TestServer[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  terminateUpgrades();
  for (const t of servers.splice(0)) await t.close();
});

async function start(overrides = {}, options = {}): Promise<TestServer> {
  const t = await startTestServer({ sampleIntervalMs: 100, ...overrides }, options);
  servers.push(t);
  t.source.reading = {
    ...t.source.reading,
    cpuPercent: 45.25,
    corePercents: [40.1, 42.33, 48.5, 50.1],
    memUsedBytes: 6.8e9,
    memTotalBytes: 16e9,
    diskUsedBytes: 1506e9,
    diskTotalBytes: 2000e9,
    uptimeSeconds: 10 * 86_400 + 4 * 3600 + 30 * 60 + 12,
  };
  return t;
}

async function user(
  t: TestServer,
  role: 'viewer' | 'operator',
  username: string = role,
): Promise<string> {
  await t.server.auth.createUser({ username, password: `${role}-password-1`, role });
  return login(t.url, username, `${role}-password-1`);
}

const displayToken = createDisplayToken;

/** Waits until the server has recorded a sample taken after the reading changed. */
async function nextSample(t: TestServer): Promise<void> {
  const reads = t.source.reads;
  await vi.waitFor(() => expect(t.source.reads).toBeGreaterThan(reads + 1), WAIT);
}

function expectError(res: { status: number; body: unknown }, status: number, code: string) {
  expect(res.status).toBe(status);
  const parsed = protocol.monitoring.MonitoringError.parse(res.body);
  expect(parsed.error.code).toBe(code);
  return parsed.error;
}

interface Socket {
  readonly ws: WebSocket;
  readonly messages: protocol.monitoring.MonitoringServerMessage[];
}

async function openSocket(t: TestServer, token: string): Promise<Socket> {
  const ws = new WebSocket(`${t.wsUrl}/monitoring?token=${encodeURIComponent(token)}`);
  sockets.push(ws);
  const messages: protocol.monitoring.MonitoringServerMessage[] = [];
  ws.on('message', (data: Buffer) => {
    messages.push(protocol.monitoring.MonitoringServerMessage.parse(JSON.parse(data.toString())));
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, messages };
}

describe('status and metrics', () => {
  it('serves status and the current sample per core, in the seed units', async () => {
    const t = await start();
    const viewer = await user(t, 'viewer');
    await nextSample(t);
    const status = await call(`${t.url}/api/v1/status`, { token: viewer });
    expect(status.status).toBe(200);
    expect(status.body).toEqual({
      status: 'running',
      uptime: '10d 4h 30m',
      cpu_usage: 45.3,
      memory_usage: 6.8,
      disk_usage: 75.3,
    });
    const current = await call(`${t.url}/api/v1/metrics/current`, { token: viewer });
    expect(current.status).toBe(200);
    const body = protocol.monitoring.CurrentMetrics.parse(current.body);
    expect(body.metrics.cpu).toEqual({
      usage: 45.3,
      status: 'healthy',
      temperature: 54.2,
      cores: [40.1, 42.3, 48.5, 50.1],
    });
    expect(body.metrics.memory).toEqual({
      usage: 42.5,
      status: 'healthy',
      total: 16,
      used: 6.8,
      free: 9.2,
    });
    expect(body.metrics.disk).toMatchObject({ usage: 75.3, total: 2000, used: 1506, free: 494 });
  });

  it('reports a component over its thresholds as critical and the system as degraded', async () => {
    const t = await start();
    t.source.reading = { ...t.source.reading, diskUsedBytes: 1950e9 };
    await nextSample(t);
    const token = await displayToken(t, ['monitoring']);
    const status = await call(`${t.url}/api/v1/status`, { token });
    expect(status.body).toMatchObject({ status: 'degraded', disk_usage: 97.5 });
  });

  it('answers without credentials 401, and a display token of another scope 403, in the seed shape', async () => {
    const t = await start();
    expectError(await call(`${t.url}/api/v1/metrics/current`), 401, 'UNAUTHORIZED');
    const gpu = await displayToken(t, ['gpu']);
    expectError(await call(`${t.url}/api/v1/status`, { token: gpu }), 403, 'FORBIDDEN');
    expectError(await call(`${t.url}/api/v1/metrics/nothing`, { token: gpu }), 404, 'NOT_FOUND');
  });
});

describe('history', () => {
  it('returns recorded samples between start and end at the resolution, oldest first', async () => {
    const t = await start();
    const token = await displayToken(t, ['monitoring']);
    // Three distinct seconds recorded.
    await vi.waitFor(async () => {
      const answer = await call(
        `${t.url}/api/v1/metrics/history?start=${new Date(Date.now() - 60_000).toISOString()}&end=${new Date(Date.now() + 1000).toISOString()}&resolution=1s`,
        { token },
      );
      expect(answer.status).toBe(200);
      expect(protocol.monitoring.MetricsHistory.parse(answer.body).metrics.length).toBeGreaterThan(
        2,
      );
    }, WAIT);
    const from = '2026-01-01T00:00:00Z';
    const end = new Date(Date.now() + 1000).toISOString();
    const res = await call(
      `${t.url}/api/v1/metrics/history?start=${from}&end=${end}&resolution=5m`,
      { token },
    );
    const body = protocol.monitoring.MetricsHistory.parse(res.body);
    // The minute tier holds only finished minutes; the second tier is kept a day.
    expect(body.start).toBe('2026-01-01T00:00:00.000Z');
    // One or two 5-minute buckets (the samples may straddle a boundary), averaging the first
    // sample (the fake's 23.4 %, taken before this test set its reading) with the later 45.25 %.
    expect(body.metrics.length).toBeGreaterThan(0);
    expect(body.metrics.length).toBeLessThanOrEqual(2);
    for (const point of body.metrics) {
      expect(point.cpu.usage).toBeGreaterThanOrEqual(23.4);
      expect(point.cpu.usage).toBeLessThanOrEqual(45.3);
      expect(point.memory.total).toBe(16);
    }
    const perSecond = await call(
      `${t.url}/api/v1/metrics/history?start=${new Date(Date.now() - 60_000).toISOString()}&end=${end}&resolution=1s`,
      { token },
    );
    const last = protocol.monitoring.MetricsHistory.parse(perSecond.body).metrics.at(-1);
    expect(last).toMatchObject({
      cpu: { usage: 45.3, temperature: 54.2 },
      memory: { usage: 42.5, total: 16, used: 6.8 },
      disk: { usage: 75.3, free: 494 },
    });
    const recent = await call(
      `${t.url}/api/v1/metrics/history?start=${new Date(Date.now() - 60_000).toISOString()}&end=${end}&resolution=1s&maxPoints=2`,
      { token },
    );
    const bounded = protocol.monitoring.MetricsHistory.parse(recent.body);
    expect(bounded.metrics.length).toBeLessThanOrEqual(2);
    // 61 s in at most 2 points: 61 s buckets, served from the minute tier (which includes the
    // minute in progress) at a whole number of its steps.
    expect(bounded.resolution).toBe('2m');
    expect(bounded.metrics.length).toBeGreaterThan(0);
  });

  it('keeps network rates in every tier: averages and peaks in MB/s', async () => {
    // Each read is one second later on both clocks, with 5 MB more received and 1 MB more sent,
    // except every fourth, which sends nothing: rates of exactly 5 MB/s down, 1 or 0 MB/s up.
    let clock = Date.parse('2026-12-07T12:00:00Z');
    const base = new FakeSystemSource();
    let reads = 0;
    const source = {
      read: async () => {
        reads += 1;
        clock += 1000;
        base.reading = {
          ...base.reading,
          rxBytes: 1e9 + reads * 5e6,
          txBytes: 1e8 + (reads - Math.floor(reads / 4)) * 1e6,
        };
        return base.read();
      },
    };
    const t = await start({}, { now: () => clock, monotonic: () => clock, systemSource: source });
    const token = await displayToken(t, ['monitoring']);
    const query = (resolution: string) =>
      call(
        `${t.url}/api/v1/metrics/history?start=2026-12-07T12:00:00Z&end=${new Date(clock + 1000).toISOString()}&resolution=${resolution}`,
        { token },
      ).then((res) => protocol.monitoring.MetricsHistory.parse(res.body));
    await vi.waitFor(() => expect(reads).toBeGreaterThan(125), { timeout: 30_000, interval: 50 });
    const perSecond = await query('1s');
    // The first sample has no rate yet; every later one has the exact rates.
    const [first, ...later] = perSecond.metrics;
    expect(first?.network).toEqual({
      download_speed: 0,
      upload_speed: 0,
      download_peak: 0,
      upload_peak: 0,
    });
    expect(later.length).toBeGreaterThan(60);
    for (const point of later) {
      expect(point.network?.download_speed).toBe(5);
      expect([0, 1]).toContain(point.network?.upload_speed);
    }
    // A finished minute from the minute tier: exact averages and the peaks.
    const perMinute = await query('1m');
    expect(perMinute.resolution).toBe('1m');
    // 12:01:00–12:01:59 (reads 60 to 119): 60 samples, 15 of them sending nothing.
    const full = perMinute.metrics.find((p) => p.timestamp === '2026-12-07T12:01:00.000Z');
    expect(full?.network).toEqual({
      download_speed: 5,
      upload_speed: 0.75,
      download_peak: 5,
      upload_peak: 1,
    });
    // The hour in progress (from the hour tier's pending roll-up) agrees.
    const perHour = await query('1h');
    expect(perHour.metrics.at(-1)?.network).toMatchObject({ download_peak: 5, upload_peak: 1 });
  });

  it('refuses a malformed range or resolution with 400 and the issues in details', async () => {
    const t = await start();
    const token = await displayToken(t, ['monitoring']);
    for (const query of [
      'resolution=5x',
      'start=yesterday',
      'start=2026-02-02T00:00:00Z&end=2026-02-01T00:00:00Z',
      'maxPoints=1',
    ]) {
      const error = expectError(
        await call(`${t.url}/api/v1/metrics/history?${query}`, { token }),
        400,
        'BAD_REQUEST',
      );
      expect(error.details).toBeDefined();
    }
  });
});

describe('configuration', () => {
  const CONFIG = {
    domain: 'media.example.com',
    media_dir: '/opt/media-server/media',
    downloads_dir: '/opt/media-server/downloads',
    services: ['plex', 'sonarr', 'radarr'],
  };

  it('is validated, saved for operators only, kept across a restart and audited', async () => {
    const t = await start();
    const viewer = await user(t, 'viewer');
    const operator = await user(t, 'operator', 'olivia');
    const before = await call(`${t.url}/api/v1/config`, { token: viewer });
    expect(before.body).toEqual({
      domain: 'localhost',
      media_dir: '/srv/media',
      downloads_dir: '/srv/downloads',
      services: [],
    });
    expectError(
      await call(`${t.url}/api/v1/config`, { method: 'PUT', token: viewer, body: CONFIG }),
      403,
      'FORBIDDEN',
    );
    for (const bad of [
      { ...CONFIG, media_dir: 'relative/path' },
      { ...CONFIG, services: ['plex', 'plex'] },
      { ...CONFIG, domain: 'not a host' },
      { domain: 'media.example.com' },
    ]) {
      expectError(
        await call(`${t.url}/api/v1/config`, { method: 'PUT', token: operator, body: bad }),
        400,
        'BAD_REQUEST',
      );
    }
    const put = await call(`${t.url}/api/v1/config`, {
      method: 'PUT',
      token: operator,
      body: CONFIG,
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual(CONFIG);
    const audit = await t.server.surface(monitoringModule).repositories.settings.audit(10);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: 'user:olivia',
      action: 'config.update',
      before: null,
      after: CONFIG,
    });
    expect(Date.parse(audit[0]?.at ?? '')).toBeGreaterThan(Date.now() - 60_000);

    // A restart on the same data directory serves what was saved.
    const dataDir = t.dataDir;
    await t.server.close();
    const again = await startTestServer({ sampleIntervalMs: 100 }, { dataDir });
    servers.push(again);
    const token = await again.login();
    expect((await call(`${again.url}/api/v1/config`, { token })).body).toEqual(CONFIG);
    await call(`${again.url}/api/v1/config`, {
      method: 'PUT',
      token,
      body: { ...CONFIG, services: ['plex'] },
    });
    const trail = await again.server.surface(monitoringModule).repositories.settings.audit(10);
    expect(trail.map((each) => each.actor)).toEqual(['user:admin', 'user:olivia']);
    expect(trail[0]?.before).toEqual(CONFIG);
  });
});

describe('alerts', () => {
  it('raises a threshold alert once, lists it and pushes it on the socket', async () => {
    const t = await start();
    const operator = await user(t, 'operator');
    const token = await displayToken(t, ['monitoring']);
    const socket = await openSocket(t, token);
    await vi.waitFor(
      () => expect(socket.messages.some((m) => m.type === 'metrics')).toBe(true),
      WAIT,
    );

    const settings = {
      thresholds: {
        cpu: { warning: 50, critical: 70 },
        memory: { warning: 80, critical: 90 },
        disk: { warning: 85, critical: 95 },
      },
      notifications: { email: false, desktop: false, minLevel: 'warning' },
    };
    expectError(
      await call(`${t.url}/api/v1/alerts/settings`, {
        token: operator,
        body: {
          ...settings,
          thresholds: { ...settings.thresholds, cpu: { warning: 90, critical: 80 } },
        },
      }),
      400,
      'BAD_REQUEST',
    );
    expectError(
      await call(`${t.url}/api/v1/alerts/settings`, { token, body: settings }),
      403,
      'FORBIDDEN',
    );
    const saved = await call(`${t.url}/api/v1/alerts/settings`, {
      token: operator,
      body: settings,
    });
    expect(saved.status).toBe(200);
    expect((await call(`${t.url}/api/v1/alerts/settings`, { token })).body).toEqual(settings);

    t.source.reading = { ...t.source.reading, cpuPercent: 75 };
    await vi.waitFor(
      () => expect(socket.messages.some((m) => m.type === 'alert')).toBe(true),
      WAIT,
    );
    const alert = socket.messages.find((m) => m.type === 'alert');
    expect(alert?.data).toMatchObject({
      level: 'error',
      source: 'system',
      details: { metric: 'cpu' },
    });
    // Several more samples at the same value raise nothing new.
    await nextSample(t);
    await nextSample(t);
    const list = await call(`${t.url}/api/v1/alerts`, { token });
    expect(list.body).toMatchObject({ total: 1, hasMore: false });
    const [listed] = (list.body as protocol.monitoring.AlertList).alerts;
    expect(listed?.id).toBe(alert?.type === 'alert' ? alert.data.id : undefined);

    // Back under the line by more than the hysteresis: the alert ends; above warning: a warning.
    t.source.reading = { ...t.source.reading, cpuPercent: 60 };
    await vi.waitFor(async () => {
      const res = await call(`${t.url}/api/v1/alerts?limit=1`, { token });
      expect(res.body).toMatchObject({ total: 2, hasMore: true });
    }, WAIT);
    const warnings = await call(`${t.url}/api/v1/alerts?level=warning`, { token });
    expect(warnings.body).toMatchObject({ total: 1, alerts: [{ level: 'warning' }] });
    const errors = await call(`${t.url}/api/v1/alerts?level=error`, { token });
    const [ended] = (errors.body as protocol.monitoring.AlertList).alerts;
    expect(ended?.details).toMatchObject({ peak: 75 });
    expect(typeof ended?.details.endedAt).toBe('string');
    const future = await call(
      `${t.url}/api/v1/alerts?since=${new Date(Date.now() + 60_000).toISOString()}`,
      { token },
    );
    expect(future.body).toEqual({ alerts: [], total: 0, hasMore: false });
    expectError(await call(`${t.url}/api/v1/alerts?level=critical`, { token }), 400, 'BAD_REQUEST');
  });
});

describe('the /monitoring socket', () => {
  it('sends metrics with every core to a scoped display token, and refuses others', async () => {
    const t = await start();
    const token = await displayToken(t, ['monitoring']);
    const socket = await openSocket(t, token);
    await vi.waitFor(
      () => expect(socket.messages.filter((m) => m.type === 'metrics').length).toBeGreaterThan(1),
      WAIT,
    );
    // The newest: the first may predate the reading this test set.
    const metrics = socket.messages.filter((m) => m.type === 'metrics').at(-1);
    expect(metrics?.type === 'metrics' && metrics.data.cpu.cores).toEqual([40.1, 42.3, 48.5, 50.1]);

    const none = await tryUpgrade(`${t.wsUrl}/monitoring`);
    expect(none.open).toBe(false);
    if (!none.open) expect(none.status).toBe(401);
    const gpu = await displayToken(t, ['gpu']);
    const other = await tryUpgrade(`${t.wsUrl}/monitoring?token=${gpu}`);
    expect(other.open).toBe(false);
    if (!other.open) {
      expect(other.status).toBe(403);
      expect(protocol.monitoring.MonitoringError.parse(other.body).error.code).toBe('FORBIDDEN');
    }
  });
});

describe('limits', () => {
  it('answers the 101st request of a minute from one address 429 with Retry-After', async () => {
    const t = await start();
    const token = await displayToken(t, ['monitoring']);
    for (let i = 0; i < 100; i++) {
      const res = await call(`${t.url}/api/v1/config`, { token });
      expect(res.status).toBe(200);
    }
    const limited = await call(`${t.url}/api/v1/alerts/settings`, { token });
    expectError(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
