/**
 * THE restart test (issue 4 §5): commands queued for an offline device survive the server being
 * killed with SIGKILL (no graceful shutdown, no WAL checkpoint). The real CLI runs as a child
 * process from source; after a restart on the same data directory the device connects and
 * receives every queued command exactly once, in order, and nothing it had already received.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { call } from '../helpers/server';
import { deviceBody, openDevice, sendCommand, type RawDevice } from './helpers';
import {
  adminToken as token,
  killServerChild,
  startServerChild,
  type ServerChild,
} from './server-child';

const dataDir = mkdtempSync(join(tmpdir(), 'marquee-restart-'));
const servers: ServerChild[] = [];
const sockets: RawDevice[] = [];

afterAll(async () => {
  for (const socket of sockets) socket.ws.terminate();
  for (const server of servers) await killServerChild(server);
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<ServerChild> {
  const server = await startServerChild(dataDir);
  servers.push(server);
  return server;
}

const kill = (server: ServerChild) => killServerChild(server);

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

    await kill(first);

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
    await kill(second);
  }, 120_000);
});
