/**
 * Device health reports against a real server and SQLite file: the `health` socket message is
 * kept (the latest wins) and shown by `GET devices/{sn}/` with the time it arrived; a malformed
 * one is answered with an error message on the socket and stores nothing.
 */
import { protocol } from '@marquee/sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ADMIN, call, login, startTestServer, type TestServer } from '../helpers/server';
import { ADMIN_API, openDevice, register, userToken, waitOnline, type RawDevice } from './helpers';

const { signage } = protocol;

let t: TestServer;
let admin: string;
let socket: RawDevice | undefined;

beforeEach(async () => {
  t = await startTestServer();
  admin = await login(t.url, ADMIN.username, ADMIN.password);
});
afterEach(async () => {
  socket?.ws.terminate();
  await t.close();
});

async function detail(sn: string): Promise<protocol.signage.DeviceDetail> {
  const res = await call(`${t.url}${ADMIN_API}/devices/${sn}/`, { token: admin });
  expect(res.status).toBe(200);
  return signage.DeviceDetail.parse(res.body);
}

const report = {
  type: 'health',
  app_version: '0.1.0',
  uptime_s: 42,
  screen_width: 1920,
  screen_height: 1080,
  storage_used_bytes: 5_000_000,
  storage_quota_bytes: 2_000_000_000,
  cache_bytes: 4_800_000,
  cached_files: 3,
  webview_version: 'Chrome/120.0.6099.224',
  unsent_plays: 0,
};

describe('health reports', () => {
  it('keeps the latest report and shows it in the admin device view', async () => {
    const token = await userToken(t, 'tv-health');
    await register(t, token, 'HEALTH-1');
    expect((await detail('HEALTH-1')).health).toBeNull();
    socket = await openDevice(t.wsUrl, token, 'HEALTH-1');
    await waitOnline(t, 'HEALTH-1');
    socket.send(report);
    await vi.waitFor(async () => {
      const { health } = await detail('HEALTH-1');
      const { type: _type, ...fields } = report;
      expect(health).toEqual({ ...fields, reported_at: expect.any(String) });
      expect(health).not.toHaveProperty('type');
      expect(Date.parse(health?.reported_at ?? '')).toBeGreaterThan(0);
    });
    socket.send({ ...report, uptime_s: 342, unsent_plays: 7, temperature_c: 48.5 });
    await vi.waitFor(async () => {
      expect((await detail('HEALTH-1')).health).toMatchObject({
        uptime_s: 342,
        unsent_plays: 7,
        temperature_c: 48.5,
      });
    });
  });

  it('answers a malformed report with an error message and keeps nothing', async () => {
    const token = await userToken(t, 'tv-health-2');
    await register(t, token, 'HEALTH-2');
    socket = await openDevice(t.wsUrl, token, 'HEALTH-2');
    await waitOnline(t, 'HEALTH-2');
    for (const bad of [
      { ...report, screen_width: 0 },
      { ...report, uptime_s: -1 },
      { ...report, app_version: '' },
      { ...report, app_version: 'v'.repeat(65) },
      { ...report, cache_bytes: 1.5 },
      { type: 'health' },
    ]) {
      socket.send(bad);
    }
    await vi.waitFor(() => expect(socket?.errors()).toHaveLength(6));
    for (const error of socket.errors()) expect(error).toMatchObject({ type: 'error' });
    expect((await detail('HEALTH-2')).health).toBeNull();
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
  });
});
