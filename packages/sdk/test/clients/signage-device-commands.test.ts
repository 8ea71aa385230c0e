/**
 * Control actions on the device socket: each of seed 002's 11 actions arrives as its typed event
 * and is acknowledged with its `command_id`; refusals (a listener throwing, `onCommand`
 * rejecting, an unknown playlist, an invalid action) are acked with `ok: false` and the reason;
 * `reload_playlist` and `switch_playlist` do their work and end with `ready_playlists`.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import type { CommandHandler, DeviceClient, DeviceClientEvents } from '../../src/device';
import type {
  ServerAction,
  SetBrightnessAction,
  ShowTextOverlayAction,
} from '../../src/protocol/signage/index';
import { WAIT } from '../transport/helpers';
import {
  deviceClient,
  downloading,
  mediaGets,
  startOnline,
  statusesFor,
  tempCacheDir,
} from './signage-device-helpers';
import {
  bytes,
  frontScreen,
  playlist,
  startFakeSignageServer,
  type FakeSignageServer,
} from './signage-fake-server';

async function setup(options: { onCommand?: CommandHandler } = {}) {
  const server = await startFakeSignageServer();
  const logo = server.addMedia(1001, 'logo1.jpg', bytes(3000, 1));
  const video = server.addMedia(1002, 'ad_video.mp4', bytes(9000, 2));
  const promo = server.addMedia(1005, 'promo.jpg', bytes(4000, 5));
  server.setScreens(frontScreen([playlist(101, [logo, video]), playlist(102, [promo, logo])], 101));
  const cacheDir = tempCacheDir();
  const { client, log } = deviceClient(server.url, { cacheDir, ...options });
  await startOnline(client);
  await vi.waitFor(() => expect(server.received.at(-1)?.type).toBe('ready_playlists'), WAIT);
  return { server, client, log, promo, cacheDir };
}

/** Sends `action` from the server and resolves with the ack the device sent back. */
async function roundTrip(server: FakeSignageServer, action: ServerAction) {
  const before = server.received.length;
  server.send(action);
  await vi.waitFor(
    () =>
      expect(server.received.slice(before)).toContainEqual(
        expect.objectContaining({ type: 'ack', command_id: action.command_id }),
      ),
    WAIT,
  );
  return server.received
    .slice(before)
    .find((m) => m.type === 'ack' && m.command_id === action.command_id);
}

const ALL_ACTIONS: ServerAction[] = [
  { action: 'play', command_id: 'c-play' },
  { action: 'pause', command_id: 'c-pause' },
  { action: 'next', command_id: 'c-next' },
  { action: 'previous', command_id: 'c-previous' },
  { action: 'reload_playlist', command_id: 'c-reload' },
  { action: 'switch_playlist', playlist_id: 102, command_id: 'c-switch' },
  { action: 'play_media', media_id: 1005, media_index: 3, command_id: 'c-media' },
  {
    action: 'show_text_overlay',
    command_id: 'c-show',
    text_overlay: {
      text: 'Special Promotion Today!',
      position: 'bottom',
      animation: 'scroll',
      speed: 50,
      font_size: 24,
      background_color: '#000000',
      text_color: '#FFFFFF',
    },
  },
  { action: 'hide_text_overlay', command_id: 'c-hide' },
  { action: 'set_brightness', brightness: 75, command_id: 'c-bright' },
  { action: 'set_volume', volume: 60, command_id: 'c-volume' },
];

