/**
 * The TV simulator against a real Marquee server (port 0), with real files in temporary cache
 * directories: seed 002's startup flow and proof of play on virtual time, commands moving the
 * timeline (and one refused by a hook), and each fault switch doing what it says, checked where
 * it shows: the TV's logs, the files, and the server's admin API.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AdminCommand, protocol } from '@marquee/sdk';
import type { MediaResult } from '@marquee/sdk/device';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  TvSimulator,
  assignPlaylist,
  type TvClientOptions,
  type TvSimulatorOptions,
} from '../src/index';
import { startMarquee, type TestMarquee } from './helpers/marquee-server';
import { DEVICE_USER, provisionTv, setUpLibrary, type Library } from './helpers/signage';

const WAIT = { timeout: 15_000, interval: 20 } as const;
/** Tiny delays, and a heartbeat that finds a silent link in well under a second. */
const FAST: TvClientOptions = {
  backoff: { initialMs: 20, maxMs: 200 },
  retryBackoff: { initialMs: 20, maxMs: 200 },
  downloadRetryDelayMs: 10,
  heartbeat: { intervalMs: 200 },
};
const T0 = Date.parse('2025-01-15T10:00:00Z');

let marquee: TestMarquee;
let library: Library;
const tvs: TvSimulator[] = [];
let serial = 0;

beforeAll(async () => {
  marquee = await startMarquee({ wsPingIntervalMs: 200 });
  library = await setUpLibrary(marquee);
});

afterEach(async () => {
  await Promise.all(tvs.splice(0).map((tv) => tv.stop()));
});

afterAll(async () => {
  await marquee.close();
});

