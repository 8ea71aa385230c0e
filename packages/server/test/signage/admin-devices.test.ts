/**
 * The fleet admin device list and device removal against a real server and SQLite file: totals
 * and pages in sn_number order, the online filter from live sockets, search, the pending command
 * counts of a page from one grouped query, 400s for bad query values, and `DELETE devices/{sn}/`
 * closing the live socket with DEVICE_REMOVED and deleting screens, reports, commands and
 * screenshots (files too) while the device's user account stays and it can register again.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createSignageAdminClient, MarqueeError, protocol } from '@marquee/sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ADMIN, call, login, startTestServer, type TestServer } from '../helpers/server';
import {
  ADMIN_API,
  createPlaylist,
  deviceBody,
  jpegBytes,
  mp4Bytes,
  openDevice,
  postMultipart,
  putScreen,
  refusedStatus,
  register,
  sendCommand,
  uploadMedia,
  userToken,
  waitOnline,
  type RawDevice,
} from './helpers';

const { signage, CloseCodes } = protocol;

let t: TestServer;
let admin: string;
const sockets: RawDevice[] = [];

beforeEach(async () => {
  t = await startTestServer();
  admin = await login(t.url, ADMIN.username, ADMIN.password);
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await t.close();
});

async function connect(token: string, sn: string): Promise<RawDevice> {
  const socket = await openDevice(t.wsUrl, token, sn, { acks: true });
  sockets.push(socket);
  await waitOnline(t, sn);
  return socket;
}

/** `GET devices/?<query>` as the admin, parsed; throws on anything but 200. */
async function list(query = ''): Promise<protocol.signage.DeviceList> {
  const res = await call(`${t.url}${ADMIN_API}/devices/${query}`, { token: admin });
  if (res.status !== 200) throw new Error(`list failed: ${res.status} ${JSON.stringify(res.body)}`);
  return signage.DeviceList.parse(res.body);
}

const sns = (page: protocol.signage.DeviceList) => page.results.map((d) => d.sn_number);

