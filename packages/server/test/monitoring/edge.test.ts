/**
 * Monitoring's edge on a real server (port 0, fresh SQLite, responses schema-checked): seed 003's
 * second WebSocket port (MARQUEE_MONITORING_WS_PORT), Authelia-style forward-auth headers
 * believed only from a trusted proxy, and the open LAN reads setting.
 */
import { connect } from 'node:net';
import { protocol } from '@marquee/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { loadConfig } from '../../src/core/config';
import { monitoringModule } from '../../src/surfaces/monitoring/module';
import { call, createDisplayToken, startTestServer, type TestServer } from '../helpers/server';
import { terminateUpgrades, tryUpgrade } from '../helpers/upgrade';

const servers: TestServer[] = [];

afterEach(async () => {
  terminateUpgrades();
  for (const t of servers.splice(0)) await t.close();
});

async function start(overrides = {}): Promise<TestServer> {
  const t = await startTestServer({ sampleIntervalMs: 100, ...overrides });
  servers.push(t);
  return t;
}

const displayToken = createDisplayToken;

/** The first message of type `type` on an open socket. */
function first(ws: WebSocket, type: string): Promise<protocol.monitoring.MonitoringServerMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const message = protocol.monitoring.MonitoringServerMessage.parse(
        JSON.parse(data.toString()),
      );
      if (message.type !== type) return;
      ws.off('message', onMessage);
      resolve(message);
    };
    ws.on('message', onMessage);
  });
}

function expectError(res: { status: number; body: unknown }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(protocol.monitoring.MonitoringError.parse(res.body).error.code).toBe(code);
}

/** The port number of `url`. */
function portOf(url: string): number {
  return Number(new URL(url).port);
}

