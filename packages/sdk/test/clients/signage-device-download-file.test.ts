/**
 * `openDownloadFile`: the device client writes every download through it (`'w'` from the start,
 * `'a'` to resume), so a simulator can stand in for the disk. A write that rejects (a full disk)
 * fails the item and the playlist reports `failed` with the error.
 */
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { OpenDownloadFile } from '../../src/device';
import { WAIT } from '../transport/helpers';
import {
  deviceClient,
  mediaGets,
  startOnline,
  statusesFor,
  tempCacheDir,
} from './signage-device-helpers';
import { bytes, frontScreen, playlist, startFakeSignageServer } from './signage-fake-server';

describe('openDownloadFile', () => {
  it('is how every download reaches the disk', async () => {
    const server = await startFakeSignageServer();
    const body = bytes(20_000, 7);
    const video = server.addMedia(1002, 'clip.mp4', body);
    server.setScreens(frontScreen([playlist(101, [video])]));
    const cacheDir = tempCacheDir();
    const opened: [string, string][] = [];
    const openDownloadFile: OpenDownloadFile = (path, flags) => {
      opened.push([path, flags]);
      return open(path, flags);
    };

    const { client } = deviceClient(server.url, { cacheDir, openDownloadFile });
    await startOnline(client);
    await vi.waitFor(
      () => expect(statusesFor(server, 101).at(-1)).toMatchObject({ status: 'ready' }),
      WAIT,
    );

    expect(opened).toEqual([[join(cacheDir, '1002_clip.mp4.part'), 'w']]);
    expect(readFileSync(join(cacheDir, '1002_clip.mp4'))).toEqual(body);
  });

  it('a write that fails like a full disk fails the playlist at once, without fetching again', async () => {
    const server = await startFakeSignageServer();
    const logo = server.addMedia(1001, 'logo1.jpg', bytes(4000, 2));
    server.setScreens(frontScreen([playlist(101, [logo])]));
    const full: OpenDownloadFile = async (path, flags) => {
      const file = await open(path, flags);
      return {
        write: () =>
          Promise.reject(
            Object.assign(new Error('ENOSPC: no space left on device, write'), {
              code: 'ENOSPC',
            }),
          ),
        close: () => file.close(),
      };
    };

    const { client, log } = deviceClient(server.url, {
      cacheDir: tempCacheDir(),
      openDownloadFile: full,
      downloadRetries: 3,
    });
    await startOnline(client);
    await vi.waitFor(
      () => expect(statusesFor(server, 101).at(-1)).toMatchObject({ status: 'failed' }),
      WAIT,
    );

    expect(statusesFor(server, 101).at(-1)).toEqual({
      type: 'playlist_status',
      playlist_id: 101,
      status: 'failed',
      total_items: 1,
      downloaded_items: 0,
      error: expect.stringContaining('ENOSPC: no space left on device'),
    });
    expect(log.media).toEqual([expect.objectContaining({ outcome: 'failed' })]);
    expect(client.readyPlaylists).toEqual([]);
    // Another attempt would not free the disk: one request, no retries.
    expect(mediaGets(server, 'logo1.jpg')).toHaveLength(1);
  });
});
