/**
 * Seed 003's services on a real server (port 0): backed by a fake Docker Engine on a real Unix
 * socket (packages/simulators), by the media integrations' health polls against the fake media
 * stack, or by nothing; the restart route's 404 `SERVICE_NOT_FOUND` with the available names as
 * the seed shows it, the allow-list, the audit trail, `status` messages on the socket, and the
 * errors when Docker is missing or fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { protocol } from '@marquee/sdk';
import {
  startFakeDockerEngine,
  startFakeMediaStack,
  type FakeDockerEngine,
  type FakeMediaStack,
} from '@marquee/simulators';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/core/config';
import { parseDockerLog } from '../../src/integrations/docker/client';
import { monitoringModule } from '../../src/surfaces/monitoring/module';
import { call, login, startTestServer, type TestServer } from '../helpers/server';

const WAIT = { timeout: 10_000, interval: 20 };
const CONFIG = {
  domain: 'media.example.com',
  media_dir: '/srv/media',
  downloads_dir: '/srv/downloads',
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(overrides: Record<string, unknown> = {}): Promise<TestServer> {
  const t = await startTestServer({ monitoringRecord: false, ...overrides });
  cleanups.push(() => t.close());
  return t;
}

async function docker(): Promise<FakeDockerEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'marquee-docker-'));
  const engine = await startFakeDockerEngine({
    socketPath: join(dir, 'docker.sock'),
    restartMs: 150,
    containers: [
      {
        name: 'plex',
        health: 'healthy',
        ports: [{ private: 32400, public: 32400 }],
        cpuPercent: 5.6,
        memoryBytes: 1.2e9,
        startedAt: new Date(Date.now() - (10 * 86_400 + 4 * 3600 + 30 * 60) * 1000).toISOString(),
      },
      {
        name: 'media_sonarr_1',
        composeService: 'sonarr',
        health: 'unhealthy',
        ports: [{ private: 8989 }],
      },
      { name: 'radarr', state: 'exited', exitCode: 1, ports: [{ private: 7878 }] },
    ],
  });
  cleanups.push(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return engine;
}

async function configure(t: TestServer, token: string, services: string[]): Promise<void> {
  const res = await call(`${t.url}/api/v1/config`, {
    token,
    method: 'PUT',
    body: { ...CONFIG, services },
  });
  expect(res.status).toBe(200);
}

function expectError(res: { status: number; body: unknown }, status: number, code: string) {
  expect(res.status).toBe(status);
  const parsed = protocol.monitoring.MonitoringError.parse(res.body);
  expect(parsed.error.code).toBe(code);
  return parsed.error;
}

async function viewer(t: TestServer): Promise<string> {
  await t.server.auth.createUser({ username: 'v', password: 'viewer-password-1', role: 'viewer' });
  return login(t.url, 'v', 'viewer-password-1');
}

describe('services without Docker', () => {
  it('lists the configured names, unknown where nothing reports; restart answers 404 with the available names or 409 unsupported', async () => {
    const t = await start();
    const admin = await t.login();
    const view = await viewer(t);
    await configure(t, admin, ['plex', 'sonarr', 'radarr']);

    const list = await call(`${t.url}/api/v1/services`, { token: view });
    expect(list.status).toBe(200);
    expect(protocol.monitoring.ServiceList.parse(list.body).services).toEqual([
      {
        name: 'plex',
        status: 'unknown',
        port: null,
        url: 'https://plex.media.example.com',
        source: 'none',
      },
      {
        name: 'sonarr',
        status: 'unknown',
        port: null,
        url: 'https://sonarr.media.example.com',
        source: 'none',
      },
      {
        name: 'radarr',
        status: 'unknown',
        port: null,
        url: 'https://radarr.media.example.com',
        source: 'none',
      },
    ]);
    const health = await call(`${t.url}/api/v1/services/health`, { token: view });
    expect(health.body).toMatchObject({
      services: [
        { name: 'plex', status: 'unknown', health: 'warning', lastCheck: null, source: 'none' },
        {},
        {},
      ],
    });

    // The seed's own example, word for word.
    const missing = expectError(
      await call(`${t.url}/api/v1/services/invalid/restart`, { token: admin, method: 'POST' }),
      404,
      'SERVICE_NOT_FOUND',
    );
    expect(missing).toEqual({
      code: 'SERVICE_NOT_FOUND',
      message: "Service 'invalid' not found",
      details: 'Available services: plex, sonarr, radarr',
    });
    expectError(
      await call(`${t.url}/api/v1/services/plex/restart`, { token: admin, method: 'POST' }),
      409,
      'RESTART_UNSUPPORTED',
    );
    expectError(
      await call(`${t.url}/api/v1/services/plex/restart`, { token: view, method: 'POST' }),
      403,
      'FORBIDDEN',
    );
    expectError(await call(`${t.url}/api/v1/services`), 401, 'UNAUTHORIZED');
  });

  it('reports a configured media integration by its health poll', async () => {
    const fakes: FakeMediaStack = await startFakeMediaStack();
    cleanups.push(() => fakes.close());
    const t = await start({ ...fakes.config, upstreamTimeoutSeconds: 1 });
    const admin = await t.login();
    await configure(t, admin, ['plex', 'sonarr', 'nextcloud']);
    const sonarr = t.server.mediaStack.get('sonarr');
    // The polls run on their own schedule; wait for the first ones rather than ask again and again.
    await Promise.all([
      t.server.mediaStack.get('plex')?.poller.refresh(),
      sonarr?.poller.refresh(),
    ]);
    await vi.waitFor(
      async () => {
        const res = await call(`${t.url}/api/v1/services/health`, { token: admin });
        expect(res.body).toMatchObject({
          services: [
            { name: 'plex', status: 'running', health: 'healthy', source: 'integration' },
            { name: 'sonarr', status: 'running', source: 'integration' },
            { name: 'nextcloud', status: 'unknown', source: 'none' },
          ],
        });
      },
      { timeout: 10_000, interval: 500 },
    );
    const list = protocol.monitoring.ServiceList.parse(
      (await call(`${t.url}/api/v1/services`, { token: admin })).body,
    );
    expect(list.services[1]).toMatchObject({ port: Number(new URL(fakes.sonarr.url).port) });

    const ws = new WebSocket(`${t.wsUrl}/monitoring?token=${encodeURIComponent(admin)}`);
    cleanups.push(() => ws.terminate());
    const statuses: protocol.monitoring.ServiceStatusChange[] = [];
    ws.on('message', (data) => {
      const message = protocol.monitoring.MonitoringServerMessage.parse(
        JSON.parse((data as Buffer).toString('utf8')),
      );
      if (message.type === 'status') statuses.push(message.data);
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));

    fakes.sonarr.mode = 'down';
    await sonarr?.poller.refresh();
    await vi.waitFor(() => expect(statuses).toHaveLength(1), WAIT);
    expect(statuses[0]).toMatchObject({
      name: 'sonarr',
      status: 'error',
      health: 'critical',
      previous: 'running',
    });
    const down = protocol.monitoring.ServiceHealthList.parse(
      (await call(`${t.url}/api/v1/services/health`, { token: admin })).body,
    );
    expect(down.services[1]).toMatchObject({ name: 'sonarr', status: 'error', health: 'critical' });
    expect(down.services[1]?.lastCheck).not.toBeNull();
    expect(down.services[1]?.reason).toBeTruthy();
  });
});

describe('services from the Docker Engine', () => {
  it('finds the socket in MARQUEE_DOCKER_SOCKET, else in a unix:// DOCKER_HOST', () => {
    const dir = mkdtempSync(join(tmpdir(), 'marquee-docker-config-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const socketOf = (env: Record<string, string>) =>
      loadConfig({ env: { MARQUEE_DATA_DIR: dir, ...env }, cwd: dir }).dockerSocket;
    expect(socketOf({})).toBeUndefined();
    expect(socketOf({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toBe(
      '/run/user/1000/docker.sock',
    );
    expect(socketOf({ DOCKER_HOST: 'tcp://10.0.0.2:2375' })).toBeUndefined();
    expect(
      socketOf({ DOCKER_HOST: 'unix:///a.sock', MARQUEE_DOCKER_SOCKET: '/var/run/docker.sock' }),
    ).toBe('/var/run/docker.sock');
  });

  it('lists containers by name or Compose service with state, health, ports, CPU, memory and restart count', async () => {
    const engine = await docker();
    const t = await start({ dockerSocket: engine.socketPath });
    const admin = await t.login();
    await configure(t, admin, ['plex', 'sonarr', 'radarr', 'overseerr']);

    const list = await call(`${t.url}/api/v1/services`, { token: admin });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      services: [
        {
          name: 'plex',
          status: 'running',
          port: 32400,
          url: 'https://plex.media.example.com',
          source: 'docker',
        },
        {
          name: 'sonarr',
          status: 'running',
          port: 8989,
          url: 'https://sonarr.media.example.com',
          source: 'docker',
        },
        {
          name: 'radarr',
          status: 'error',
          port: 7878,
          url: 'https://radarr.media.example.com',
          source: 'docker',
        },
        {
          name: 'overseerr',
          status: 'unknown',
          port: null,
          url: 'https://overseerr.media.example.com',
          source: 'none',
        },
      ],
    });

    const health = protocol.monitoring.ServiceHealthList.parse(
      (await call(`${t.url}/api/v1/services/health`, { token: admin })).body,
    );
    const [plex, sonarr, radarr] = health.services;
    expect(plex).toMatchObject({
      name: 'plex',
      status: 'running',
      health: 'healthy',
      metrics: { uptime: '10d 4h 30m', memory: 1.2, cpu: 5.6 },
      restartCount: 0,
      source: 'docker',
    });
    expect(sonarr).toMatchObject({
      status: 'running',
      health: 'critical',
      reason: 'Docker health check: unhealthy',
    });
    expect(radarr).toMatchObject({
      status: 'error',
      health: 'critical',
      metrics: { uptime: '0m', memory: 0, cpu: 0 },
      reason: 'Container exited (exit code 1)',
    });

    engine.container('plex').cpuPercent = 150.25; // more than one core
    engine.container('radarr').state = 'running';
    const again = protocol.monitoring.ServiceHealthList.parse(
      (await call(`${t.url}/api/v1/services/health`, { token: admin })).body,
    );
    expect(again.services[0]?.metrics?.cpu).toBe(150.3);
    expect(again.services[2]).toMatchObject({ status: 'running', health: 'healthy' });

    // A daemon that is gone: 503 in the seed's shape, for lists and restarts alike.
    await engine.close();
    expectError(
      await call(`${t.url}/api/v1/services`, { token: admin }),
      503,
      'DOCKER_UNAVAILABLE',
    );
    expectError(
      await call(`${t.url}/api/v1/services/health`, { token: admin }),
      503,
      'DOCKER_UNAVAILABLE',
    );
  });

  it('restarts an allowed container for an operator: audited, status messages on the socket; refuses the rest', async () => {
    const engine = await docker();
    const t = await start({
      dockerSocket: engine.socketPath,
      monitoringRestartAllow: 'plex,radarr,overseerr',
      monitoringServicesPollMs: 100,
    });
    const admin = await t.login();
    await configure(t, admin, ['plex', 'sonarr', 'radarr', 'overseerr']);
    await t.server.auth.createUser({
      username: 'op',
      password: 'operator-password-1',
      role: 'operator',
    });
    const operator = await login(t.url, 'op', 'operator-password-1');

    const ws = new WebSocket(`${t.wsUrl}/monitoring?token=${encodeURIComponent(operator)}`);
    cleanups.push(() => ws.terminate());
    const statuses: protocol.monitoring.ServiceStatusChange[] = [];
    ws.on('message', (data) => {
      const message = protocol.monitoring.MonitoringServerMessage.parse(
        JSON.parse((data as Buffer).toString('utf8')),
      );
      if (message.type === 'status') statuses.push(message.data);
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));

    const res = await call(`${t.url}/api/v1/services/plex/restart`, {
      token: operator,
      method: 'POST',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ name: 'plex', status: 'restarting' });
    expect(engine.container('plex').restartCount).toBe(1);
    expect(
      engine.requests.some((r) => r.method === 'POST' && /\/restart\?t=10$/.test(r.path)),
    ).toBe(true);
    await vi.waitFor(() => expect(statuses).toHaveLength(2), WAIT);
    expect(statuses[0]).toMatchObject({ name: 'plex', status: 'restarting', previous: 'running' });
    expect(statuses[1]).toMatchObject({
      name: 'plex',
      status: 'running',
      previous: 'restarting',
      health: 'warning',
    });
    const health = protocol.monitoring.ServiceHealthList.parse(
      (await call(`${t.url}/api/v1/services/health`, { token: operator })).body,
    );
    expect(health.services[0]).toMatchObject({ restartCount: 1, health: 'warning' });
    const audit = await t.server.surface(monitoringModule).repositories.settings.audit(5);
    expect(audit[0]).toMatchObject({
      actor: 'user:op',
      action: 'service.restart',
      after: { name: 'plex' },
    });

    expectError(
      await call(`${t.url}/api/v1/services/sonarr/restart`, { token: operator, method: 'POST' }),
      403,
      'RESTART_NOT_ALLOWED',
    );
    expectError(
      await call(`${t.url}/api/v1/services/overseerr/restart`, { token: operator, method: 'POST' }),
      409,
      'CONTAINER_NOT_FOUND',
    );
    engine.container('radarr').failRestart = 'Cannot restart container radarr: driver failed';
    const failed = expectError(
      await call(`${t.url}/api/v1/services/radarr/restart`, { token: operator, method: 'POST' }),
      503,
      'DOCKER_UNAVAILABLE',
    );
    expect(failed.message).toContain('driver failed');
    expect(await t.server.surface(monitoringModule).repositories.settings.audit(5)).toHaveLength(
      audit.length,
    );

    // A container that dies on its own is a `status` message too (Docker looked at every 100 ms
    // while the socket listens); the restarted one reported nothing more.
    await new Promise((resolve) => setTimeout(resolve, 300));
    engine.container('media_sonarr_1').state = 'exited';
    engine.container('media_sonarr_1').exitCode = 137;
    await vi.waitFor(() => expect(statuses).toHaveLength(3), WAIT);
    expect(statuses[2]).toMatchObject({ name: 'sonarr', status: 'error', previous: 'running' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statuses).toHaveLength(3);
  });
});

describe('container logs by name (GET /api/v1/services/{name}/logs)', () => {
  it("reads a configured service's container log through the Engine API, newest first", async () => {
    const engine = await docker();
    const t = await start({ dockerSocket: engine.socketPath });
    const admin = await t.login();
    await configure(t, admin, ['plex', 'sonarr', 'radarr', 'jellyfin']);
    const long = `Scanning library section 1 (Movies): ${'x'.repeat(80)} done`;
    engine.container('plex').logs.push(
      { stream: 'stdout', at: '2026-12-07T12:00:00.100Z', text: 'Starting Plex Media Server' },
      { stream: 'stderr', at: '2026-12-07T12:00:01.200Z', text: 'Critical: database locked' },
      { stream: 'stdout', at: '2026-12-07T12:00:02.300Z', text: long },
      {
        stream: 'stdout',
        at: '2026-12-07T12:00:03.400Z',
        text: 'GET /library/sections?X-Plex-Token=plex-secret-token 200',
      },
    );
    const viewer = await t.server.auth.createUser({
      username: 'kim',
      password: 'viewer-password-1',
      role: 'viewer',
    });
    expect(viewer.role).toBe('viewer');
    const token = await login(t.url, 'kim', 'viewer-password-1');
    const res = await call(`${t.url}/api/v1/services/plex/logs`, { token });
    expect(res.status).toBe(200);
    const body = protocol.monitoring.ContainerLogList.parse(res.body);
    expect(body.name).toBe('plex');
    expect(body.logs.map((l) => [l.timestamp, l.stream, l.message])).toEqual([
      ['2026-12-07T12:00:03.400Z', 'stdout', 'GET /library/sections?X-Plex-Token=[REDACTED] 200'],
      ['2026-12-07T12:00:02.300Z', 'stdout', long],
      ['2026-12-07T12:00:01.200Z', 'stderr', 'Critical: database locked'],
      ['2026-12-07T12:00:00.100Z', 'stdout', 'Starting Plex Media Server'],
    ]);
    // The Engine was asked for the tail, both outputs, with timestamps.
    expect(engine.requests.at(-1)?.path).toMatch(
      /^\/containers\/[0-9a-f]{64}\/logs\?stdout=1&stderr=1&timestamps=1&tail=100$/,
    );

    const query = async (q: string) =>
      protocol.monitoring.ContainerLogList.parse(
        (await call(`${t.url}/api/v1/services/plex/logs?${q}`, { token })).body,
      ).logs.map((l) => l.message);
    expect(await query('limit=2')).toEqual([
      'GET /library/sections?X-Plex-Token=[REDACTED] 200',
      long,
    ]);
    expect(await query('stream=stderr')).toEqual(['Critical: database locked']);
    expect(await query('since=2026-12-07T12:00:01.200Z&stream=stdout')).toEqual([
      'GET /library/sections?X-Plex-Token=[REDACTED] 200',
      long,
    ]);

    // A Compose service by its service name, and a container with a terminal (one raw stream).
    const sonarr = engine.container('media_sonarr_1');
    sonarr.tty = true;
    sonarr.logs.push({ stream: 'stdout', at: '2026-12-07T12:05:00.000Z', text: 'Sonarr up' });
    expect(
      protocol.monitoring.ContainerLogList.parse(
        (await call(`${t.url}/api/v1/services/sonarr/logs`, { token })).body,
      ).logs,
    ).toEqual([{ timestamp: '2026-12-07T12:05:00.000Z', stream: 'stdout', message: 'Sonarr up' }]);

    const expectError = async (path: string, status: number, code: string, tok = token) => {
      const answer = await call(`${t.url}${path}`, { token: tok });
      expect(answer.status).toBe(status);
      return protocol.monitoring.MonitoringError.parse(answer.body).error.code === code
        ? protocol.monitoring.MonitoringError.parse(answer.body).error
        : expect.fail(`expected ${code}, got ${JSON.stringify(answer.body)}`);
    };
    const missing = await expectError('/api/v1/services/invalid/logs', 404, 'SERVICE_NOT_FOUND');
    expect(missing.details).toBe('Available services: plex, sonarr, radarr, jellyfin');
    await expectError('/api/v1/services/jellyfin/logs', 409, 'CONTAINER_NOT_FOUND');
    await expectError('/api/v1/services/plex/logs?limit=0', 400, 'BAD_REQUEST');
    await expectError('/api/v1/services/plex/logs?stream=stdin', 400, 'BAD_REQUEST');
    // Raw container logs are for signed-in users: a display token is refused.
    const display = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token: admin,
      body: { name: 'wall', scopes: ['monitoring'] },
    });
    await expectError(
      '/api/v1/services/plex/logs',
      403,
      'FORBIDDEN',
      (display.body as { token: string }).token,
    );
    // The daemon gone: 503.
    await engine.close();
    await expectError('/api/v1/services/plex/logs', 503, 'DOCKER_UNAVAILABLE');
  });

  it('answers 409 LOGS_UNSUPPORTED without Docker', async () => {
    const t = await start();
    const admin = await t.login();
    await configure(t, admin, ['plex']);
    const res = await call(`${t.url}/api/v1/services/plex/logs`, { token: admin });
    expect(res.status).toBe(409);
    expect(protocol.monitoring.MonitoringError.parse(res.body).error.code).toBe('LOGS_UNSUPPORTED');
  });
});

describe('parseDockerLog', () => {
  const frame = (kind: number, text: string) => {
    const bytes = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = kind;
    header.writeUInt32BE(bytes.length, 4);
    return Buffer.concat([header, bytes]);
  };

  it('joins split lines per output, keeps untimed lines in place and stops at a bad frame', () => {
    const raw = Buffer.concat([
      frame(1, '2026-12-07T12:00:00.000000001Z a'),
      frame(2, '2026-12-07T12:00:00.500Z err\n'),
      frame(1, 'bc\n2026-12-07T12:00:01Z second\r\nno time\n'),
      frame(7, 'not a frame'),
      frame(1, '2026-12-07T12:00:09Z never read\n'),
    ]);
    expect(parseDockerLog(raw, false)).toEqual([
      { stream: 'stdout', at: Date.parse('2026-12-07T12:00:00.000Z'), text: 'abc' },
      { stream: 'stderr', at: Date.parse('2026-12-07T12:00:00.500Z'), text: 'err' },
      { stream: 'stdout', at: Date.parse('2026-12-07T12:00:01.000Z'), text: 'second' },
      { stream: 'stdout', at: Date.parse('2026-12-07T12:00:01.000Z'), text: 'no time' },
    ]);
    // A terminal's log is one raw stream; a frame header there is just text.
    expect(parseDockerLog(Buffer.from('2026-12-07T12:00:00Z x\n'), true)).toEqual([
      { stream: 'stdout', at: Date.parse('2026-12-07T12:00:00Z'), text: 'x' },
    ]);
    expect(parseDockerLog(Buffer.alloc(0), false)).toEqual([]);
  });
});
