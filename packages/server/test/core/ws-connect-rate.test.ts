/**
 * New WebSocket connections per address per second, on a real server with an injected clock:
 * refused with HTTP 429 + Retry-After in the channel's error shape before the handshake, counted
 * per client address (X-Forwarded-For from a trusted proxy), open again the next second, and
 * not applied to loopback when the exemption is configured.
 */
import { protocol } from '@marquee/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/core/config';
import { startTestServer, type TestServer } from '../helpers/server';
import { terminateUpgrades, tryUpgrade as connect } from '../helpers/upgrade';

const PATH = protocol.nowPlaying.nowPlayingChannels[0].path;
let t: TestServer | undefined;
let clock: number;

afterEach(async () => {
  terminateUpgrades();
  await t?.close();
  t = undefined;
});

async function start(overrides: ConfigInput): Promise<TestServer> {
  clock = Date.UTC(2026, 0, 17, 12, 0, 0);
  t = await startTestServer(overrides, { now: () => clock, monotonic: () => clock });
  return t;
}

describe('WebSocket connects per address per second', () => {
  it('refuses the one too many before the handshake, and opens again the next second', async () => {
    const server = await start({ wsConnectsPerIpPerSecond: 3 });
    const url = `${server.wsUrl}${PATH}`;
    for (let i = 0; i < 3; i++) expect(await connect(url)).toMatchObject({ open: true });
    expect(await connect(url)).toEqual({
      open: false,
      status: 429,
      retryAfter: '1',
      body: {
        detail: 'More than 3 new connections per second from this address',
        code: 'RATE_LIMITED',
      },
    });
    expect(server.server.gateway.stats().rejected[429]).toBe(1);
    clock += 1000;
    expect(await connect(url)).toMatchObject({ open: true });
    // Open sockets are not what is limited: all four are still connected.
    expect(server.server.gateway.connectionCount()).toBe(4);
  });

  it('counts each client behind a trusted proxy on its own', async () => {
    const server = await start({ wsConnectsPerIpPerSecond: 1, trustProxy: '127.0.0.1' });
    const url = `${server.wsUrl}${PATH}`;
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    expect(await connect(url, from('203.0.113.1'))).toMatchObject({ open: true });
    expect(await connect(url, from('203.0.113.2'))).toMatchObject({ open: true });
    expect(await connect(url, from('203.0.113.1'))).toMatchObject({ open: false, status: 429 });
  });

  it('leaves loopback alone when the exemption is configured', async () => {
    const server = await start({ wsConnectsPerIpPerSecond: 1, rateLimitExemptLoopback: true });
    const url = `${server.wsUrl}${PATH}`;
    for (let i = 0; i < 5; i++) expect(await connect(url)).toMatchObject({ open: true });
  });
});
