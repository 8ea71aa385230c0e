/**
 * The SDK's device client (`@marquee/sdk/device`) and admin client against the real server: seed
 * 002's startup flow with real files, reload after a screen assignment, every action delivered
 * and acknowledged, a refused command recorded as failed, commands queued for an offline device
 * arriving once and in order, a download resumed with Range after an interruption and a corrupted
 * one fetched again, screenshots, and an offline start from the cache once the server is gone.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSignageAdminClient,
  type MarqueeError,
  protocol,
  type SignageAdminClient,
} from '@marquee/sdk';
import {
  createDeviceClient,
  type DeviceClient,
  type DeviceClientOptions,
  type ServerAction,
} from '@marquee/sdk/device';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ADMIN, startTestServer, type TestServer } from '../helpers/server';
import { deviceBody, jpegBytes, mp4Bytes } from './helpers';

type CommandState = protocol.signage.CommandState;

const DEVICE_USER = { username: 'tv-lobby', password: 'device-password-1' } as const;
const SN = 'LOBBY-TV-1';
const WAIT = { timeout: 15_000, interval: 10 } as const;

let t: TestServer;
let admin: SignageAdminClient;
const cleanups: (() => void)[] = [];

beforeEach(async () => {
  t = await startTestServer();
  admin = createSignageAdminClient({ baseUrl: t.url, credentials: ADMIN });
  await t.server.auth.createUser({ ...DEVICE_USER, role: 'device' });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  await t.close();
});

function cacheDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'marquee-device-e2e-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function device(options: Partial<DeviceClientOptions> & { cacheDir: string }): DeviceClient {
  const client = createDeviceClient({
    baseUrl: t.url,
    credentials: DEVICE_USER,
    device: deviceBody(SN),
    network: false,
    backoff: { initialMs: 5, maxMs: 50 },
    retryBackoff: { initialMs: 5, maxMs: 50 },
    downloadRetryDelayMs: 1,
    ...options,
  });
  cleanups.push(() => client.close());
  return client;
}

async function online(client: DeviceClient): Promise<void> {
  await client.start();
  await vi.waitFor(() => expect(client.state).toBe('online'), WAIT);
  await vi.waitFor(() => expect(t.server.signage.connections.isOnline(SN)).toBe(true), WAIT);
}

/** Two media files (a JPEG and an "MP4") in one playlist, and a second playlist. */
async function library() {
  const logoBytes = jpegBytes(6000, 1);
  const videoBytes = mp4Bytes(96_000);
  const logo = await admin.uploadMedia(logoBytes, {
    fileName: 'logo1.jpg',
    contentType: 'image/jpeg',
  });
  const video = await admin.uploadMedia(videoBytes, {
    fileName: 'ad_video.mp4',
    contentType: 'video/mp4',
  });
  const promo = await admin.uploadMedia(jpegBytes(3000, 9), {
    fileName: 'promo.jpg',
    contentType: 'image/jpeg',
  });
  const morning = await admin.createPlaylist({
    name: 'Morning Ads',
    width: 1920,
    height: 1080,
    media_items: [{ media_id: logo.media_id }, { media_id: video.media_id }],
  });
  const evening = await admin.createPlaylist({
    name: 'Evening',
    width: 1920,
    height: 1080,
    media_items: [{ media_id: promo.media_id }],
  });
  return { logo, video, promo, logoBytes, videoBytes, morning, evening };
}

