/**
 * The device conformance suite: seed 002's device behaviour (sign-in, token refresh, register,
 * playlists, downloads, `ready_playlists`, `playlist_status`, the control socket, commands and
 * their acks, commands queued while offline, expired commands) and Marquee's extensions (proof of
 * play, health reports), written once and run against every device that implements
 * `DeviceUnderTest`: the TV simulator (Node) and the web player (Chromium).
 *
 * Everything is checked where an operator would see it, identically for each device: on the wire
 * (a recording proxy between device and server) and through the admin API of a real server. The
 * device itself is asked only what it says it played, so the plays at the server can be matched
 * one for one.
 */
import { startTestServer, type TestServer } from '@marquee/server/testing';
import { createSignageAdminClient, type AdminCommand, type SignageAdminClient } from '@marquee/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { screenshotPng } from '../../../../../packages/simulators/src/tv/screenshot';
import { RecordingProxy, type ProxyEntry } from './recording-proxy';

/** What a device says it showed, oldest first. */
export interface DevicePlay {
  readonly mediaId: number;
  readonly playlistId: number;
  readonly completed: boolean;
}

export interface DeviceStart {
  /** The server as the device reaches it (the proxy). */
  readonly server: string;
  readonly username: string;
  readonly password: string;
  readonly snNumber: string;
}

/** A device the suite can run: started once, asked what it played, its clock moved, stopped. */
export interface DeviceUnderTest {
  start(how: DeviceStart): Promise<void>;
  plays(): Promise<DevicePlay[]>;
  /** Sends what the device keeps for the server now, if it does not do so by itself. */
  sendPlays(): Promise<void>;
  /** The device's wall clock runs `ms` ahead (0: right again). */
  skewClock(ms: number): Promise<void>;
  stop(): Promise<void>;
}

const WAIT = { timeout: 20_000, interval: 50 } as const;
const DEVICE = { username: 'conformance-tv', password: 'conformance-password-1' } as const;
const LOGIN = '/api/v1/auth/token/';
const REFRESH = '/api/v1/auth/token/refresh/';
const REGISTER = '/api/v1/admin/cloud/device/register/';
const PLAYLISTS = '/api/v1/admin/cloud/playlists';
const SOCKET = '/ws/cloud/tb_device/';
const PROOF_OF_PLAY = '/api/v1/cloud/proof-of-play/';