describe('GET devices/', () => {
  beforeEach(async () => {
    // Registered out of order; the list is by sn_number.
    for (const sn of ['SN-03', 'SN-01', 'SN-05', 'SN-02', 'SN-04']) await register(t, admin, sn);
  });

  it('pages in sn_number order with count the total, and every device without limit', async () => {
    expect(await list()).toMatchObject({
      count: 5,
      results: ['SN-01', 'SN-02', 'SN-03', 'SN-04', 'SN-05'].map((sn_number) => ({ sn_number })),
    });
    const page = await list('?limit=2&offset=1');
    expect(page.count).toBe(5);
    expect(sns(page)).toEqual(['SN-02', 'SN-03']);
    expect(sns(await list('?limit=2&offset=4'))).toEqual(['SN-05']);
    expect(await list('?offset=3')).toMatchObject({ count: 5, results: [{}, {}] });
    expect(await list('?limit=10&offset=50')).toEqual({ count: 5, results: [] });
    expect((await list('?limit=1000')).results).toHaveLength(5);
  });

  it("counts a page's pending commands with one grouped store query", async () => {
    await sendCommand(t, admin, 'SN-02', { action: 'play' });
    await sendCommand(t, admin, 'SN-02', { action: 'pause' });
    await sendCommand(t, admin, 'SN-03', { action: 'next' });
    await sendCommand(t, admin, 'SN-05', { action: 'next' });
    const grouped = vi.spyOn(t.server.signage.store.commands, 'countQueuedFor');
    const page = await list('?limit=3&offset=1');
    expect(page.results.map((d) => [d.sn_number, d.pending_command_count])).toEqual([
      ['SN-02', 2],
      ['SN-03', 1],
      ['SN-04', 0],
    ]);
    expect(grouped).toHaveBeenCalledTimes(1);
    expect(grouped).toHaveBeenCalledWith(['SN-02', 'SN-03', 'SN-04']);
  });

  it('filters by online from the live sockets, with search and paging on top', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-04');
    await register(t, token, 'SN-02');
    await connect(token, 'SN-04');
    await connect(token, 'SN-02');

    const onlineOnes = await list('?online=true');
    expect(onlineOnes.count).toBe(2);
    expect(onlineOnes.results.map((d) => [d.sn_number, d.online, d.owner])).toEqual([
      ['SN-02', true, 'tv-1'],
      ['SN-04', true, 'tv-1'],
    ]);
    expect(await list('?online=true&limit=1&offset=1')).toMatchObject({
      count: 2,
      results: [{ sn_number: 'SN-04' }],
    });
    const offline = await list('?online=false&limit=2');
    expect(offline.count).toBe(3);
    expect(sns(offline)).toEqual(['SN-01', 'SN-03']);
    expect(offline.results.every((d) => !d.online)).toBe(true);
    expect(sns(await list('?online=true&search=sn-04'))).toEqual(['SN-04']);
    expect(await list('?online=false&search=04')).toEqual({ count: 0, results: [] });

    sockets[0]?.ws.close();
    await vi.waitFor(() => expect(t.server.signage.connections.isOnline('SN-04')).toBe(false));
    expect(sns(await list('?online=true'))).toEqual(['SN-02']);
    expect((await list('?online=false')).count).toBe(4);
  });

  it('says what each device plays now, how far it is, and its newest screenshot', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-02');
    await register(t, token, 'SN-03');
    await register(t, token, 'SN-04');
    const media = await uploadMedia(t, admin, 'a.mp4', mp4Bytes(), 'video/mp4');
    const playlists = [];
    for (const name of ['One', 'Two', 'Three']) {
      playlists.push(
        await createPlaylist(t, admin, {
          name,
          width: 1920,
          height: 1080,
          media_items: [{ media_id: media.media_id }],
        }),
      );
    }
    const [one, two, three] = playlists.map((p) => p.id) as [number, number, number];
    const screen = { screen_name: 'Front', resolution: '1920x1080' };
    await putScreen(t, admin, 'SN-02', 'front', { ...screen, playlist_ids: [one] });
    await putScreen(t, admin, 'SN-03', 'front', { ...screen, playlist_ids: [two] });
    await putScreen(t, admin, 'SN-04', 'front', { ...screen, playlist_ids: [three] });
    const sn2 = await connect(token, 'SN-02');
    const sn3 = await connect(token, 'SN-03');
    const sn4 = await connect(token, 'SN-04');
    sn2.send({
      type: 'playlist_status',
      playlist_id: one,
      status: 'partial',
      total_items: 2,
      downloaded_items: 1,
      missing_files: ['x'],
    });
    sn3.send({ type: 'playlist_status', playlist_id: two, status: 'failed', error: 'disk full' });
    sn4.send({ type: 'ready_playlists', playlist_ids: [three] });
    const shot = await postMultipart(
      `${t.url}/api/v1/screenshot`,
      token,
      { device_id: 'SN-02', media_id: String(media.media_id) },
      { field: 'image_file', name: 'screen.jpg', type: 'image/jpeg', bytes: jpegBytes(500, 1) },
    );
    expect(shot.status).toBe(200);
    const columns = async () =>
      (await list()).results.map((d) => [
        d.sn_number,
        d.current_playlist,
        d.current_playlist_status,
        d.last_screenshot?.url.startsWith(`${ADMIN_API}/screenshots/`) ?? null,
        d.free_storage,
        d.app_version,
      ]);
    await vi.waitFor(async () =>
      expect(await columns()).toEqual([
        ['SN-01', null, null, null, '20GB', '1.0.0'],
        ['SN-02', one, 'partial', true, '20GB', '1.0.0'],
        ['SN-03', two, 'failed', null, '20GB', '1.0.0'],
        ['SN-04', three, 'ready', null, '20GB', '1.0.0'],
        ['SN-05', null, null, null, '20GB', '1.0.0'],
      ]),
    );
    // The detail says the same.
    const detail = await call(`${t.url}${ADMIN_API}/devices/SN-02/`, { token: admin });
    expect(detail.body).toMatchObject({
      current_playlist: one,
      current_playlist_status: 'partial',
    });
  });

  it('searches sn_number, brand and model, in any case', async () => {
    const lobby = await call(`${t.url}/api/v1/admin/cloud/device/register/`, {
      token: admin,
      body: deviceBody('LOBBY-7', { brand: 'LG', model: 'WebOS Signage' }),
    });
    expect(lobby.status).toBe(201);
    expect(await list('?search=lobby')).toMatchObject({
      count: 1,
      results: [{ sn_number: 'LOBBY-7' }],
    });
    expect(sns(await list('?search=webos%20SIGN'))).toEqual(['LOBBY-7']);
    expect(sns(await list('?search=lg'))).toEqual(['LOBBY-7']);
    const galaxy = await list('?search=GALAXY&limit=2&offset=2');
    expect(galaxy.count).toBe(5);
    expect(sns(galaxy)).toEqual(['SN-03', 'SN-04']);
    expect(sns(await list('?search=sn-0'))).toHaveLength(5);
    expect(await list('?search=nothing-like-it')).toEqual({ count: 0, results: [] });
    expect((await list('?search=')).count).toBe(6);
  });

  it.each([
    'limit=0',
    'limit=1001',
    'limit=ten',
    'limit=1.5',
    'offset=-1',
    'online=maybe',
    `search=${'x'.repeat(256)}`,
  ])('answers 400 in the seed shape for ?%s', async (query) => {
    const res = await call(`${t.url}${ADMIN_API}/devices/?${query}`, { token: admin });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status_code: 400, message: expect.any(String) });
  });

  it('is for admins only', async () => {
    const user = await userToken(t, 'tv-1');
    const forbidden = await call(`${t.url}${ADMIN_API}/devices/?limit=1`, { token: user });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ status_code: 403 });
    expect((await call(`${t.url}${ADMIN_API}/devices/?limit=1`)).status).toBe(401);
  });
});