describe('the second WebSocket port (MARQUEE_MONITORING_WS_PORT)', () => {
  it('is off by default', async () => {
    const t = await start();
    expect(t.server.surface(monitoringModule).wsPortUrl()).toBeUndefined();
  });

  it('serves /monitoring with the same auth and messages, and nothing else', async () => {
    const t = await start({ monitoringWsPort: 0 });
    const wsUrl = t.server.surface(monitoringModule).wsPortUrl();
    expect(wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    if (wsUrl === undefined) return;
    expect(portOf(wsUrl)).not.toBe(portOf(t.url));

    // Without credentials: refused before the handshake, in the seed's error shape.
    const anonymous = await tryUpgrade(`${wsUrl}/monitoring`);
    expect(anonymous).toMatchObject({ open: false, status: 401 });
    if (!anonymous.open) {
      expect(protocol.monitoring.MonitoringError.parse(anonymous.body).error.code).toBe(
        'UNAUTHORIZED',
      );
    }
    // A token of another scope: 403, as on the main port.
    const gpuOnly = await displayToken(t, ['gpu']);
    expect(await tryUpgrade(`${wsUrl}/monitoring?token=${gpuOnly}`)).toMatchObject({
      open: false,
      status: 403,
    });
    // Another channel of the main port is not served here.
    const token = await displayToken(t, ['monitoring']);
    expect(await tryUpgrade(`${wsUrl}/ws/now-playing?token=${token}`)).toMatchObject({
      open: false,
      status: 404,
    });

    const opened = await tryUpgrade(`${wsUrl}/monitoring?token=${token}`);
    expect(opened.open).toBe(true);
    if (!opened.open) return;
    const metrics = await first(opened.socket, 'metrics');
    expect(metrics.type).toBe('metrics');
    // The same hub: an alert raised now reaches this socket too.
    const admin = await t.login();
    const alert = first(opened.socket, 'alert');
    const settings = await call(`${t.url}/api/v1/alerts/settings`, {
      token: admin,
      body: {
        thresholds: {
          cpu: { warning: 0, critical: 100 },
          memory: { warning: 80, critical: 90 },
          disk: { warning: 85, critical: 95 },
        },
        notifications: { email: false, desktop: false, minLevel: 'warning' },
      },
    });
    expect(settings.status).toBe(200);
    expect((await alert).type).toBe('alert');
    expect(t.server.gateway.stats().byChannel['/monitoring']).toBe(1);

    // Plain HTTP on that port: 426 at the socket's path, 404 elsewhere, in the seed's shape.
    const plain = await call(`${wsUrl.replace('ws:', 'http:')}/monitoring`);
    expectError(plain, 426, 'UPGRADE_REQUIRED');
    expectError(await call(`${wsUrl.replace('ws:', 'http:')}/api/v1/status`), 404, 'NOT_FOUND');

    // Shutdown closes its sockets and the port.
    const closed = new Promise<number>((resolve) => opened.socket.once('close', resolve));
    servers.splice(0);
    await t.close();
    expect(await closed).toBe(protocol.CloseCodes.GOING_AWAY);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(portOf(wsUrl), '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('refuses a port that is taken, naming it', async () => {
    const t = await start({ monitoringWsPort: 0 });
    const wsUrl = t.server.surface(monitoringModule).wsPortUrl() ?? '';
    await expect(startTestServer({ monitoringWsPort: portOf(wsUrl) })).rejects.toThrow(
      /EADDRINUSE/,
    );
  });
});

describe('forward-auth headers (Remote-User, Remote-Groups)', () => {
  const groups = 'admins:admin,ops:operator,family:viewer';

  it('are believed from a trusted proxy, mapping the highest group to a role', async () => {
    const t = await start({ trustProxy: '127.0.0.1', forwardAuthGroups: groups });
    const as = (user: string, groupsHeader: string) => ({
      'remote-user': user,
      'remote-groups': groupsHeader,
    });
    const viewer = await call(`${t.url}/api/v1/status`, { headers: as('kim', 'family') });
    expect(viewer.status).toBe(200);
    const config = {
      domain: 'media.example.com',
      media_dir: '/srv/media',
      downloads_dir: '/srv/downloads',
      services: ['plex'],
    };
    expectError(
      await call(`${t.url}/api/v1/config`, {
        method: 'PUT',
        body: config,
        headers: as('kim', 'family'),
      }),
      403,
      'FORBIDDEN',
    );
    // Several groups: the highest role wins; the change is audited as the proxy's user.
    const put = await call(`${t.url}/api/v1/config`, {
      method: 'PUT',
      body: config,
      headers: as('alice', 'family, ops'),
    });
    expect(put.status).toBe(200);
    const [audit] = await t.server.surface(monitoringModule).repositories.settings.audit(1);
    expect(audit).toMatchObject({ actor: 'proxy:alice', action: 'config.update' });
    // The test notification is admin-only.
    expectError(
      await call(`${t.url}/api/v1/alerts/test`, { body: {}, headers: as('alice', 'ops') }),
      403,
      'FORBIDDEN',
    );
    expect(
      (await call(`${t.url}/api/v1/alerts/test`, { body: {}, headers: as('root', 'admins') }))
        .status,
    ).toBe(200);
    // Groups that map to nothing, and no groups at all: 403.
    expectError(
      await call(`${t.url}/api/v1/status`, { headers: as('eve', 'guests') }),
      403,
      'FORBIDDEN',
    );
    expectError(
      await call(`${t.url}/api/v1/status`, { headers: { 'remote-user': 'eve' } }),
      403,
      'FORBIDDEN',
    );
    // A control character in the name: 401.
    expectError(
      await call(`${t.url}/api/v1/status`, { headers: as('a\tb', 'family') }),
      401,
      'UNAUTHORIZED',
    );
    // The socket takes them too.
    const opened = await tryUpgrade(`${t.wsUrl}/monitoring`, as('kim', 'family'));
    expect(opened.open).toBe(true);
    // A token, when sent, is what counts.
    const token = await displayToken(t, ['gpu']);
    expectError(
      await call(`${t.url}/api/v1/status`, { token, headers: as('root', 'admins') }),
      403,
      'FORBIDDEN',
    );
  });

  it('are ignored from a peer that is not a trusted proxy', async () => {
    const t = await start({ trustProxy: '10.77.0.1', forwardAuthGroups: groups });
    const headers = { 'remote-user': 'mallory', 'remote-groups': 'admins' };
    expectError(await call(`${t.url}/api/v1/status`, { headers }), 401, 'UNAUTHORIZED');
    expect(await tryUpgrade(`${t.wsUrl}/monitoring`, headers)).toMatchObject({
      open: false,
      status: 401,
    });
  });

  it('are ignored unless MARQUEE_FORWARD_AUTH_GROUPS is set', async () => {
    const t = await start({ trustProxy: '127.0.0.1' });
    const headers = { 'remote-user': 'mallory', 'remote-groups': 'admins' };
    expectError(await call(`${t.url}/api/v1/status`, { headers }), 401, 'UNAUTHORIZED');
  });

  it('refuse to start without proxy addresses or with a bad mapping', () => {
    const env = (extra: Record<string, string>) => ({
      MARQUEE_FORWARD_AUTH_GROUPS: 'admins:admin',
      MARQUEE_ENV_FILE: '/nonexistent/.env',
      ...extra,
    });
    expect(() => loadConfig({ env: env({}) })).toThrow(/MARQUEE_FORWARD_AUTH_GROUPS: needs/);
    expect(() => loadConfig({ env: env({ MARQUEE_TRUST_PROXY: 'true' }) })).toThrow(
      /MARQUEE_FORWARD_AUTH_GROUPS: needs MARQUEE_TRUST_PROXY/,
    );
    expect(() => loadConfig({ env: env({ MARQUEE_TRUST_PROXY: '2' }) })).toThrow(
      /MARQUEE_FORWARD_AUTH_GROUPS: needs MARQUEE_TRUST_PROXY/,
    );
    expect(() =>
      loadConfig({
        env: env({ MARQUEE_TRUST_PROXY: '10.0.0.2', MARQUEE_FORWARD_AUTH_GROUPS: 'admins:root' }),
      }),
    ).toThrow(/MARQUEE_FORWARD_AUTH_GROUPS: not group:role/);
    const ok = loadConfig({
      env: env({
        MARQUEE_TRUST_PROXY: '10.0.0.2',
        MARQUEE_FORWARD_AUTH_GROUPS: 'admins:admin, ops:operator',
      }),
    });
    expect(ok.forwardAuthGroups).toEqual([
      ['admins', 'admin'],
      ['ops', 'operator'],
    ]);
  });
});

describe('open LAN reads (MARQUEE_MONITORING_OPEN_READS)', () => {
  it('let reads in without credentials from the LAN, never changes', async () => {
    const t = await start({ monitoringOpenReads: true, trustProxy: '127.0.0.1' });
    expect((await call(`${t.url}/api/v1/status`)).status).toBe(200);
    expect((await call(`${t.url}/api/v1/metrics/current`)).status).toBe(200);
    expect((await call(`${t.url}/api/v1/alerts`)).status).toBe(200);
    expectError(
      await call(`${t.url}/api/v1/config`, {
        method: 'PUT',
        body: { domain: 'x.lan', media_dir: '/m', downloads_dir: '/d', services: [] },
      }),
      401,
      'UNAUTHORIZED',
    );
    expectError(await call(`${t.url}/api/v1/alerts/test`, { body: {} }), 401, 'UNAUTHORIZED');
    const opened = await tryUpgrade(`${t.wsUrl}/monitoring`);
    expect(opened.open).toBe(true);
    // A client the trusted proxy says is on the internet is not on the LAN.
    const headers = { 'x-forwarded-for': '203.0.113.9' };
    expectError(await call(`${t.url}/api/v1/status`, { headers }), 401, 'UNAUTHORIZED');
    expect(await tryUpgrade(`${t.wsUrl}/monitoring`, headers)).toMatchObject({
      open: false,
      status: 401,
    });
    // One on a private network is.
    expect(
      (await call(`${t.url}/api/v1/status`, { headers: { 'x-forwarded-for': '192.168.1.20' } }))
        .status,
    ).toBe(200);
    // A bad token is still refused, not treated as none.
    expectError(
      await call(`${t.url}/api/v1/status`, { token: 'not-a-token' }),
      401,
      'UNAUTHORIZED',
    );
    // Other surfaces stay closed.
    expect((await call(`${t.url}/api/vram/status`)).status).toBe(401);
  });

  it('are off by default', async () => {
    const t = await start();
    expectError(await call(`${t.url}/api/v1/status`), 401, 'UNAUTHORIZED');
  });
});