/** The plays the server stored for `sn`, through the admin API. */
async function marqueePlays(sn: string): Promise<protocol.signage.PlayView[]> {
  const token = await marquee.login();
  const res = await fetch(`${marquee.url}/api/v1/admin/cloud/plays/?sn_number=${sn}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as protocol.signage.PlayList;
  return body.results;
}

function tv(options: Partial<TvSimulatorOptions> = {}): TvSimulator {
  const created = new TvSimulator({
    server: marquee.url,
    credentials: DEVICE_USER,
    snNumber: `TV-${++serial}`,
    client: FAST,
    ...options,
  });
  tvs.push(created);
  return created;
}

/**
 * A TV whose front screen plays the library's playlist, started and ready, and done with the
 * reload the server queued when the screen was assigned (so nothing else is under way).
 */
async function readyTv(options: Partial<TvSimulatorOptions> = {}): Promise<TvSimulator> {
  const created = tv(options);
  await provisionTv(marquee, library, created.snNumber);
  await created.start();
  await vi.waitFor(async () => {
    expect(created.state).toBe('online');
    expect(created.stats.playlists[library.playlistId]).toBe('ready');
    const commands = await library.admin.listCommands(created.snNumber);
    expect(commands.results.map((c) => [c.command.action, c.state])).toEqual([
      ['reload_playlist', 'acked'],
    ]);
  }, WAIT);
  return created;
}

async function send(tvSn: string, command: AdminCommand): Promise<string> {
  const accepted = await library.admin.sendCommand(tvSn, command);
  const id = accepted.commands[0]?.command_id;
  if (id === undefined) throw new Error('no command id');
  return id;
}

async function commandState(
  commandId: string,
  state: protocol.signage.CommandState,
): Promise<protocol.signage.CommandRecord> {
  return vi.waitFor(async () => {
    const record = await library.admin.getCommand(commandId);
    expect(record.state).toBe(state);
    return record;
  }, WAIT);
}

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

describe('TvSimulator against a real server', () => {
  it('runs the startup flow and logs proof of play on virtual time', async () => {
    const screens: string[] = [];
    const created = tv({ virtualTime: T0 });
    created.onPlaylists((_screens, source) => screens.push(source));
    await provisionTv(marquee, library, created.snNumber);
    await created.start();
    await vi.waitFor(() => {
      expect(created.state).toBe('online');
      expect(created.stats.playlists[library.playlistId]).toBe('ready');
    }, WAIT);
    const { playlistId, logo, video } = library;

    expect(screens[0]).toBe('server');
    await vi.waitFor(() => expect(created.statuses.length).toBeGreaterThanOrEqual(5), WAIT);
    const status = (value: string, downloaded: number) => ({
      type: 'playlist_status',
      playlist_id: playlistId,
      status: value,
      total_items: 2,
      downloaded_items: downloaded,
    });
    expect(created.statuses.slice(0, 5).map((s) => s.message)).toEqual([
      status('downloading', 0),
      status('downloading', 1),
      status('downloading', 2),
      status('ready', 2),
      { type: 'ready_playlists', playlist_ids: [playlistId] },
    ]);
    expect(readFileSync(join(created.cacheDir, `${logo.mediaId}_${logo.name}`))).toEqual(
      Buffer.from(logo.bytes),
    );
    expect(md5(readFileSync(join(created.cacheDir, `${video.mediaId}_${video.name}`)))).toBe(
      md5(video.bytes),
    );
    await vi.waitFor(async () => {
      const detail = await library.admin.getDevice(created.snNumber);
      expect(detail.online).toBe(true);
      expect(detail.ready_playlists).toEqual([playlistId]);
      expect(detail.playlist_statuses).toEqual([
        expect.objectContaining({ playlist_id: playlistId, status: 'ready' }),
      ]);
    }, WAIT);

    // Virtual time stands still until advanced: the first item is on screen since T0.
    expect(created.nowPlaying()).toMatchObject({ mediaId: logo.mediaId, play: 1, paused: false });
    expect(created.proofOfPlay).toEqual([]);
    created.advance(25_000);
    const entry = { screen: 'front_screen', playlistId, completed: true };
    expect(created.proofOfPlay).toEqual([
      {
        ...entry,
        mediaId: logo.mediaId,
        mediaName: logo.name,
        play: 1,
        plays: 1,
        start: T0,
        end: T0 + 5000,
        durationMs: 5000,
      },
      {
        ...entry,
        mediaId: video.mediaId,
        mediaName: video.name,
        play: 1,
        plays: 2,
        start: T0 + 5000,
        end: T0 + 15_000,
        durationMs: 10_000,
      },
      {
        ...entry,
        mediaId: video.mediaId,
        mediaName: video.name,
        play: 2,
        plays: 2,
        start: T0 + 15_000,
        end: T0 + 25_000,
        durationMs: 10_000,
      },
    ]);
    // The playlist repeats.
    created.advance(8000);
    expect(created.proofOfPlay).toHaveLength(4);
    expect(created.proofOfPlay[3]).toMatchObject({ mediaId: logo.mediaId, start: T0 + 25_000 });
    expect(created.nowPlaying()).toMatchObject({ mediaId: video.mediaId, play: 1 });
    expect(created.stats).toMatchObject({ plays: 4, connects: 1, drops: 0, errors: 0 });
  });

  it('sends its plays to the server in batches, keeps them while offline, and counts each once', async () => {
    const created = await readyTv({ virtualTime: true });
    const { logo, video, playlistId } = library;
    const t0 = created.now();
    created.advance(25_000);
    expect(created.unsentPlays).toBe(3);
    expect(await created.sendProofOfPlay()).toMatchObject({ sent: 3, accepted: 3, duplicates: 0 });
    expect(created.unsentPlays).toBe(0);
    const stored = await marqueePlays(created.snNumber);
    expect(
      stored.map((p) => [p.media_id, p.playlist_id, p.zone, p.duration_ms, p.completed]),
    ).toEqual([
      [logo.mediaId, playlistId, 'front_screen', 5000, true],
      [video.mediaId, playlistId, 'front_screen', 10_000, true],
      [video.mediaId, playlistId, 'front_screen', 10_000, true],
    ]);
    expect(Date.parse(stored[0]!.started_at)).toBe(t0);
    expect(Date.parse(stored[2]!.ended_at)).toBe(t0 + 25_000);

    // The link is down: the play stays queued, and goes once it is back.
    created.dropNetwork();
    created.advance(5000);
    expect(created.unsentPlays).toBe(1);
    await expect(created.sendProofOfPlay()).rejects.toThrow();
    expect(created.unsentPlays).toBe(1);
    created.restoreNetwork();
    expect(await created.sendProofOfPlay()).toMatchObject({ sent: 1, accepted: 1 });
    expect(await marqueePlays(created.snNumber)).toHaveLength(4);
    expect(created.droppedPlays).toBe(0);
  });

  it('sends a health report when its socket opens, as the web player does', async () => {
    const created = await readyTv({ virtualTime: true, healthIntervalMs: 60_000 });
    created.advance(7000);
    const token = await marquee.login();
    const detail = async () => {
      const res = await fetch(`${marquee.url}/api/v1/admin/cloud/devices/${created.snNumber}/`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return ((await res.json()) as protocol.signage.DeviceDetail).health;
    };
    // The first report went when the socket opened (before the media was cached).
    await vi.waitFor(async () => expect(await detail()).not.toBeNull(), WAIT);
    const sent = created.sent.filter((s) => s.message.type === 'health');
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(await detail()).toMatchObject({
      app_version: expect.any(String),
      screen_width: 1920,
      screen_height: 1080,
      webview_version: expect.stringMatching(/^MarqueeTvSimulator\//),
    });
    // Asked now: its cache holds the playlist's files, and the plays are still unsent.
    const report = await created.sendHealth();
    expect(report).toMatchObject({ uptime_s: 7, cached_files: 2, unsent_plays: 1 });
    expect(report.cache_bytes).toBe(library.logo.bytes.length + library.video.bytes.length);
    await vi.waitFor(async () => expect(await detail()).toMatchObject({ uptime_s: 7 }), WAIT);
  });

  it('moves its timeline on commands, lets a hook refuse one, and acks each', async () => {
    const created = await readyTv({ virtualTime: T0 });
    const sn = created.snNumber;
    const { logo, video } = library;
    const refused: string[] = [];
    created.onCommand((action) => {
      if (action.action !== 'previous') return undefined;
      refused.push(action.action);
      return { refuse: 'The remote is locked' };
    });

    await commandState(await send(sn, { action: 'pause' }), 'acked');
    created.advance(60_000);
    expect(created.proofOfPlay).toEqual([]);
    expect(created.nowPlaying()).toMatchObject({ mediaId: logo.mediaId, paused: true });

    await commandState(await send(sn, { action: 'play' }), 'acked');
    created.advance(7000);
    expect(created.proofOfPlay).toEqual([
      expect.objectContaining({ mediaId: logo.mediaId, durationMs: 5000, completed: true }),
    ]);

    // Two seconds into the video, `next` cuts it short and goes back to the logo.
    await commandState(await send(sn, { action: 'next' }), 'acked');
    expect(created.proofOfPlay[1]).toMatchObject({
      mediaId: video.mediaId,
      durationMs: 2000,
      completed: false,
    });
    expect(created.nowPlaying()).toMatchObject({ mediaId: logo.mediaId });

    await commandState(await send(sn, { action: 'play_media', media_index: 1 }), 'acked');
    expect(created.nowPlaying()).toMatchObject({ mediaId: video.mediaId, play: 1 });

    const missing = await commandState(
      await send(sn, { action: 'play_media', media_id: 999_999 }),
      'failed',
    );
    expect(missing.error).toBe('No current playlist has media 999999');
    const locked = await commandState(await send(sn, { action: 'previous' }), 'failed');
    expect(locked.error).toBe('The remote is locked');
    expect(refused).toEqual(['previous']);
    expect(created.nowPlaying()).toMatchObject({ mediaId: video.mediaId });

    await commandState(
      await send(sn, {
        action: 'show_text_overlay',
        text_overlay: { text: 'Sale today', position: 'bottom', animation: 'scroll', speed: 50 },
      }),
      'acked',
    );
    expect(created.overlay?.text).toBe('Sale today');
    await commandState(await send(sn, { action: 'set_brightness', brightness: 75 }), 'acked');
    expect(created.client.device.brightness).toBe(75);

    expect(created.commands.map((c) => [c.action.action, c.ok])).toEqual(
      expect.arrayContaining([
        ['pause', true],
        ['previous', false],
        ['play_media', false],
      ]),
    );
    expect(created.received.every((r) => r.valid)).toBe(true);
    expect(created.sent.filter((s) => s.message.type === 'ack').length).toBe(created.stats.acks);
  });

  it('corruptNextDownload(): the MD5 check rejects the file and the TV fetches it again', async () => {
    const created = tv();
    created.corruptNextDownload();
    await provisionTv(marquee, library, created.snNumber);
    await created.start();
    await vi.waitFor(() => expect(created.stats.playlists[library.playlistId]).toBe('ready'), WAIT);
    const { logo } = library;

    expect(created.corrupted).toEqual([
      join(created.cacheDir, `${logo.mediaId}_${logo.name}.part`),
    ]);
    const gets = created.requests.filter((r) => r.path.endsWith(`_${logo.name}`));
    expect(gets.map((r) => [r.method, r.status])).toEqual([
      ['GET', 200],
      ['GET', 200],
    ]);
    expect(readFileSync(join(created.cacheDir, `${logo.mediaId}_${logo.name}`))).toEqual(
      Buffer.from(logo.bytes),
    );
    expect(created.stats).toMatchObject({ downloaded: 2, failedDownloads: 0 });
  });

  it('diskFull(true): downloads fail and the server records the playlist as failed', async () => {
    const created = tv({ client: { ...FAST, downloadRetries: 0 } });
    created.diskFull(true);
    await provisionTv(marquee, library, created.snNumber);
    await created.start();
    const { playlistId } = library;

    const failed = await vi.waitFor(async () => {
      const detail = await library.admin.getDevice(created.snNumber);
      const report = detail.playlist_statuses.find((p) => p.playlist_id === playlistId);
      expect(report?.status).toBe('failed');
      return report;
    }, WAIT);
    expect(failed?.error).toContain('ENOSPC: no space left on device');
    expect(created.stats.playlists[playlistId]).toBe('failed');
    expect(created.client.readyPlaylists).toEqual([]);
    expect(created.nowPlaying()).toBeUndefined();

    // Space again: a reload stores the files and the playlist becomes ready.
    created.diskFull(false);
    await commandState(await send(created.snNumber, { action: 'reload_playlist' }), 'acked');
    await vi.waitFor(async () => {
      const detail = await library.admin.getDevice(created.snNumber);
      expect(detail.ready_playlists).toEqual([playlistId]);
    }, WAIT);
    expect(created.nowPlaying()).toMatchObject({ mediaId: library.logo.mediaId });
  });

  it('dropNetwork(): the TV goes offline, the server notices, and it comes back with its commands', async () => {
    const created = tv();
    await created.start();
    await vi.waitFor(() => expect(created.state).toBe('online'), WAIT);
    const sn = created.snNumber;

    created.dropNetwork();
    await vi.waitFor(() => expect(created.state).toBe('offline'), WAIT);
    await expect(created.client.reload()).rejects.toThrow(/fetch failed/);
    expect(created.requests.at(-1)).toMatchObject({
      method: 'GET',
      error: expect.stringContaining('ENETUNREACH'),
    });
    await vi.waitFor(
      async () => expect((await library.admin.getDevice(sn)).online).toBe(false),
      WAIT,
    );
    // Sent while the TV is away: the server keeps it until the TV is back.
    const volume = await send(sn, { action: 'set_volume', volume: 30 });
    expect((await library.admin.getCommand(volume)).state).toBe('queued');

    created.restoreNetwork();
    await vi.waitFor(() => expect(created.state).toBe('online'), WAIT);
    await commandState(volume, 'acked');
    expect(created.client.device.volume).toBe(30);
    expect(created.stats).toMatchObject({ connects: 2, drops: 1 });
  });

  it('dropNetwork() mid-download: the transfer stalls, and resumes with Range once back', async () => {
    const created = tv({ client: { ...FAST, downloadStallTimeoutMs: 300 } });
    await created.start();
    await vi.waitFor(() => expect(created.state).toBe('online'), WAIT);
    const media: MediaResult[] = [];
    created.client.on('media', (result) => media.push(result));
    const { video, playlistId } = library;
    const part = join(created.cacheDir, `${video.mediaId}_${video.name}.part`);

    // A slow link keeps the video in flight for seconds; the cable is pulled half-way.
    created.slowLink(20_000);
    await assignPlaylist(library.admin, created.snNumber, playlistId);
    await vi.waitFor(() => expect(existsSync(part) && statSync(part).size > 0).toBe(true), WAIT);
    created.dropNetwork();
    await vi.waitFor(() => {
      expect(created.state).toBe('offline');
      expect(created.stats.playlists[playlistId]).toBe('partial');
    }, WAIT);
    expect(media.at(-1)).toMatchObject({ outcome: 'failed', item: { media_id: video.mediaId } });

    created.slowLink(undefined);
    created.restoreNetwork();
    await vi.waitFor(() => expect(created.stats.playlists[playlistId]).toBe('ready'), WAIT);
    expect(media.at(-1)).toMatchObject({ outcome: 'downloaded', resumed: true });
    expect(md5(readFileSync(join(created.cacheDir, `${video.mediaId}_${video.name}`)))).toBe(
      md5(video.bytes),
    );
  });

  it('refuseAcks(true): the command is applied but stays `sent` on the server', async () => {
    const created = tv();
    await created.start();
    await vi.waitFor(() => expect(created.state).toBe('online'), WAIT);
    const sn = created.snNumber;

    created.refuseAcks(true);
    const unacked = await send(sn, { action: 'set_volume', volume: 10 });
    await vi.waitFor(() => expect(created.withheldAcks).toEqual([unacked]), WAIT);
    expect(created.client.device.volume).toBe(10);

    // The socket is ordered: once a later ack is in, the withheld one would have been too.
    created.refuseAcks(false);
    await commandState(await send(sn, { action: 'set_volume', volume: 20 }), 'acked');
    expect((await library.admin.getCommand(unacked)).state).toBe('sent');
    expect(created.stats).toMatchObject({ withheldAcks: 1, acks: 1 });
  });

  it('take_screenshot: uploads a picture of the item on screen, then acks', async () => {
    const created = await readyTv();
    const sn = created.snNumber;
    await vi.waitFor(() => expect(created.nowPlaying()).toBeDefined(), WAIT);
    const before = (await library.admin.listScreenshots(sn)).count;

    const id = await send(sn, { action: 'take_screenshot' });
    const record = await commandState(id, 'acked');
    expect(record.command).toMatchObject({ action: 'take_screenshot', command_id: id });
    expect(record.command.expires_at).toBe(record.expires_at);
    const shots = await library.admin.listScreenshots(sn);
    expect(shots.count).toBe(before + 1);
    const mediaIds = [library.logo.mediaId, library.video.mediaId];
    expect(mediaIds).toContain(shots.results[0]?.media_id);
    const image = new Uint8Array(
      await (await library.admin.getScreenshot(shots.results[0]?.id ?? 0)).arrayBuffer(),
    );
    expect([...image.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]); // PNG
    expect(created.stats.screenshots).toBe(1);
  });

  it('take_screenshot with nothing on screen is refused, and no screenshot is stored', async () => {
    const created = tv();
    await created.start();
    await vi.waitFor(() => expect(created.state).toBe('online'), WAIT);
    const record = await commandState(
      await send(created.snNumber, { action: 'take_screenshot' }),
      'failed',
    );
    expect(record.error).toBe('Nothing is on screen to capture');
    expect((await library.admin.listScreenshots(created.snNumber)).count).toBe(0);
  });

  it('a command that reaches the TV after its expires_at is not applied and acked as expired', async () => {
    const created = tv();
    await created.start();
    await vi.waitFor(() => expect(created.state).toBe('online'), WAIT);
    const volume = created.client.device.volume;
    // The TV's clock runs an hour ahead: a 60 s command is already past its expiry on arrival.
    created.clockSkew(3600_000);
    const accepted = await library.admin.sendCommand(
      created.snNumber,
      { action: 'set_volume', volume: volume === 7 ? 8 : 7 },
      { ttlSeconds: 60 },
    );
    const record = await commandState(accepted.commands[0]?.command_id ?? '', 'expired');
    expect(record.acked_at).not.toBeNull();
    expect(record.error).toMatch(/^Expired at /);
    expect(created.client.device.volume).toBe(volume);
    expect(created.commands.at(-1)).toMatchObject({ ok: false });

    // Back on time, the same kind of command applies.
    created.clockSkew(0);
    await commandState(await send(created.snNumber, { action: 'set_volume', volume: 9 }), 'acked');
    expect(created.client.device.volume).toBe(9);
  });

  it('slowLink(): downloads are paced to the link speed', async () => {
    const bytesPerSecond = 64_000;
    const created = tv();
    created.slowLink(bytesPerSecond);
    await provisionTv(marquee, library, created.snNumber);
    const started = performance.now();
    await created.start();
    await vi.waitFor(() => expect(created.stats.playlists[library.playlistId]).toBe('ready'), WAIT);
    const elapsed = performance.now() - started;

    const media = library.logo.bytes.length + library.video.bytes.length;
    expect(created.stats.bytes).toBeGreaterThanOrEqual(media);
    // Pacing sets a floor, whatever the machine's speed: every byte waits its turn on the link.
    expect(elapsed).toBeGreaterThanOrEqual((media / bytesPerSecond) * 1000 * 0.9);
  });

  it('clockSkew(): timestamps move, and a jump past the token lifetime renews it', async () => {
    const created = await readyTv({ virtualTime: T0 });
    const skew = 2 * 24 * 3600 * 1000;
    created.clockSkew(skew);
    created.advance(5000);
    expect(created.now()).toBe(T0 + 5000 + skew);
    expect(created.proofOfPlay[0]).toMatchObject({ start: T0, end: T0 + 5000 + skew });

    const before = created.requests.length;
    await created.client.reload();
    const paths = created.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(paths[0]).toMatch(/^POST \/api\/v1\/auth\/token\/(refresh\/)?$/);
    expect(paths).toContain(`GET /api/v1/admin/cloud/playlists?sn_number=${created.snNumber}`);
  });

  it('stop() logs the showing it cuts short and removes its own cache directory', async () => {
    const created = await readyTv({ virtualTime: T0 });
    created.advance(1500);
    await created.stop();
    expect(created.proofOfPlay).toEqual([
      expect.objectContaining({
        mediaId: library.logo.mediaId,
        durationMs: 1500,
        completed: false,
      }),
    ]);
    expect(created.state).toBe('closed');
    expect(existsSync(created.cacheDir)).toBe(false);
  });
});