/** Registers the device with its own account (as its first start would) and assigns a screen. */
async function assign(playlistIds: number[]): Promise<void> {
  const login = await fetch(`${t.url}/api/v1/auth/token/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEVICE_USER),
  });
  const { access } = (await login.json()) as { access: string };
  const register = await fetch(`${t.url}/api/v1/admin/cloud/device/register/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${access}` },
    body: JSON.stringify(deviceBody(SN)),
  });
  expect(register.status).toBe(201);
  await admin.setScreen(SN, 'front', {
    screen_name: 'Front Display',
    resolution: '1920x1080',
    playlist_ids: playlistIds,
  });
}

async function waitForCommand(commandId: string, state: CommandState) {
  return vi.waitFor(async () => {
    const record = await admin.getCommand(commandId);
    expect(record.state).toBe(state);
    return record;
  }, WAIT);
}

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

interface Seen {
  readonly url: string;
  readonly range: string | undefined;
  readonly ifRange: string | undefined;
  readonly status: number;
}

/**
 * A fetch that misbehaves once per rule (keyed by media name), in front of the real server: `cut`
 * ends the body with a network error after `bytes`, `corrupt` flips the first byte. Media
 * requests are recorded.
 */
function faultyFetch(rules: Map<string, { fault: 'cut' | 'corrupt'; bytes?: number }>) {
  const seen: Seen[] = [];
  const impl: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const response = await fetch(input, init);
    const path = new URL(url).pathname;
    if (!path.startsWith('/media/')) return response;
    const headers = new Headers(init?.headers);
    seen.push({
      url: path,
      range: headers.get('range') ?? undefined,
      ifRange: headers.get('if-range') ?? undefined,
      status: response.status,
    });
    // Library files are served as `/media/{type}s/{media_id}_{name}`.
    const name = [...rules.keys()].find((key) => path.endsWith(`_${key}`));
    const rule = name === undefined ? undefined : rules.get(name);
    if (name === undefined || !rule || !response.body) return response;
    rules.delete(name);
    if (rule.fault === 'corrupt') {
      const bytes = new Uint8Array(await response.arrayBuffer());
      bytes[0] = (bytes[0] ?? 0) ^ 0xff;
      return new Response(bytes, { status: response.status, headers: response.headers });
    }
    return new Response(cutAfter(response.body, rule.bytes ?? 0), {
      status: response.status,
      headers: response.headers,
    });
  };
  return { impl, seen };
}

function cutAfter(body: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Erroring discards what is still queued, so the cut comes one pull after the last bytes.
      if (sent >= limit) {
        await reader.cancel();
        controller.error(new TypeError('terminated: other side closed'));
        return;
      }
      const { done, value } = await reader.read();
      if (done) return controller.close();
      const chunk = value.subarray(0, limit - sent);
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

describe('the SDK device client against the real server', () => {
  it("runs seed 002's startup flow: downloads, statuses and ready playlists reach the server", async () => {
    const { logo, video, logoBytes, videoBytes, morning } = await library();
    await assign([morning.id]);
    const dir = cacheDir();
    const client = device({ cacheDir: dir });
    await online(client);

    await vi.waitFor(async () => {
      const detail = await admin.getDevice(SN);
      expect(detail.online).toBe(true);
      expect(detail.ready_playlists).toEqual([morning.id]);
      expect(detail.playlist_statuses).toEqual([
        expect.objectContaining({
          playlist_id: morning.id,
          status: 'ready',
          total_items: 2,
          downloaded_items: 2,
        }),
      ]);
    }, WAIT);
    expect(readFileSync(join(dir, `${logo.media_id}_logo1.jpg`))).toEqual(logoBytes);
    expect(md5(readFileSync(join(dir, `${video.media_id}_ad_video.mp4`)))).toBe(video.checksum);
    expect(videoBytes).toHaveLength(video.file_size);
    expect(client.readyPlaylists).toEqual([morning.id]);
    expect(client.currentPlaylist?.id).toBe(morning.id);

    // The screen was assigned while the device was offline: the queued reload arrives and is acked.
    const commands = await vi.waitFor(async () => {
      const list = await admin.listCommands(SN);
      expect(list.results.map((c) => [c.command.action, c.state])).toEqual([
        ['reload_playlist', 'acked'],
      ]);
      return list;
    }, WAIT);
    expect(commands.count).toBe(1);
  });

  it('reloads when an admin assigns a screen to the running device', async () => {
    const { morning } = await library();
    const client = device({ cacheDir: cacheDir() });
    const reloads: ServerAction[] = [];
    client.on('reload_playlist', (action) => reloads.push(action));
    await online(client);
    expect(client.screens?.front_screen).toBeNull();
    expect(client.readyPlaylists).toEqual([]);

    await admin.setScreen(SN, 'front', {
      screen_name: 'Front Display',
      resolution: '1920x1080',
      playlist_ids: [morning.id],
    });
    await vi.waitFor(() => expect(client.readyPlaylists).toEqual([morning.id]), WAIT);
    expect(reloads).toHaveLength(1);
    const commandId = reloads[0]?.command_id ?? '';
    await waitForCommand(commandId, 'acked');
    await vi.waitFor(
      async () => expect((await admin.getDevice(SN)).ready_playlists).toEqual([morning.id]),
      WAIT,
    );
  });

  it('receives each of the 11 actions as its typed event and acknowledges it', async () => {
    const { morning, evening } = await library();
    await assign([morning.id, evening.id]);
    const client = device({ cacheDir: cacheDir() });
    const seen: string[] = [];
    const names = [
      'play',
      'pause',
      'next',
      'previous',
      'reload_playlist',
      'switch_playlist',
      'play_media',
      'show_text_overlay',
      'hide_text_overlay',
      'set_brightness',
      'set_volume',
    ] as const;
    for (const name of names) client.on(name, (action: ServerAction) => seen.push(action.action));
    await online(client);
    const queued = await admin.listCommands(SN);
    for (const command of queued.results) await waitForCommand(command.command_id, 'acked');

    const actions: protocol.signage.CommandRequest['command'][] = [
      { action: 'play' },
      { action: 'pause' },
      { action: 'next' },
      { action: 'previous' },
      { action: 'reload_playlist' },
      { action: 'switch_playlist', playlist_id: evening.id },
      { action: 'play_media', media_index: 0 },
      { action: 'show_text_overlay', text_overlay: { text: 'Special Promotion Today!' } },
      { action: 'hide_text_overlay' },
      { action: 'set_brightness', brightness: 75 },
      { action: 'set_volume', volume: 60 },
    ];
    seen.length = 0;
    for (const action of actions) {
      const [accepted] = (await admin.sendCommand(SN, action)).commands;
      expect(accepted?.state).toBe('sent');
      await waitForCommand(accepted?.command_id ?? '', 'acked');
    }
    expect(seen).toEqual(names);
    expect(client.currentPlaylist?.id).toBe(evening.id);
    expect(client.device).toMatchObject({ brightness: 75, volume: 60 });
    await vi.waitFor(
      async () => expect((await admin.getDevice(SN)).current_playlist).toBe(evening.id),
      WAIT,
    );
  });

  it('reports a command the device refuses as failed, with its reason', async () => {
    const client = device({
      cacheDir: cacheDir(),
      onCommand: (action) => {
        if (action.action === 'set_volume' && action.volume > 80) {
          throw new Error('Volume is capped at 80 in the lobby');
        }
      },
    });
    await online(client);
    const [accepted] = (await admin.sendCommand(SN, { action: 'set_volume', volume: 95 })).commands;
    const record = await waitForCommand(accepted?.command_id ?? '', 'failed');
    expect(record.error).toBe('Volume is capped at 80 in the lobby');
    expect(client.device.volume).toBe(50);
  });

  it('stops, and says why, when an admin removes the device or a newer client replaces it', async () => {
    const removed = device({ cacheDir: cacheDir() });
    const errors: MarqueeError[] = [];
    removed.on('error', (error) => errors.push(error));
    await online(removed);
    await admin.deleteDevice(SN);
    await vi.waitFor(() => expect(removed.state).toBe('closed'), WAIT);
    expect(errors.map((e) => [e.code, (e.details as { close_code: number }).close_code])).toEqual([
      ['NOT_FOUND', protocol.CloseCodes.DEVICE_REMOVED],
    ]);
    // It does not come back by itself: no reconnect re-creates what the admin removed.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(t.server.signage.connections.isOnline(SN)).toBe(false);

    const first = device({ cacheDir: cacheDir() });
    const firstErrors: MarqueeError[] = [];
    first.on('error', (error) => firstErrors.push(error));
    await online(first);
    const second = device({ cacheDir: cacheDir() });
    await online(second);
    await vi.waitFor(() => expect(first.state).toBe('closed'), WAIT);
    expect(firstErrors.map((e) => e.code)).toEqual(['CONFLICT']);
    expect(second.state).toBe('online');
  });

  it('gets the commands queued while it was offline exactly once, in order', async () => {
    const dir = cacheDir();
    const first = device({ cacheDir: dir });
    await online(first);
    first.close();
    await vi.waitFor(() => expect(t.server.signage.connections.isOnline(SN)).toBe(false), WAIT);

    const sent: string[] = [];
    for (const action of [
      { action: 'play' },
      { action: 'set_volume', volume: 30 },
      { action: 'next' },
    ] as const) {
      const [accepted] = (await admin.sendCommand(SN, action)).commands;
      expect(accepted?.state).toBe('queued');
      sent.push(accepted?.command_id ?? '');
    }

    const second = device({ cacheDir: dir });
    const received: string[] = [];
    second.on('command', (action) => received.push(action.command_id ?? ''));
    await online(second);
    for (const id of sent) await waitForCommand(id, 'acked');
    expect(received).toEqual(sent);
    expect(second.device.volume).toBe(30);
  });

  it('applies a command once when the link drops between delivery and acknowledgement', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let applied = 0;
    const client = device({
      cacheDir: cacheDir(),
      onCommand: async (action) => {
        if (action.action !== 'set_brightness') return;
        applied++;
        await held;
      },
    });
    const redelivered: string[] = [];
    client.on('redelivered', (action) => redelivered.push(action.command_id ?? ''));
    await online(client);
    const [accepted] = (await admin.sendCommand(SN, { action: 'set_brightness', brightness: 15 }))
      .commands;
    const id = accepted?.command_id ?? '';
    await vi.waitFor(() => expect(applied).toBe(1), WAIT);

    // The server drops the socket while the device is still applying the command.
    const before = t.server.signage.connections.get(SN)?.conn;
    before?.close(1012, 'test: link dropped');
    await vi.waitFor(() => {
      const now = t.server.signage.connections.get(SN)?.conn;
      expect(now !== undefined && now !== before).toBe(true);
    }, WAIT);
    // The new socket carries the unacknowledged command again; the device drops the repeat.
    await vi.waitFor(() => expect(redelivered).toEqual([id]), WAIT);
    release();
    const record = await waitForCommand(id, 'acked');
    expect(record.state).toBe('acked');
    expect(applied).toBe(1);
    expect(client.device.brightness).toBe(15);
    await vi.waitFor(async () => expect((await admin.getDevice(SN)).brightness).toBe(15), WAIT);
  });

  it('resumes an interrupted download with Range and fetches a corrupted one again', async () => {
    const { logo, video, videoBytes, morning } = await library();
    await assign([morning.id]);
    const dir = cacheDir();
    const { impl, seen } = faultyFetch(
      new Map([
        ['ad_video.mp4', { fault: 'cut', bytes: 40_000 }],
        ['logo1.jpg', { fault: 'corrupt' }],
      ]),
    );
    const client = device({ cacheDir: dir, fetch: impl });
    await online(client);
    await vi.waitFor(() => expect(client.readyPlaylists).toEqual([morning.id]), WAIT);

    const videoGets = seen.filter((s) => s.url.endsWith('_ad_video.mp4'));
    expect(videoGets.slice(0, 2)).toEqual([
      { url: expect.any(String), range: undefined, ifRange: undefined, status: 200 },
      {
        url: expect.any(String),
        range: 'bytes=40000-',
        ifRange: expect.stringMatching(/.+/),
        status: 206,
      },
    ]);
    expect(readFileSync(join(dir, `${video.media_id}_ad_video.mp4`))).toEqual(videoBytes);
    const logoGets = seen.filter((s) => s.url.endsWith('_logo1.jpg'));
    expect(logoGets.slice(0, 2).map((s) => [s.range, s.status])).toEqual([
      [undefined, 200],
      [undefined, 200],
    ]);
    expect(md5(readFileSync(join(dir, `${logo.media_id}_logo1.jpg`)))).toBe(logo.checksum);
  });

  it('uploads a screenshot the admin can list and view', async () => {
    const client = device({ cacheDir: cacheDir() });
    await online(client);
    const { logo } = await library();
    const jpeg = jpegBytes(4096, 5);
    await expect(client.uploadScreenshot(logo.media_id, jpeg)).resolves.toEqual({
      message: 'Screenshot uploaded successfully',
    });
    const list = await admin.listScreenshots(SN);
    expect(list.results).toEqual([
      expect.objectContaining({ sn_number: SN, media_id: logo.media_id, file_size: jpeg.length }),
    ]);
    const image = await admin.getScreenshot(list.results[0]?.id ?? 0);
    expect(Buffer.from(await image.arrayBuffer())).toEqual(jpeg);
  });

  it('keeps playing from its cache once the server is gone', async () => {
    const { morning } = await library();
    await assign([morning.id]);
    const dir = cacheDir();
    const first = device({ cacheDir: dir });
    await online(first);
    await vi.waitFor(() => expect(first.readyPlaylists).toEqual([morning.id]), WAIT);
    // Let the reload queued by the screen assignment finish first: nothing may be in flight when
    // the server closes (a signage request aborted before its response keeps close() waiting).
    await vi.waitFor(async () => {
      const { results } = await admin.listCommands(SN);
      expect(results.map((c) => c.state)).toEqual(['acked']);
    }, WAIT);
    first.close();
    await vi.waitFor(() => expect(t.server.signage.connections.isOnline(SN)).toBe(false), WAIT);
    const url = t.url;
    await t.server.close();

    const later = createDeviceClient({
      baseUrl: url,
      credentials: DEVICE_USER,
      device: deviceBody(SN),
      cacheDir: dir,
      network: false,
      retryBackoff: { initialMs: 50, maxMs: 200 },
    });
    cleanups.push(() => later.close());
    await later.start();
    expect(later.state).toBe('offline');
    expect(later.readyPlaylists).toEqual([morning.id]);
    expect(later.currentPlaylist?.name).toBe('Morning Ads');
    for (const item of later.currentPlaylist?.media_items ?? []) {
      expect(later.isAvailable(item)).toBe(true);
    }
  });
});
