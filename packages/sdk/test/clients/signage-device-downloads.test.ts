/**
 * The device client's media cache against the fake server: resume of a half-downloaded file by
 * Range / If-Range, a restart when the server answers 200, MD5 and zero-byte rejection with
 * exactly one re-download, no request for a file already verified, and the `playlist_status`
 * sequences of seed 002's example flows (ready, partial with missing_files, failed with error).
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
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

/** Size of a `.part` file in the cache, 0 when there is none. */
function partSize(cacheDir: string, file: string): number {
  const path = join(cacheDir, `${file}.part`);
  return existsSync(path) ? statSync(path).size : 0;
}

/**
 * Cuts a held download once the client has written `bytes` of it to its part file, so the cut
 * lands mid-body however slow the machine is.
 */
async function cutOnceWritten(
  server: FakeSignageServer,
  cacheDir: string,
  file: string,
  bytes: number,
) {
  await vi.waitFor(() => expect(partSize(cacheDir, file)).toBe(bytes), WAIT);
  server.releaseHeld();
}

/** Starts a client on `server` and waits until its startup statuses reached the server. */
async function runStartup(server: FakeSignageServer, cacheDir = tempCacheDir()) {
  const setup = deviceClient(server.url, { cacheDir });
  await startOnline(setup.client);
  await vi.waitFor(() => expect(server.received.at(-1)?.type).toBe('ready_playlists'), WAIT);
  return { ...setup, cacheDir };
}

