/**
 * Signage bounds against a real server: a device keeps its newest screenshots (rows and files),
 * and pending commands per device are capped (429 for one device, a broadcast skips and names
 * the full ones).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { protocol } from '@marquee/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/server';
import {
  ADMIN_API,
  jpegBytes,
  openDevice,
  postMultipart,
  register,
  sendCommand,
  userToken,
} from './helpers';

const { signage } = protocol;

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function screenshot(server: TestServer, token: string, sn: string, mediaId: number) {
  const res = await postMultipart(
    `${server.url}/api/v1/screenshot`,
    token,
    { device_id: sn, media_id: String(mediaId) },
    {
      field: 'image_file',
      name: 'screen.jpg',
      type: 'image/jpeg',
      bytes: jpegBytes(1000, mediaId),
    },
  );
  expect(res.status).toBe(200);
}

describe('screenshots kept per device', () => {
  it('keeps the newest MARQUEE_MAX_SCREENSHOTS_PER_DEVICE rows and files of each device', async () => {
    const server = (t = await startTestServer({ maxScreenshotsPerDevice: 3 }));
    const admin = await server.login();
    const token = await userToken(server, 'tv-1');
    await register(server, token, 'SN-1');
    await register(server, token, 'SN-2');
    await screenshot(server, token, 'SN-2', 900);
    const list = async (sn: string) =>
      signage.ScreenshotList.parse(
        (await call(`${server.url}${ADMIN_API}/devices/${sn}/screenshots/`, { token: admin })).body,
      ).results;

    await screenshot(server, token, 'SN-1', 1);
    const [oldest] = await list('SN-1');
    for (let media = 2; media <= 5; media++) await screenshot(server, token, 'SN-1', media);

    expect((await list('SN-1')).map((s) => s.media_id)).toEqual([5, 4, 3]);
    const folder = join(server.dataDir, 'signage', 'screenshots');
    expect(readdirSync(join(folder, 'SN-1'))).toHaveLength(3);
    const gone = await call(`${server.url}${oldest?.url ?? ''}`, { token: admin });
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ status_code: 404 });
    // Another device's screenshots are its own.
    expect((await list('SN-2')).map((s) => s.media_id)).toEqual([900]);
    expect(readdirSync(join(folder, 'SN-2'))).toHaveLength(1);
  });
});

describe('pending commands per device', () => {
  it('answers 429 past MARQUEE_MAX_PENDING_COMMANDS_PER_DEVICE for an offline device, storing nothing', async () => {
    const server = (t = await startTestServer({ maxPendingCommandsPerDevice: 2 }));
    const admin = await server.login();
    const token = await userToken(server, 'tv-1');
    await register(server, token, 'SN-1');
    await sendCommand(server, admin, 'SN-1', { action: 'play' });
    await sendCommand(server, admin, 'SN-1', { action: 'pause' });
    const url = `${server.url}${ADMIN_API}/devices/SN-1/commands/`;
    const refused = await call(url, { token: admin, body: { command: { action: 'next' } } });
    expect(refused.status).toBe(429);
    expect(signage.SignageError.parse(refused.body)).toMatchObject({
      status_code: 429,
      code: 'RATE_LIMITED',
      message: expect.stringContaining('MARQUEE_MAX_PENDING_COMMANDS_PER_DEVICE'),
    });
    const listed = signage.CommandList.parse((await call(url, { token: admin })).body);
    expect(listed.results.map((c) => c.command.action)).toEqual(['pause', 'play']);

    // The device connects: its queue drains and it takes commands again.
    const device = await openDevice(server.wsUrl, token, 'SN-1');
    await vi.waitFor(() =>
      expect(device.actions().map((a) => a.action)).toEqual(['play', 'pause']),
    );
    for (const action of ['next', 'previous', 'play'] as const) {
      await sendCommand(server, admin, 'SN-1', { action });
    }
    await vi.waitFor(() => expect(device.actions()).toHaveLength(5));
    device.ws.close();
  });

  it('an expired command frees its place', async () => {
    let clock = Date.UTC(2026, 0, 17, 12);
    const server = (t = await startTestServer(
      { maxPendingCommandsPerDevice: 1 },
      { now: () => clock },
    ));
    const admin = await server.login();
    await register(server, await userToken(server, 'tv-1'), 'SN-1');
    await sendCommand(server, admin, 'SN-1', { action: 'play' }, 60);
    const url = `${server.url}${ADMIN_API}/devices/SN-1/commands/`;
    const body = { command: { action: 'pause' } };
    expect((await call(url, { token: admin, body })).status).toBe(429);
    clock += 61_000;
    expect((await call(url, { token: admin, body })).status).toBe(202);
  });

  it('a broadcast skips and names the devices whose queue is full, and sends to the rest', async () => {
    const server = (t = await startTestServer({ maxPendingCommandsPerDevice: 1 }));
    const admin = await server.login();
    const token = await userToken(server, 'tv-1');
    for (const sn of ['SN-1', 'SN-2', 'SN-3']) await register(server, token, sn);
    await sendCommand(server, admin, 'SN-2', { action: 'play' });
    const res = await call(`${server.url}${ADMIN_API}/commands/`, {
      token: admin,
      body: { command: { action: 'next' }, sn_numbers: ['SN-1', 'SN-2', 'SN-3'] },
    });
    expect(res.status).toBe(202);
    const answer = signage.BroadcastAccepted.parse(res.body);
    expect(answer.commands.map((c) => [c.sn_number, c.state])).toEqual([
      ['SN-1', 'queued'],
      ['SN-3', 'queued'],
    ]);
    expect(answer.skipped).toEqual([{ sn_number: 'SN-2', reason: 'queue_full' }]);
    const all = await call(`${server.url}${ADMIN_API}/commands/`, {
      token: admin,
      body: { command: { action: 'next' }, sn_numbers: 'all' },
    });
    expect(signage.BroadcastAccepted.parse(all.body)).toMatchObject({
      commands: [],
      skipped: ['SN-1', 'SN-2', 'SN-3'].map((sn) => ({ sn_number: sn, reason: 'queue_full' })),
    });
  });
});
