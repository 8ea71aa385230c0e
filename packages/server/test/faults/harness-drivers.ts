/**
 * The kill harness's drivers: what it does to the server between kills. Media uploads, playlist
 * edits, commands to a device that acknowledges them (the command storm), Now Playing sessions
 * played and stopped, alert settings, and history queries while the server's own sampler writes
 * the history and its roll-ups. Each kind runs in its own loop, as separate clients would, and
 * updates the model (harness-state.ts) only with what the server acknowledged.
 */
import WebSocket from 'ws';
import { request, type Server } from './harness-process';
import type { HarnessState, WriteKind } from './harness-state';
import { md5 } from './kill-harness-files';

export const SN = 'SN-KILL';
export const API = '/api/v1/admin/cloud';
/** The history query the drivers and the invariants make: the last hour by minute. */
export const HISTORY_QUERY = '/api/v1/metrics/history?resolution=1m';

/** A JPEG-looking payload (the server sniffs the first bytes) of `size` bytes. */
function jpeg(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 17 + (i >> 7)) % 251;
  bytes[0] = 0xff;
  bytes[1] = 0xd8;
  bytes[2] = 0xff;
  bytes[3] = 0xe0;
  return bytes;
}

export function playlistBody(h: HarnessState, version: number) {
  // The version is in the playlist's row (its name) and in every item row (n_time_play): a
  // playlist stored half old, half new shows as a mismatch.
  const ids = [...h.model.media.keys()].slice(0, 1 + (version % 3));
  return {
    name: `v${version}`,
    width: 1920,
    height: 1080,
    media_items: ids.map((media_id) => ({ media_id, n_time_play: 1 + (version % 5) })),
  };
}

export function settingsBody(version: number) {
  const t = { warning: version % 90, critical: (version % 90) + 5 };
  return {
    thresholds: { cpu: t, memory: t, disk: t },
    notifications: { email: version % 2 === 0, desktop: true, minLevel: 'warning' },
  };
}

/** The first start: the device, its account and a playlist every later iteration edits. */
export async function setup(h: HarnessState, server: Server, admin: string): Promise<void> {
  const device = {
    sn_number: SN,
    brand: 'Harness',
    model: 'TV',
    manufacturer: 'Harness',
    os_version: 'Android 11',
    screen_resolution: '1920x1080',
    total_storage: '32GB',
    free_storage: '20GB',
    mac_address: '00:1A:2B:3C:4D:5E',
    app_version: '1.0.0',
    ip_address: '192.168.1.100',
  };
  const registered = await request(server, `${API}/device/register/`, {
    token: admin,
    body: device,
  });
  if (registered.status !== 201) throw new Error(`register failed: ${registered.status}`);
  const playlist = await request(server, `${API}/playlists/`, {
    token: admin,
    body: playlistBody(h, 0),
  });
  if (playlist.status !== 201) throw new Error(`playlist failed: ${playlist.status}`);
  h.model.playlistId = (playlist.body as { id: number }).id;
}

/** A device socket that acknowledges every command and applies each `command_id` once. */
export function device(
  h: HarnessState,
  server: Server,
  token: string,
  ackedBefore: ReadonlySet<string>,
  duplicates: string[],
): Promise<WebSocket | undefined> {
  const url = `${server.url.replace(/^http/, 'ws')}/ws/cloud/tb_device/?token=${encodeURIComponent(token)}&sn_number=${SN}&acks=1`;
  const ws = new WebSocket(url);
  ws.on('message', (data: Buffer) => {
    let message: { action?: string; command_id?: string };
    try {
      message = JSON.parse(data.toString('utf8')) as typeof message;
    } catch {
      return;
    }
    const id = message.command_id;
    if (message.action === undefined || id === undefined) return;
    // A re-delivery of a command whose ack the kill cut is expected (the device applies a
    // command_id once); one whose ack the store had recorded is not.
    if (ackedBefore.has(id)) duplicates.push(id);
    h.model.applied.add(id);
    ws.send(JSON.stringify({ type: 'ack', command_id: id, ok: true }));
    h.figures.acknowledged.ack += 1;
  });
  ws.on('error', () => undefined);
  return new Promise((resolve) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', () => resolve(undefined));
  });
}

/** Writes until `stop` says so; each kind in its own loop, as separate clients would. */
export async function load(
  h: HarnessState,
  server: Server,
  token: string,
  rng: () => number,
  stop: { now: boolean },
): Promise<void> {
  const m = h.model;
  const maxUpload = h.options.maxUploadBytes ?? 200_000;
  const guard = async (kind: WriteKind, write: () => Promise<boolean>) => {
    while (!stop.now) {
      try {
        if (await write()) h.figures.acknowledged[kind] += 1;
        else h.figures.refused[kind] += 1;
      } catch {
        // The kill cut it: no answer came.
        h.figures.cut[kind] += 1;
        return;
      }
    }
  };
  await Promise.all([
    guard('upload', async () => {
      m.uploads += 1;
      const bytes = jpeg(2000 + Math.floor(rng() * Math.max(0, maxUpload - 2000)), m.uploads);
      const form = new FormData();
      form.append(
        'file',
        new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }),
        `u${m.uploads}.jpg`,
      );
      const res = await request(server, `${API}/media/`, { token, form });
      if (res.status !== 201) return false;
      m.media.set((res.body as { media_id: number }).media_id, md5(bytes));
      return true;
    }),
    guard('playlist', async () => {
      const version = m.playlistAcked + 1;
      m.playlistInFlight = version;
      const res = await request(server, `${API}/playlists/${m.playlistId}/`, {
        token,
        method: 'PUT',
        body: playlistBody(h, version),
      });
      if (res.status !== 200) return false;
      m.playlistAcked = version;
      m.playlistInFlight = undefined;
      return true;
    }),
    guard('command', async () => {
      const res = await request(server, `${API}/devices/${SN}/commands/`, {
        token,
        body: { command: { action: 'set_volume', volume: Math.floor(rng() * 100) } },
      });
      if (res.status !== 202) return false;
      for (const c of (res.body as { commands: { command_id: string }[] }).commands) {
        m.accepted.add(c.command_id);
      }
      return true;
    }),
    guard('session', async () => {
      m.sessions += 1;
      const id = `kill-${m.sessions}`;
      const played = await request(server, '/api/dashboard/session/update', {
        token,
        body: {
          session_id: id,
          title: 'Harness',
          current_time: 1,
          duration: 100,
          state: 'playing',
        },
      });
      if (played.status !== 200) return false;
      const stopped = await request(server, `/api/dashboard/session/${id}/stop`, {
        token,
        method: 'POST',
      });
      if (stopped.status !== 200) return false;
      m.stopped.add(id);
      return true;
    }),
    guard('settings', async () => {
      const version = m.settingsAcked + 1;
      m.settingsInFlight = version;
      const res = await request(server, '/api/v1/alerts/settings', {
        token,
        body: settingsBody(version),
      });
      if (res.status !== 200) return false;
      m.settingsAcked = version;
      m.settingsInFlight = undefined;
      return true;
    }),
    // The sampler writes the history (a row a second, a roll-up at each minute boundary); the
    // queries read it, with the minute in progress, while it does.
    guard('history', async () => {
      const res = await request(server, HISTORY_QUERY, { token });
      await new Promise((resolve) => setTimeout(resolve, 100));
      return res.status === 200;
    }),
  ]);
}
