/**
 * Network latency (`network.latency`): the default gateway read from a `/proc/net/route` table,
 * the connect time to a real listening port and to a refused one on a real server's
 * `/metrics/current`, and null when turned off or unanswered.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { protocol } from '@marquee/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/core/config';
import { defaultGatewayOf, LatencyProbe } from '../../src/surfaces/monitoring/latency';
import { call, startTestServer, type TestServer } from '../helpers/server';

const servers: TestServer[] = [];
const listeners: Server[] = [];

afterEach(async () => {
  for (const t of servers.splice(0)) await t.close();
  for (const l of listeners.splice(0)) await new Promise((resolve) => l.close(resolve));
});

const TABLE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
`;

async function listening(): Promise<number> {
  const server = createServer((socket) => socket.destroy());
  listeners.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on (bound, then closed). */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function latencyOf(t: TestServer): Promise<number | null> {
  const res = await call(`${t.url}/api/v1/metrics/current`, { token: await t.login() });
  return protocol.monitoring.CurrentMetrics.parse(res.body).metrics.network?.latency ?? null;
}

describe('network latency', () => {
  it('finds the IPv4 default gateway in /proc/net/route', () => {
    expect(defaultGatewayOf(TABLE)).toBe('192.0.2.1');
    expect(defaultGatewayOf(TABLE.split('\n').slice(0, 2).join('\n'))).toBeUndefined();
    expect(defaultGatewayOf('')).toBeUndefined();
  });

  it('measures the connect time to a listening target and to a refusing one', async () => {
    for (const port of [await listening(), await refusedPort()]) {
      const t = await startTestServer({
        sampleIntervalMs: 100,
        monitoringLatencyTarget: `127.0.0.1:${port}`,
      });
      servers.push(t);
      await vi.waitFor(async () => expect(await latencyOf(t)).not.toBeNull(), {
        timeout: 10_000,
        interval: 100,
      });
      const ms = await latencyOf(t);
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(1000);
    }
  });

  it('is null when off, and when the gateway cannot be found', async () => {
    const t = await startTestServer({ sampleIntervalMs: 100, monitoringLatencyTarget: 'off' });
    servers.push(t);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await latencyOf(t)).toBeNull();
    const probe = new LatencyProbe({
      target: 'gateway',
      intervalMs: 1000,
      monotonic: () => performance.now(),
      routeTable: () => Promise.resolve(TABLE.split('\n')[0] ?? ''),
    });
    expect(await probe.measure()).toBeNull();
    // A gateway at 127.0.0.1 (little-endian 0100007F): port 53 there answers or refuses at once.
    const local = new LatencyProbe({
      target: 'gateway',
      intervalMs: 1000,
      monotonic: () => performance.now(),
      routeTable: () => Promise.resolve(TABLE.replace('010200C0', '0100007F')),
    });
    expect(await local.measure()).toBeGreaterThanOrEqual(0);
  });

  it('refuses a malformed target', () => {
    const load = (value: string) =>
      loadConfig({
        env: { MARQUEE_MONITORING_LATENCY_TARGET: value, MARQUEE_ENV_FILE: '/nonexistent/.env' },
      });
    expect(() => load('router')).toThrow(/MARQUEE_MONITORING_LATENCY_TARGET: not gateway, off/);
    expect(() => load('10.0.0.1:0')).toThrow(/MARQUEE_MONITORING_LATENCY_TARGET/);
    expect(load('10.0.0.1:80').monitoringLatencyTarget).toEqual({ host: '10.0.0.1', port: 80 });
    expect(load('off').monitoringLatencyTarget).toBe('off');
  });
});
