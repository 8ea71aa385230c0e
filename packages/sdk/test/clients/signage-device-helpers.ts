/**
 * Shared setup for the device client tests: a temporary cache directory per test, the device's
 * registration, a client wired to the fake server with tiny delays, and an event log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, vi } from 'vitest';
import {
  createDeviceClient,
  type DeviceClient,
  type DeviceClientOptions,
  type DeviceState,
  type MediaResult,
} from '../../src/device';
import type { MarqueeError } from '../../src/errors';
import type { ClientMessage, PlaylistStatusMessage } from '../../src/protocol/signage/index';
import { FAST_BACKOFF, WAIT, onCleanup } from '../transport/helpers';
import { CREDENTIALS, SN, type FakeSignageServer } from './signage-fake-server';

export const DEVICE = {
  sn_number: SN,
  brand: 'Samsung',
  model: 'Galaxy TV',
  manufacturer: 'Samsung Electronics',
  os_version: 'Android 11',
  screen_resolution: '1920x1080',
  total_storage: '32GB',
  free_storage: '20GB',
  app_version: '1.0.0',
} as const;

/** A fresh cache directory, removed after the test. */
export function tempCacheDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'marquee-device-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A device client against `url` with test-friendly delays; closed after the test. */
export function deviceClient(
  url: string,
  options: Partial<DeviceClientOptions> & { cacheDir: string },
): { client: DeviceClient; log: ReturnType<typeof recordDevice> } {
  const client = createDeviceClient({
    baseUrl: url,
    credentials: CREDENTIALS,
    device: DEVICE,
    network: false,
    heartbeat: false,
    backoff: FAST_BACKOFF,
    retryBackoff: FAST_BACKOFF,
    downloadRetryDelayMs: 1,
    ...options,
  });
  onCleanup(() => client.close());
  return { client, log: recordDevice(client) };
}

/** Everything a device client reports, in order. */
export function recordDevice(client: DeviceClient) {
  const log = {
    states: [] as DeviceState[],
    media: [] as MediaResult[],
    statuses: [] as PlaylistStatusMessage[],
    ready: [] as number[][],
    errors: [] as MarqueeError[],
  };
  client.on('state', ({ state }) => log.states.push(state));
  client.on('media', (result) => log.media.push(result));
  client.on('playlist-status', (status) => log.statuses.push(status));
  client.on('ready-playlists', (ids) => log.ready.push(ids));
  client.on('error', (error) => log.errors.push(error));
  return log;
}

/** Starts the client and waits until the server holds its control socket. */
export async function startOnline(client: DeviceClient): Promise<void> {
  await client.start();
  await vi.waitFor(() => expect(client.state).toBe('online'), WAIT);
}

/** The `playlist_status` messages the server received for one playlist. */
export function statusesFor(server: FakeSignageServer, playlistId: number): ClientMessage[] {
  return server.received.filter(
    (message) => message.type === 'playlist_status' && message.playlist_id === playlistId,
  );
}

/** The `downloading` message the seed documents, for building expected sequences. */
export function downloading(playlistId: number, total: number, downloaded: number) {
  return {
    type: 'playlist_status',
    playlist_id: playlistId,
    status: 'downloading',
    total_items: total,
    downloaded_items: downloaded,
  } as const;
}

/** Media GETs the server saw for one file. */
export function mediaGets(server: FakeSignageServer, name: string) {
  return server.requestsTo(`/media/${name}`);
}