describe('device commands', () => {
  it('emits each of the 11 actions as its typed event and acks it with the command_id', async () => {
    const { server, client } = await setup();
    const seen: ServerAction[] = [];
    for (const { action } of ALL_ACTIONS) {
      client.on(action, (message: ServerAction) => seen.push(message));
    }
    const outcomes: [string, boolean, boolean][] = [];
    client.on('command', (action, outcome) =>
      outcomes.push([action.action, outcome.ok, outcome.acked]),
    );
    for (const action of ALL_ACTIONS) {
      expect(await roundTrip(server, action)).toEqual({
        type: 'ack',
        command_id: action.command_id,
        ok: true,
      });
    }
    expect(seen).toEqual(ALL_ACTIONS);
    expect(outcomes).toEqual(ALL_ACTIONS.map((a) => [a.action, true, true]));
    expect(client.device).toMatchObject({ brightness: 75, volume: 60 });
    expect(client.currentPlaylist?.id).toBe(102);
  });

  it('types each event with its action', () => {
    expectTypeOf<DeviceClientEvents['set_brightness']>().toEqualTypeOf<
      [action: SetBrightnessAction]
    >();
    expectTypeOf<DeviceClientEvents['show_text_overlay']>().toEqualTypeOf<
      [action: ShowTextOverlayAction]
    >();
    expectTypeOf<Parameters<DeviceClient['switchPlaylist']>>().toEqualTypeOf<
      [playlistId: number]
    >();
  });

  it('acks ok:false with the message when a listener throws', async () => {
    const { server, client } = await setup();
    client.on('pause', () => {
      throw new Error('The panel is locked');
    });
    expect(await roundTrip(server, { action: 'pause', command_id: 'c-1' })).toEqual({
      type: 'ack',
      command_id: 'c-1',
      ok: false,
      error: 'The panel is locked',
    });
  });

  it('lets onCommand decide, and skips the built-in work of a refused command', async () => {
    const { server, client } = await setup({
      onCommand: (action) => {
        if (action.action === 'set_volume' && action.volume > 80) {
          return Promise.reject(new Error('Volume capped at 80'));
        }
        return Promise.resolve();
      },
    });
    expect(await roundTrip(server, { action: 'set_volume', volume: 90, command_id: 'v1' })).toEqual(
      { type: 'ack', command_id: 'v1', ok: false, error: 'Volume capped at 80' },
    );
    expect(client.device.volume).toBe(50);
    expect(await roundTrip(server, { action: 'set_volume', volume: 70, command_id: 'v2' })).toEqual(
      { type: 'ack', command_id: 'v2', ok: true },
    );
    expect(client.device.volume).toBe(70);
  });

  it('applies a re-delivered command_id once and repeats its ack', async () => {
    const { server, client } = await setup();
    const redelivered: ServerAction[] = [];
    client.on('redelivered', (action) => redelivered.push(action));
    const action: ServerAction = { action: 'set_volume', volume: 20, command_id: 'once-1' };
    expect(await roundTrip(server, action)).toEqual({
      type: 'ack',
      command_id: 'once-1',
      ok: true,
    });
    client.on('set_volume', () => {
      throw new Error('applied twice');
    });
    // The server did not see the first ack (say, the link dropped) and writes it again.
    expect(await roundTrip(server, action)).toEqual({
      type: 'ack',
      command_id: 'once-1',
      ok: true,
    });
    expect(redelivered).toEqual([action]);
    expect(client.device.volume).toBe(20);
  });

  it('drops a repeat that arrives while the first delivery is still being applied', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let applied = 0;
    const { server, client } = await setup({
      onCommand: async () => {
        applied++;
        await gate;
      },
    });
    const redelivered: ServerAction[] = [];
    client.on('redelivered', (action) => redelivered.push(action));
    const before = server.received.length;
    server.send({ action: 'pause', command_id: 'slow-1' });
    await vi.waitFor(() => expect(applied).toBe(1), WAIT);
    server.send({ action: 'pause', command_id: 'slow-1' });
    await vi.waitFor(() => expect(redelivered).toHaveLength(1), WAIT);
    open();
    await vi.waitFor(
      () =>
        expect(server.received.slice(before)).toEqual([
          { type: 'ack', command_id: 'slow-1', ok: true },
        ]),
      WAIT,
    );
    expect(applied).toBe(1);
  });

  it('emits actions without a command_id but sends no ack (seed-only servers)', async () => {
    const { server, client } = await setup();
    const handled = new Promise<boolean>((resolve) =>
      client.on('command', (_action, outcome) => resolve(outcome.acked)),
    );
    const played = new Promise((resolve) => client.once('play', resolve));
    const before = server.received.length;
    server.send({ action: 'play' });
    await expect(played).resolves.toEqual({ action: 'play' });
    await expect(handled).resolves.toBe(false);
    expect(server.received.slice(before)).toEqual([]);
  });

  it('refuses an action it cannot parse when it carries a command_id', async () => {
    const { server, log } = await setup();
    const before = server.received.length;
    server.send({ action: 'set_brightness', brightness: 101, command_id: 'bad-1' });
    server.send({ action: 'reboot', command_id: 'bad-2' });
    await vi.waitFor(() => expect(server.received.length).toBe(before + 2), WAIT);
    expect(server.received.slice(before)).toEqual([
      {
        type: 'ack',
        command_id: 'bad-1',
        ok: false,
        error: expect.stringMatching(/^Invalid set_brightness command: .+\[brightness\]$/),
      },
      {
        type: 'ack',
        command_id: 'bad-2',
        ok: false,
        error: expect.stringContaining('reboot'),
      },
    ]);
    expect(log.errors.map((e) => e.code)).toEqual(['INVALID_MESSAGE', 'INVALID_MESSAGE']);
  });

  it('reload_playlist fetches, downloads what changed, reports, then ready_playlists', async () => {
    const { server, client } = await setup();
    const extra = server.addMedia(1010, 'new.mp4', bytes(6000, 10));
    server.setScreens(frontScreen([playlist(103, [extra])], 103));
    const before = server.received.length;
    const playlistsBefore = server.requestsTo('/api/v1/admin/cloud/playlists').length;
    const ack = await roundTrip(server, { action: 'reload_playlist', command_id: 'r1' });
    expect(ack).toMatchObject({ ok: true });
    expect(server.requestsTo('/api/v1/admin/cloud/playlists')).toHaveLength(playlistsBefore + 1);
    expect(server.received.slice(before)).toEqual([
      downloading(103, 1, 0),
      downloading(103, 1, 1),
      {
        type: 'playlist_status',
        playlist_id: 103,
        status: 'ready',
        total_items: 1,
        downloaded_items: 1,
      },
      { type: 'ready_playlists', playlist_ids: [103] },
      { type: 'ack', command_id: 'r1', ok: true },
    ]);
    expect(client.currentPlaylist?.id).toBe(103);
  });

  it('switch_playlist makes a ready playlist current without downloading again', async () => {
    const { server, client } = await setup();
    const current = new Promise((resolve) =>
      client.once('current-playlist', (p, screen) => resolve([p.id, screen])),
    );
    const before = server.received.length;
    await roundTrip(server, { action: 'switch_playlist', playlist_id: 102, command_id: 's1' });
    await expect(current).resolves.toEqual([102, 'front_screen']);
    expect(server.received.slice(before)).toEqual([
      { type: 'ready_playlists', playlist_ids: [101, 102] },
      { type: 'ack', command_id: 's1', ok: true },
    ]);
    expect(mediaGets(server, 'promo.jpg')).toHaveLength(1);
    // It stays current across a reload while the server's choice is unchanged.
    await client.reload();
    expect(client.currentPlaylist?.id).toBe(102);
  });

  it('switch_playlist to a playlist assigned since the last fetch downloads it first', async () => {
    const { server, client } = await setup();
    const fresh = server.addMedia(1020, 'fresh.jpg', bytes(2500, 20));
    const screens = frontScreen([playlist(101, []), playlist(104, [fresh])], 101);
    server.setScreens(screens);
    const before = server.received.length;
    await roundTrip(server, { action: 'switch_playlist', playlist_id: 104, command_id: 's2' });
    expect(server.received.slice(before).map((m) => m.type)).toEqual([
      'playlist_status',
      'playlist_status',
      'playlist_status',
      'ready_playlists',
      'ack',
    ]);
    expect(statusesFor(server, 104).at(-1)).toMatchObject({ status: 'ready' });
    expect(client.currentPlaylist?.id).toBe(104);
  });

  it('switch_playlist to a playlist that is not assigned is refused', async () => {
    const { server, client } = await setup();
    expect(
      await roundTrip(server, { action: 'switch_playlist', playlist_id: 999, command_id: 's3' }),
    ).toEqual({
      type: 'ack',
      command_id: 's3',
      ok: false,
      error: 'Playlist 999 is not assigned to this device',
    });
    expect(client.currentPlaylist?.id).toBe(101);
  });

  it('acks playback actions while a reload is still downloading', async () => {
    const { server, cacheDir } = await setup();
    const big = server.addMedia(1030, 'big.mp4', bytes(20_000, 30));
    server.setScreens(frontScreen([playlist(105, [big])], 105));
    // The reload's download stalls: the server sends half and then nothing.
    server.faults.holdAfter.set('/media/big.mp4', 10_000);
    server.send({ action: 'reload_playlist', command_id: 'slow' });
    await vi.waitFor(() => expect(mediaGets(server, 'big.mp4')).toHaveLength(1), WAIT);
    expect(await roundTrip(server, { action: 'pause', command_id: 'quick' })).toMatchObject({
      ok: true,
    });
    expect(server.received).not.toContainEqual(expect.objectContaining({ command_id: 'slow' }));
    // Cut off once half is on disk, the download resumes and the reload completes.
    const part = join(cacheDir, '1030_big.mp4.part');
    await vi.waitFor(() => expect(existsSync(part) && statSync(part).size).toBe(10_000), WAIT);
    server.releaseHeld();
    await vi.waitFor(
      () => expect(server.received).toContainEqual({ type: 'ack', command_id: 'slow', ok: true }),
      WAIT,
    );
    expect(mediaGets(server, 'big.mp4')[1]?.headers.range).toBe('bytes=10000-');
  });
});