describe('DELETE devices/{sn}/', () => {
  const url = (sn: string) => `${t.url}${ADMIN_API}/devices/${sn}/`;
  const remove = (sn: string, token: string | null = admin) =>
    call(url(sn), { method: 'DELETE', ...(token === null ? {} : { token }) });

  /** SN-1 online with a screen, a report, a queued and a sent command and two screenshots. */
  async function busyDevice() {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    await register(t, token, 'SN-2');
    await putScreen(t, admin, 'SN-1', 'front', { screen_name: 'Front', resolution: '1920x1080' });
    const queued = await sendCommand(t, admin, 'SN-1', { action: 'play' });
    for (const [i, sn] of ['SN-1', 'SN-1', 'SN-2'].entries()) {
      const shot = await postMultipart(
        `${t.url}/api/v1/screenshot`,
        token,
        { device_id: sn, media_id: String(1000 + i) },
        { field: 'image_file', name: 'screen.jpg', type: 'image/jpeg', bytes: jpegBytes(500, i) },
      );
      expect(shot.status).toBe(200);
    }
    const socket = await connect(token, 'SN-1');
    // The queued command and the screen's reload_playlist arrive; neither is acknowledged.
    await vi.waitFor(() => expect(socket.actions()).toHaveLength(2));
    socket.send({ type: 'playlist_status', playlist_id: 101, status: 'ready' });
    const store = t.server.signage.store;
    await vi.waitFor(async () => expect(await store.reports.listForDevice('SN-1')).toHaveLength(1));
    const later = await sendCommand(t, admin, 'SN-1', { action: 'pause' }, 3600);
    await vi.waitFor(() => expect(socket.actions()).toHaveLength(3));
    const [shot] = (await store.screenshots.listForDevice('SN-1', 1)).map((s) => s.id);
    return { token, socket, commandIds: [queued, later], screenshotId: shot ?? 0 };
  }

  it('closes the live socket with DEVICE_REMOVED and deletes everything the device had', async () => {
    const { token, socket, commandIds, screenshotId } = await busyDevice();
    const shotsDir = join(t.dataDir, 'signage', 'screenshots');
    expect(readdirSync(join(shotsDir, 'SN-1'))).toHaveLength(2);

    const res = await remove('SN-1');
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expect(await socket.closed).toBe(CloseCodes.DEVICE_REMOVED);
    expect(t.server.signage.connections.isOnline('SN-1')).toBe(false);

    // Files and rows.
    expect(existsSync(join(shotsDir, 'SN-1'))).toBe(false);
    expect(readdirSync(join(shotsDir, 'SN-2'))).toHaveLength(1);
    const store = t.server.signage.store;
    expect(await store.screens.listForDevice('SN-1')).toEqual([]);
    expect(await store.reports.listForDevice('SN-1')).toEqual([]);
    expect(await store.screenshots.find(screenshotId)).toBeUndefined();
    for (const id of commandIds) {
      expect((await call(`${t.url}${ADMIN_API}/commands/${id}/`, { token: admin })).status).toBe(
        404,
      );
    }
    const shotView = await call(`${t.url}${ADMIN_API}/screenshots/${screenshotId}/`, {
      token: admin,
    });
    expect(shotView.status).toBe(404);

    // The device is gone from the admin API; the other device and the account are not.
    const gone = await call(url('SN-1'), { token: admin });
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ status_code: 404, message: 'Device SN-1 not found' });
    expect(sns(await list())).toEqual(['SN-2']);
    expect(await store.screenshots.listForDevice('SN-2', 10)).toHaveLength(1);
    expect(await t.server.store.users.findByUsername('tv-1')).toMatchObject({ username: 'tv-1' });
    expect(await refusedStatus(t.wsUrl, token, 'SN-1')).toBe(404);

    const again = await remove('SN-1');
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ status_code: 404, message: 'Device SN-1 not found' });
  });

  it('lets the serial number register again as a fresh device', async () => {
    const { token } = await busyDevice();
    expect((await remove('SN-1')).status).toBe(204);

    expect(await register(t, token, 'SN-1')).toBe(201);
    const fresh = signage.DeviceDetail.parse((await call(url('SN-1'), { token: admin })).body);
    expect(fresh).toMatchObject({
      owner: 'tv-1',
      online: false,
      last_seen: null,
      pending_command_count: 0,
      pending_commands: [],
      playlist_statuses: [],
      front_screen: null,
      last_screenshot: null,
      current_playlist: null,
      ready_playlists: [],
    });
    const socket = await connect(token, 'SN-1');
    const id = await sendCommand(t, admin, 'SN-1', { action: 'next' });
    await vi.waitFor(() =>
      expect(socket.actions()).toEqual([
        { action: 'next', command_id: id, expires_at: expect.any(String) },
      ]),
    );
  });

  it('deletes an offline device and answers 404 for an unknown one', async () => {
    await register(t, admin, 'SN-OFF');
    await sendCommand(t, admin, 'SN-OFF', { action: 'play' });
    expect((await remove('SN-OFF')).status).toBe(204);
    expect(await list()).toEqual({ count: 0, results: [] });
    const unknown = await remove('SN-404');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ status_code: 404, message: 'Device SN-404 not found' });
  });

  it('takes the longest serial number the protocol allows in the path', async () => {
    const sn = `SN-${'9'.repeat(252)}`;
    await register(t, admin, sn);
    const detail = await call(`${t.url}${ADMIN_API}/devices/${sn}/`, { token: admin });
    expect(detail.status).toBe(200);
    expect((await remove(sn)).status).toBe(204);
  });

  it('is for admins only: 401 without a token, 403 for a user (even the owner)', async () => {
    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    const anonymous = await remove('SN-1', null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ status_code: 401 });
    const owner = await remove('SN-1', token);
    expect(owner.status).toBe(403);
    expect(owner.body).toMatchObject({ status_code: 403 });
    expect(await t.server.signage.store.devices.find('SN-1')).toBeDefined();
  });
});

describe('the SDK admin client against the server', () => {
  it('lists with the query options and deletes a device', async () => {
    for (const sn of ['B-2', 'A-1', 'C-3']) await register(t, admin, sn);
    const client = createSignageAdminClient({ baseUrl: t.url, credentials: ADMIN });
    const page = await client.listDevices({ search: 'c-', limit: 1 });
    expect(page).toMatchObject({ count: 1, results: [{ sn_number: 'C-3' }] });
    expect(sns(await client.listDevices({ online: false, limit: 2, offset: 1 }))).toEqual([
      'B-2',
      'C-3',
    ]);
    await expect(client.listDevices({ online: true })).resolves.toEqual({ count: 0, results: [] });
    await expect(client.deleteDevice('B-2')).resolves.toBeUndefined();
    expect(sns(await client.listDevices())).toEqual(['A-1', 'C-3']);
    const failure = await client.deleteDevice('B-2').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MarqueeError);
    expect(failure).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    await expect(client.listDevices({ limit: 5000 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      status: 400,
    });
  });
});
