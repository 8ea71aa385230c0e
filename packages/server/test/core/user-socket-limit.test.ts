/**
 * MARQUEE_MAX_CONNECTIONS_PER_USER against a real server: one account's sockets on every
 * channel together are capped, the refusal is 429 + Retry-After before the handshake in the
 * channel's error shape, and what is not an account's (anonymous dashboards, signage devices,
 * another display token) is not counted.
 */
import { protocol } from '@marquee/sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type WebSocket from 'ws';
import { login, startTestServer, type TestServer } from '../helpers/server';
import { terminateUpgrades, tryUpgrade, type UpgradeOutcome } from '../helpers/upgrade';
import { openDevice, register, userToken } from '../signage/helpers';

let t: TestServer;

beforeEach(async () => {
  t = await startTestServer({ maxConnectionsPerUser: 2 });
});
afterEach(async () => {
  terminateUpgrades();
  await t.close();
});

const connect = (path: string): Promise<UpgradeOutcome> => tryUpgrade(`${t.wsUrl}${path}`);

async function opened(path: string): Promise<WebSocket> {
  const outcome = await connect(path);
  if (!outcome.open) throw new Error(`refused: ${JSON.stringify(outcome)}`);
  return outcome.socket;
}

const dashboard = (token: string) => `/api/dashboard/ws?token=${encodeURIComponent(token)}`;

describe('WebSocket connections per user', () => {
  it('caps one account on every channel together with 429 + Retry-After in the channel shape', async () => {
    await t.server.auth.createUser({
      username: 'ann',
      password: 'viewer-password',
      role: 'viewer',
    });
    const ann = await login(t.url, 'ann', 'viewer-password');
    const first = await opened(dashboard(ann));
    await opened(`/api/gpu/ws?token=${encodeURIComponent(ann)}`);

    const refused = await connect(dashboard(ann));
    expect(refused).toMatchObject({ status: 429, retryAfter: expect.stringMatching(/^\d+$/) });
    expect(protocol.nowPlaying.NowPlayingError.parse((refused as { body: unknown }).body)).toEqual({
      detail: 'Too many connections for this account',
      code: 'RATE_LIMITED',
    });
    const gpu = await connect(`/api/gpu/ws?token=${encodeURIComponent(ann)}`);
    expect(gpu).toMatchObject({ status: 429 });

    // Closing one frees its place.
    first.close();
    await vi.waitFor(() => opened(dashboard(ann)));
  });

  it('does not count anonymous dashboards, signage devices or another display token', async () => {
    const ann = await userToken(t, 'ann');
    await opened(dashboard(ann));
    await opened(dashboard(ann));
    // Seed 000's open LAN dashboard: no account, no count.
    for (let i = 0; i < 3; i++) await opened('/api/dashboard/ws');
    // Devices hold one socket each, whatever account registered them.
    // (closed with the server)
    for (const sn of ['SN-1', 'SN-2', 'SN-3']) {
      await register(t, ann, sn);
      await openDevice(t.wsUrl, ann, sn);
    }
    const admin = await t.login();
    const display = await t.server.auth.createDisplayToken({
      name: 'hall',
      scopes: ['now-playing'],
      createdBy: 1,
    });
    await opened(dashboard(display.token));
    await opened(dashboard(display.token));
    expect(await connect(dashboard(display.token))).toMatchObject({ status: 429 });
    await opened(dashboard(admin));
  });
});