/** Runs the suite against the device `create` makes; `available` false skips it (no Chromium). */
export function describeDeviceConformance(
  name: string,
  create: () => DeviceUnderTest,
  available = true,
): void {
  describe.runIf(available)(`device conformance: ${name}`, () => {
    const sn = `CONF-${name.replace(/\W+/g, '-').toUpperCase()}`;
    /** The server's clock runs this far ahead of the machine's (token expiry). */
    let serverSkew = 0;
    let server: TestServer;
    let proxy: RecordingProxy;
    let admin: SignageAdminClient;
    let device: DeviceUnderTest;
    const media = { a: 0, b: 0, c: 0 };
    let lobby = 0;
    let other = 0;

    beforeAll(async () => {
      server = await startTestServer(
        {},
        {
          now: () => Date.now() + serverSkew,
          monotonic: () => performance.now(),
          dataDirPrefix: 'marquee-conformance-',
          validateResponses: true,
        },
      );
      await server.server.auth.createUser({ ...DEVICE, role: 'device' });
      admin = createSignageAdminClient({ baseUrl: server.url, credentials: server.admin });
      for (const [index, key] of (['a', 'b', 'c'] as const).entries()) {
        const uploaded = await admin.uploadMedia(screenshotPng(30 + index * 70, 320, 180), {
          fileName: `${key}.png`,
          contentType: 'image/png',
        });
        media[key] = uploaded.media_id;
      }
      const timing = (duration: number) => ({ start_time: 0, duration, loop: false });
      lobby = (
        await admin.createPlaylist({
          name: 'Lobby',
          width: 1920,
          height: 1080,
          media_items: [
            { media_id: media.a, timing: timing(1) },
            { media_id: media.b, timing: timing(1), n_time_play: 2 },
          ],
        })
      ).id;
      other = (
        await admin.createPlaylist({
          name: 'Other',
          width: 1920,
          height: 1080,
          media_items: [{ media_id: media.c, timing: timing(30) }],
        })
      ).id;
      // An operator registers the screen and assigns it; the device account claims it.
      const token = await server.login();
      const registered = await fetch(`${server.url}${REGISTER}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          sn_number: sn,
          brand: 'Marquee',
          model: 'Conformance',
          manufacturer: 'Marquee',
          os_version: 'any',
          screen_resolution: '1920x1080',
          total_storage: '32GB',
          free_storage: '20GB',
          app_version: '0.0.0',
        }),
      });
      expect(registered.status).toBe(201);
      await admin.setScreen(sn, 'front', {
        screen_name: 'Front Display',
        resolution: '1920x1080',
        playlist_ids: [lobby, other],
        current_playlist: lobby,
      });
      proxy = await RecordingProxy.start(server.url);
      device = create();
      await device.start({ server: proxy.url, ...DEVICE, snNumber: sn });
    }, 60_000);

    afterAll(async () => {
      await device?.stop();
      await proxy?.close();
      await server?.close();
    });

    /** Sends `action`, waits until it is acked, failed or expired, and answers its record. */
    async function command(action: AdminCommand, ttlSeconds?: number) {
      const accepted = await admin.sendCommand(sn, action, ttlSeconds ? { ttlSeconds } : {});
      const id = accepted.commands[0]?.command_id ?? '';
      return vi.waitFor(async () => {
        const record = await admin.getCommand(id);
        expect(['acked', 'failed', 'expired']).toContain(record.state);
        return record;
      }, WAIT);
    }

    const detail = () => admin.getDevice(sn);
    const indexOf = (entry: ProxyEntry | undefined) =>
      entry === undefined ? -1 : proxy.log.indexOf(entry);

    it('signs in, registers, fetches its playlists and opens its socket, in that order', async () => {
      await vi.waitFor(
        () => expect(proxy.entries(SOCKET, 'WS').map((e) => e.status)).toContain(101),
        WAIT,
      );
      const login = proxy.entries(LOGIN).find((e) => e.method === 'POST' && e.status === 200);
      const register = proxy.entries(REGISTER).find((e) => e.status === 200 || e.status === 201);
      const playlists = proxy.entries(PLAYLISTS).find((e) => e.status === 200);
      const socket = proxy.entries(SOCKET, 'WS').find((e) => e.status === 101);
      expect(indexOf(login)).toBeGreaterThanOrEqual(0);
      expect(indexOf(register)).toBeGreaterThan(indexOf(login));
      expect(indexOf(playlists)).toBeGreaterThan(indexOf(register));
      expect(playlists?.query).toBe(`?sn_number=${sn}`);
      expect(indexOf(socket)).toBeGreaterThan(indexOf(login));
      // Nothing the device asked for was refused on the way.
      expect(proxy.log.filter((e) => e.status >= 400)).toEqual([]);
      const registered = await detail();
      expect(registered).toMatchObject({ owner: DEVICE.username, online: true });
      expect(registered.app_version).not.toBe('0.0.0');
    });

    it('downloads every item, says which playlists are ready and reports each one', async () => {
      await vi.waitFor(async () => {
        const d = await detail();
        expect([...d.ready_playlists].sort((x, y) => x - y)).toEqual([lobby, other]);
        expect(d.ready_playlists_at).not.toBeNull();
      }, WAIT);
      const downloads = proxy.log.filter((e) => e.path.startsWith('/media/') && e.status < 300);
      expect(downloads.length).toBeGreaterThanOrEqual(3);
      await vi.waitFor(async () => {
        const statuses = (await detail()).playlist_statuses;
        expect(statuses.map((s) => [s.playlist_id, s.status]).sort()).toEqual(
          [
            [lobby, 'ready'],
            [other, 'ready'],
          ].sort(),
        );
      }, WAIT);
    });

    it('sends a health report with its version and screen', async () => {
      await vi.waitFor(async () => expect((await detail()).health).not.toBeNull(), WAIT);
      const { health } = await detail();
      expect(health?.app_version).toMatch(/\S/);
      expect(health?.screen_width).toBeGreaterThan(0);
      expect(health?.screen_height).toBeGreaterThan(0);
      expect(Date.parse(health?.reported_at ?? '')).toBeGreaterThan(0);
    });

    it('plays its playlist and the server holds each play it made exactly once', async () => {
      await vi.waitFor(
        async () => expect((await device.plays()).length).toBeGreaterThanOrEqual(4),
        WAIT,
      );
      expect(await command({ action: 'pause' })).toMatchObject({ state: 'acked' });
      const played = await device.plays();
      expect(played.slice(0, 3).map((p) => p.mediaId)).toEqual([media.a, media.b, media.b]);
      expect(played.every((p) => p.playlistId === lobby)).toBe(true);
      await device.sendPlays();
      await vi.waitFor(async () => {
        const stored = await admin.listPlays({ sn_number: sn, limit: 1000 });
        expect(stored.results.map((p) => [p.media_id, p.playlist_id, p.completed])).toEqual(
          played.map((p) => [p.mediaId, p.playlistId, p.completed]),
        );
        expect(new Set(stored.results.map((p) => p.id)).size).toBe(stored.count);
      }, WAIT);
      expect(proxy.entries(PROOF_OF_PLAY).every((e) => e.status === 200)).toBe(true);
      expect(await command({ action: 'play' })).toMatchObject({ state: 'acked' });
    });

    it('applies commands and acks each; one it cannot apply is acked as failed', async () => {
      expect(await command({ action: 'set_volume', volume: 30 })).toMatchObject({
        state: 'acked',
      });
      expect((await detail()).volume).toBe(30);
      expect(await command({ action: 'switch_playlist', playlist_id: other })).toMatchObject({
        state: 'acked',
      });
      expect((await detail()).current_playlist).toBe(other);
      expect(await command({ action: 'switch_playlist', playlist_id: lobby })).toMatchObject({
        state: 'acked',
      });
      const failed = await command({ action: 'play_media', media_id: 999_999 });
      expect(failed.state).toBe('failed');
      expect(failed.error).toMatch(/999999/);
      const fetched = proxy.entries(PLAYLISTS).length;
      expect(await command({ action: 'reload_playlist' })).toMatchObject({ state: 'acked' });
      expect(proxy.entries(PLAYLISTS).length).toBeGreaterThan(fetched);
    });

    it('gets a command sent while it was offline once it is back, and acks it once', async () => {
      const opened = () => proxy.entries(SOCKET, 'WS').filter((e) => e.status === 101).length;
      const sockets = opened();
      proxy.down();
      await vi.waitFor(async () => expect((await detail()).online).toBe(false), WAIT);
      const accepted = await admin.sendCommand(sn, { action: 'set_volume', volume: 40 });
      const id = accepted.commands[0]?.command_id ?? '';
      expect((await admin.getCommand(id)).state).toBe('queued');
      proxy.up();
      await vi.waitFor(async () => expect((await admin.getCommand(id)).state).toBe('acked'), {
        ...WAIT,
        timeout: 60_000,
      });
      expect((await detail()).volume).toBe(40);
      // On a socket of its own: the old one went with the network.
      expect(opened()).toBeGreaterThan(sockets);
    }, 90_000);

    it('acks a command that reached it after its expiry as expired, without applying it', async () => {
      await device.skewClock(3_600_000);
      try {
        expect(await command({ action: 'set_volume', volume: 80 }, 60)).toMatchObject({
          state: 'expired',
        });
        expect((await detail()).volume).toBe(40);
      } finally {
        await device.skewClock(0);
      }
    });

    it('refreshes an access token the server holds expired, and retries the request', async () => {
      const before = proxy.log.length;
      // Past the access token's hour on the server's clock; the refresh token still holds.
      serverSkew = 2 * 3_600_000;
      expect(await command({ action: 'reload_playlist' })).toMatchObject({ state: 'acked' });
      await vi.waitFor(() => {
        const since = proxy.log.slice(before);
        const refused = since.findIndex((e) => e.status === 401);
        const refreshed = since.findIndex((e) => e.path === REFRESH && e.status === 200);
        expect(refused).toBeGreaterThanOrEqual(0);
        expect(refreshed).toBeGreaterThan(refused);
        const retried = since.slice(refreshed).find((e) => e.path === PLAYLISTS);
        expect(retried?.status).toBe(200);
      }, WAIT);
      // It signed in again with its refresh token, not its password.
      expect(proxy.log.slice(before).filter((e) => e.path === LOGIN)).toEqual([]);
    });
  });
}