describe('device downloads', () => {
  it('resumes a half-downloaded file with Range and If-Range', async () => {
    const server = await startFakeSignageServer();
    const body = bytes(64_000, 3);
    const video = server.addMedia(1002, 'ad_video.mp4', body);
    server.setScreens(frontScreen([playlist(101, [video])]));
    server.faults.holdAfter.set('/media/ad_video.mp4', 20_000);
    const cacheDir = tempCacheDir();
    const started = runStartup(server, cacheDir);
    await cutOnceWritten(server, cacheDir, '1002_ad_video.mp4', 20_000);
    const { log } = await started;

    const gets = mediaGets(server, 'ad_video.mp4');
    expect(gets).toHaveLength(2);
    expect(gets[0]?.headers.range).toBeUndefined();
    expect(gets[1]?.headers.range).toBe('bytes=20000-');
    expect(gets[1]?.headers['if-range']).toMatch(/^".+"$/);
    expect(readFileSync(join(cacheDir, '1002_ad_video.mp4'))).toEqual(body);
    expect(existsSync(join(cacheDir, '1002_ad_video.mp4.part'))).toBe(false);
    expect(existsSync(join(cacheDir, '1002_ad_video.mp4.part.json'))).toBe(false);
    expect(log.media).toEqual([
      expect.objectContaining({ outcome: 'downloaded', requests: 2, resumed: true }),
    ]);
    expect(statusesFor(server, 101).at(-1)).toMatchObject({ status: 'ready' });
  });

  it('resumes a part left by an earlier run', async () => {
    const server = await startFakeSignageServer();
    const body = bytes(50_000, 4);
    const video = server.addMedia(1002, 'clip.mp4', body);
    server.setScreens(frontScreen([playlist(101, [video])]));
    server.faults.holdAfter.set('/media/clip.mp4', 30_000);
    const cacheDir = tempCacheDir();
    // The first run is switched off mid-download, leaving the part behind.
    const first = deviceClient(server.url, { cacheDir });
    const started = first.client.start();
    await vi.waitFor(() => expect(partSize(cacheDir, '1002_clip.mp4')).toBe(30_000), WAIT);
    first.client.close();
    await started;
    server.releaseHeld();
    expect(first.log.media[0]).toMatchObject({ outcome: 'failed' });
    expect(partSize(cacheDir, '1002_clip.mp4')).toBe(30_000);

    const second = deviceClient(server.url, { cacheDir });
    await startOnline(second.client);
    expect(mediaGets(server, 'clip.mp4').at(-1)?.headers.range).toBe('bytes=30000-');
    expect(readFileSync(join(cacheDir, '1002_clip.mp4'))).toEqual(body);
    expect(second.log.media[0]).toMatchObject({ outcome: 'downloaded', resumed: true });
  });

  it('starts over when the server answers a Range request with the whole file (200)', async () => {
    const server = await startFakeSignageServer();
    const body = bytes(40_000, 5);
    const video = server.addMedia(1002, 'ad_video.mp4', body);
    server.setScreens(frontScreen([playlist(101, [video])]));
    server.faults.holdAfter.set('/media/ad_video.mp4', 10_000);
    server.faults.noRanges.add('/media/ad_video.mp4');
    const cacheDir = tempCacheDir();
    const started = runStartup(server, cacheDir);
    await cutOnceWritten(server, cacheDir, '1002_ad_video.mp4', 10_000);
    const { log } = await started;

    expect(mediaGets(server, 'ad_video.mp4')[1]?.headers.range).toBe('bytes=10000-');
    expect(readFileSync(join(cacheDir, '1002_ad_video.mp4'))).toEqual(body);
    expect(log.media[0]).toMatchObject({ outcome: 'downloaded', requests: 2, resumed: false });
  });

  it('fetches a corrupted download (wrong MD5) again exactly once', async () => {
    const server = await startFakeSignageServer();
    const body = bytes(8000, 6);
    const logo = server.addMedia(1001, 'logo1.jpg', body);
    server.setScreens(frontScreen([playlist(101, [logo])]));
    server.faults.corrupt.set('/media/logo1.jpg', 1);

    const { log, cacheDir } = await runStartup(server);

    expect(mediaGets(server, 'logo1.jpg')).toHaveLength(2);
    expect(mediaGets(server, 'logo1.jpg')[1]?.headers.range).toBeUndefined();
    expect(readFileSync(join(cacheDir, '1001_logo1.jpg'))).toEqual(body);
    expect(log.media[0]).toMatchObject({ outcome: 'downloaded', requests: 2 });
  });

  it('gives up after the one re-download when the file stays corrupted', async () => {
    const server = await startFakeSignageServer();
    const logo = server.addMedia(1001, 'logo1.jpg', bytes(8000, 6));
    const banner = server.addMedia(1003, 'banner.jpg', bytes(2000, 9));
    server.setScreens(frontScreen([playlist(101, [logo, banner])]));
    server.faults.corrupt.set('/media/logo1.jpg', 5);

    const { log, cacheDir } = await runStartup(server);

    expect(mediaGets(server, 'logo1.jpg')).toHaveLength(2);
    expect(existsSync(join(cacheDir, '1001_logo1.jpg'))).toBe(false);
    expect(existsSync(join(cacheDir, '1001_logo1.jpg.part'))).toBe(false);
    expect(log.media[0]?.error?.message).toMatch(/checksum mismatch/);
    expect(statusesFor(server, 101).at(-1)).toEqual({
      type: 'playlist_status',
      playlist_id: 101,
      status: 'partial',
      total_items: 2,
      downloaded_items: 1,
      missing_files: ['logo1.jpg'],
    });
  });

  it('rejects a zero-byte file and downloads it once more', async () => {
    const server = await startFakeSignageServer();
    const logo = server.addMedia(1001, 'logo1.jpg', bytes(8000, 6));
    server.setScreens(frontScreen([playlist(101, [logo])]));
    server.faults.empty.add('/media/logo1.jpg');

    const { log, cacheDir } = await runStartup(server);

    expect(mediaGets(server, 'logo1.jpg')).toHaveLength(2);
    expect(existsSync(join(cacheDir, '1001_logo1.jpg'))).toBe(false);
    expect(log.media[0]?.error?.message).toMatch(/empty file/);
    expect(statusesFor(server, 101).at(-1)).toMatchObject({ status: 'failed' });
  });

  it('skips files already present and verified (no second GET)', async () => {
    const server = await startFakeSignageServer();
    const logo = server.addMedia(1001, 'logo1.jpg', bytes(5000, 1));
    const video = server.addMedia(1002, 'ad_video.mp4', bytes(30_000, 2));
    server.setScreens(frontScreen([playlist(101, [logo, video])]));
    const { client, cacheDir } = await runStartup(server);
    client.close();
    expect(mediaGets(server, 'logo1.jpg')).toHaveLength(1);

    const again = deviceClient(server.url, { cacheDir });
    const before = server.received.length;
    await startOnline(again.client);
    await vi.waitFor(() => expect(server.received.length).toBe(before + 5), WAIT);

    expect(mediaGets(server, 'logo1.jpg')).toHaveLength(1);
    expect(mediaGets(server, 'ad_video.mp4')).toHaveLength(1);
    expect(again.log.media.map((m) => [m.outcome, m.requests])).toEqual([
      ['cached', 0],
      ['cached', 0],
    ]);
    expect(server.received.slice(before).at(-2)).toMatchObject({ status: 'ready' });
  });

  it('downloads a cached file again when it no longer matches its checksum', async () => {
    const server = await startFakeSignageServer();
    const body = bytes(5000, 1);
    const logo = server.addMedia(1001, 'logo1.jpg', body);
    server.setScreens(frontScreen([playlist(101, [logo])]));
    const { client, cacheDir } = await runStartup(server);
    client.close();
    writeFileSync(join(cacheDir, '1001_logo1.jpg'), 'damaged on disk');

    const again = deviceClient(server.url, { cacheDir });
    await startOnline(again.client);
    expect(mediaGets(server, 'logo1.jpg')).toHaveLength(2);
    expect(readFileSync(join(cacheDir, '1001_logo1.jpg'))).toEqual(body);
  });
});

describe('playlist_status sequences (seed 002 example flows)', () => {
  it('successful download: downloading 0..n, then ready', async () => {
    const server = await startFakeSignageServer();
    const items = [1, 2, 3].map((n) => server.addMedia(n, `item_${n}.jpg`, bytes(1000 + n, n)));
    server.setScreens(frontScreen([playlist(102, items)]));
    await runStartup(server);
    expect(statusesFor(server, 102)).toEqual([
      downloading(102, 3, 0),
      downloading(102, 3, 1),
      downloading(102, 3, 2),
      downloading(102, 3, 3),
      {
        type: 'playlist_status',
        playlist_id: 102,
        status: 'ready',
        total_items: 3,
        downloaded_items: 3,
      },
    ]);
  });

  it('one file missing: the count holds after the failed item, then partial', async () => {
    const server = await startFakeSignageServer();
    const items = [1, 2, 3, 4, 5].map((n) =>
      server.addMedia(n, n === 3 ? 'video_3.mp4' : `item_${n}.jpg`, bytes(1000 + n, n)),
    );
    server.setScreens(frontScreen([playlist(101, items)]));
    server.faults.missing.add('/media/video_3.mp4');
    await runStartup(server);
    // The seed's flow: 0, 1, 2, 2 (third failed, continue), ..., 4, then partial.
    expect(statusesFor(server, 101)).toEqual([
      downloading(101, 5, 0),
      downloading(101, 5, 1),
      downloading(101, 5, 2),
      downloading(101, 5, 2),
      downloading(101, 5, 3),
      downloading(101, 5, 4),
      {
        type: 'playlist_status',
        playlist_id: 101,
        status: 'partial',
        total_items: 5,
        downloaded_items: 4,
        missing_files: ['video_3.mp4'],
      },
    ]);
    expect(server.received.at(-1)).toEqual({ type: 'ready_playlists', playlist_ids: [] });
  });

  it('nothing downloads: failed with the error', async () => {
    const server = await startFakeSignageServer();
    const logo = server.addMedia(1, 'logo.jpg', bytes(1000, 1));
    server.setScreens(frontScreen([playlist(103, [logo])]));
    server.faults.missing.add('/media/logo.jpg');
    await runStartup(server);
    expect(statusesFor(server, 103)).toEqual([
      downloading(103, 1, 0),
      downloading(103, 1, 0),
      {
        type: 'playlist_status',
        playlist_id: 103,
        status: 'failed',
        total_items: 1,
        downloaded_items: 0,
        error: 'No such file',
      },
    ]);
  });

  it('several files failing: failed with "All downloads failed" and the first cause', async () => {
    const server = await startFakeSignageServer();
    const items = [1, 2].map((n) => server.addMedia(n, `f${n}.jpg`, bytes(100, n)));
    server.setScreens(frontScreen([playlist(104, items)]));
    server.faults.missing.add('/media/f1.jpg').add('/media/f2.jpg');
    await runStartup(server);
    expect(statusesFor(server, 104).at(-1)).toEqual({
      type: 'playlist_status',
      playlist_id: 104,
      status: 'failed',
      total_items: 2,
      downloaded_items: 0,
      error: 'All downloads failed: No such file',
    });
  });
});
