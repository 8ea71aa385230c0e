/**
 * The TV web player in Debian's Chromium (playwright-core) against a real Marquee server on port
 * 0, served at /tv/ from the build (`npm run build`): a kiosk start
 * with credentials in the query, a playlist of generated images playing in order with the right
 * durations and no gap, each control action taking effect and acked (brightness refused as
 * unsupported in a plain browser, a late command acked as expired), and a screenshot arriving at
 * the server. The browser and its CI rule are the server page tests' (helpers/browser.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer } from '@marquee/server/testing';
import { createSignageAdminClient, type AdminCommand, type SignageAdminClient } from '@marquee/sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  chromiumAvailable,
  expectInlineScriptBlocked,
  launchChromium,
  watchCspViolations,
} from '../../../../packages/server/test/helpers/browser';
import { assignPlaylist } from '../../../../packages/simulators/src/index';
import { screenshotPng } from '../../../../packages/simulators/src/tv/screenshot';
import {
  startMarquee,
  type TestMarquee,
} from '../../../../packages/simulators/test/helpers/marquee-server';
import { registerTv } from '../../../../packages/simulators/test/helpers/signage';
import type { Diagnostics } from '../src/player';
import { requireBuilt } from './player-suite';

const BUILD = join(import.meta.dirname, '../../../../packages/server/tv/player.js');
const DEVICE = { username: 'tv-web', password: 'tv-web-password-1' } as const;
const SN = 'WEB-TV-1';
const WAIT = { timeout: 15_000, interval: 50 } as const;

type Plays = Diagnostics['plays'];

describe.runIf(chromiumAvailable)('TV web player in Chromium', () => {
  let marquee: TestMarquee;
  let admin: SignageAdminClient;
  let browser: Browser;
  let page: Page;
  let violations: string[];
  const media: Record<'a' | 'b' | 'c' | 'd', number> = { a: 0, b: 0, c: 0, d: 0 };
  let lobby = 0;
  let other = 0;
  /** The canvas-recorded clip, once the video test uploaded it. */
  let clipId = 0;

  beforeAll(async () => {
    requireBuilt(BUILD);
    marquee = await startMarquee();
    await marquee.server.auth.createUser({ ...DEVICE, role: 'device' });
    admin = createSignageAdminClient({ baseUrl: marquee.url, credentials: marquee.admin });
    for (const [index, key] of (['a', 'b', 'c', 'd'] as const).entries()) {
      const uploaded = await admin.uploadMedia(screenshotPng(40 + index * 50, 320, 180), {
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
          { media_id: media.a, timing: timing(2) },
          { media_id: media.b, timing: timing(1), n_time_play: 2 },
          { media_id: media.c, timing: timing(1) },
        ],
      })
    ).id;
    other = (
      await admin.createPlaylist({
        name: 'Other',
        width: 1920,
        height: 1080,
        media_items: [{ media_id: media.d, timing: timing(30) }],
      })
    ).id;
    await registerTv(marquee, SN);
    await assignPlaylist(admin, SN, lobby);
    await admin.setScreen(SN, 'front', {
      screen_name: 'Front Display',
      resolution: '1920x1080',
      playlist_ids: [lobby, other],
      current_playlist: lobby,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 960, height: 540 } });
    violations = await watchCspViolations(page);
    // The device's wall clock, movable by the test (a TV whose clock runs ahead).
    await page.addInitScript(() => {
      const real = Date.now.bind(Date);
      Date.now = () => real() + ((window as unknown as { __skew?: number }).__skew ?? 0);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await marquee?.close();
  });

  const diag = () =>
    page.evaluate(() => (window as unknown as { marqueeTv: Diagnostics }).marqueeTv);
  const plays = async (): Promise<Plays> => (await diag()).plays;
  const onScreen = () => page.locator('.zone .media.on').getAttribute('data-media-id');

  async function command(action: AdminCommand, ttlSeconds?: number) {
    const accepted = await admin.sendCommand(
      SN,
      action,
      ttlSeconds === undefined ? {} : { ttlSeconds },
    );
    const id = accepted.commands[0]?.command_id ?? '';
    return vi.waitFor(async () => {
      const record = await admin.getCommand(id);
      expect(['acked', 'failed', 'expired']).toContain(record.state);
      return record;
    }, WAIT);
  }

  it('starts from kiosk query credentials, keeps them and takes them off the address bar', async () => {
    const query = new URLSearchParams({ ...DEVICE, sn_number: SN });
    const response = await page.goto(`${marquee.url}/tv/?${query.toString()}`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("media-src 'self' blob:");
    await expect.poll(() => page.url()).toBe(`${marquee.url}/tv/`);
    await expect.poll(async () => (await diag()).state, WAIT).toBe('online');
    const stored = await page.evaluate(() => localStorage.getItem('marquee.tv.provisioning'));
    expect(JSON.parse(stored ?? '{}')).toMatchObject({ username: DEVICE.username, snNumber: SN });
    // Seed 002's reports: every playlist downloaded and announced ready.
    await expect
      .poll(async () => (await diag()).statuses.filter((s) => s.type === 'ready_playlists'), WAIT)
      .toContainEqual({ type: 'ready_playlists', playlist_ids: [lobby, other] });
    const device = await admin.getDevice(SN);
    expect(device.app_version).toBe('0.1.0');
  });

  it('plays the playlist in order with each item’s duration, n_time_play times, gaplessly', async () => {
    await expect
      .poll(async () => (await plays()).length, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(6);
    const done = (await plays()).slice(0, 6);
    expect(done.map((p) => p.mediaId)).toEqual([
      media.a,
      media.b,
      media.b,
      media.c,
      media.a,
      media.b,
    ]);
    expect(done.map((p) => p.play)).toEqual([1, 1, 2, 1, 1, 1]);
    const expected = [2000, 1000, 1000, 1000, 2000, 1000];
    done.forEach((p, i) => {
      expect(p.completed).toBe(true);
      expect(p.durationMs).toBeGreaterThanOrEqual((expected[i] ?? 0) - 20);
      expect(p.durationMs).toBeLessThan((expected[i] ?? 0) + 400);
    });
    // Each item starts where the one before ended.
    for (let i = 1; i < done.length; i++) {
      expect((done[i]?.start ?? 0) - (done[i - 1]?.end ?? 0)).toBeLessThanOrEqual(250);
    }
  });

  it('applies each control action and acks it; brightness is refused as unsupported', async () => {
    expect(await command({ action: 'pause' })).toMatchObject({ state: 'acked' });
    const frozen = (await plays()).length;
    const held = await onScreen();
    // Paused: the item on screen stays past every duration of the playlist.
    await page.waitForTimeout(2500);
    expect((await plays()).length).toBe(frozen);
    expect(await onScreen()).toBe(held);
    expect(await command({ action: 'play' })).toMatchObject({ state: 'acked' });
    await expect.poll(async () => (await plays()).length, WAIT).toBeGreaterThan(frozen);

    expect(await command({ action: 'play_media', media_id: media.c })).toMatchObject({
      state: 'acked',
    });
    await expect.poll(onScreen, WAIT).toBe(String(media.c));
    expect((await plays()).at(-1)?.completed).toBe(false);
    expect(await command({ action: 'next' })).toMatchObject({ state: 'acked' });
    await expect.poll(onScreen, WAIT).toBe(String(media.a));
    expect(await command({ action: 'previous' })).toMatchObject({ state: 'acked' });
    await expect.poll(onScreen, WAIT).toBe(String(media.c));
    expect(await command({ action: 'play_media', media_id: 9999 })).toMatchObject({
      state: 'failed',
      error: 'No media 9999 in the current playlist',
    });

    expect(
      await command({
        action: 'show_text_overlay',
        text_overlay: { text: 'Doors close at 18:00', animation: 'static', position: 'top' },
      }),
    ).toMatchObject({ state: 'acked' });
    const overlay = page.locator('#overlay');
    expect(await overlay.isVisible()).toBe(true);
    expect(await overlay.textContent()).toBe('Doors close at 18:00');
    expect(await command({ action: 'hide_text_overlay' })).toMatchObject({ state: 'acked' });
    expect(await overlay.isHidden()).toBe(true);

    expect(await command({ action: 'set_volume', volume: 30 })).toMatchObject({ state: 'acked' });
    expect((await diag()).volume).toBe(30);
    expect((await admin.getDevice(SN)).volume).toBe(30);
    expect(await command({ action: 'set_brightness', brightness: 20 })).toMatchObject({
      state: 'failed',
      error: 'Brightness is not supported here: no native bridge (a plain browser)',
    });

    expect(await command({ action: 'switch_playlist', playlist_id: other })).toMatchObject({
      state: 'acked',
    });
    await expect.poll(onScreen, WAIT).toBe(String(media.d));
    expect((await diag()).playlistId).toBe(other);
    expect(await command({ action: 'reload_playlist' })).toMatchObject({ state: 'acked' });
    expect(await onScreen()).toBe(String(media.d));
  });

  it('take_screenshot captures the page and uploads it as a JPEG', async () => {
    expect(await command({ action: 'take_screenshot' })).toMatchObject({ state: 'acked' });
    const list = await admin.listScreenshots(SN);
    expect(list.count).toBe(1);
    expect(list.results[0]?.media_id).toBe(media.d);
    const image = new Uint8Array(
      await (await admin.getScreenshot(list.results[0]?.id ?? 0)).arrayBuffer(),
    );
    expect([...image.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect((await diag()).screenshots).toBe(1);
  });

  it('acks a command that arrives after its expires_at as expired, without applying it', async () => {
    await page.evaluate(() => Reflect.set(window, '__skew', 3_600_000));
    const record = await command({ action: 'set_volume', volume: 80 }, 60);
    expect(record).toMatchObject({ state: 'expired' });
    expect((await diag()).volume).toBe(30);
    await page.evaluate(() => Reflect.set(window, '__skew', 0));
    // The whole run kept to the page's CSP, and the CSP is in force.
    expect(violations).toEqual([]);
    await expectInlineScriptBlocked(page, violations);
  });

  /** A page of its own (fresh storage and cache), kept to the CSP; closed by the caller. */
  async function freshPage(): Promise<{
    page: Page;
    violations: string[];
    close(): Promise<void>;
  }> {
    const context = await browser.newContext({ viewport: { width: 640, height: 360 } });
    const fresh = await context.newPage();
    return {
      page: fresh,
      violations: await watchCspViolations(fresh),
      close: () => context.close(),
    };
  }

  const diagOf = (p: Page) =>
    p.evaluate(() => (window as unknown as { marqueeTv: Diagnostics }).marqueeTv);

  it('pairs: shows a code, starts once an operator approves it, and keeps the account', async () => {
    const tv = await freshPage();
    try {
      await tv.page.goto(`${marquee.url}/tv/`);
      const code = tv.page.locator('#pairing-code');
      await expect.poll(() => code.textContent(), WAIT).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
      const shown = (await code.textContent()) ?? '';
      const approve = await fetch(
        `${marquee.url}/api/v1/admin/cloud/pairing/${encodeURIComponent(shown)}/approve/`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${await marquee.login()}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ sn_number: 'PAIRED-TV', name: 'Paired screen' }),
        },
      );
      expect(approve.status).toBe(200);
      await expect.poll(async () => (await diagOf(tv.page)).state, WAIT).toBe('online');
      expect(await tv.page.locator('#pairing').isHidden()).toBe(true);
      expect((await admin.getDevice('PAIRED-TV')).app_version).toBe('0.1.0');
      const kept = await tv.page.evaluate(() => localStorage.getItem('marquee.tv.provisioning'));
      expect(JSON.parse(kept ?? '{}')).toMatchObject({ snNumber: 'PAIRED-TV' });
      // Started again, it signs in with what it kept: no code.
      await tv.page.reload();
      await expect.poll(async () => (await diagOf(tv.page)).state, WAIT).toBe('online');
      expect(await tv.page.locator('#pairing').isHidden()).toBe(true);
      expect(tv.violations).toEqual([]);
    } finally {
      await tv.close();
    }
  });

  it('detects a corrupted download by its MD5 and fetches the file again', async () => {
    const sn = 'WEB-TV-2';
    await registerTv(marquee, sn);
    await assignPlaylist(admin, sn, lobby);
    const tv = await freshPage();
    try {
      const fetched: string[] = [];
      let corrupted = false;
      await tv.page.route('**/media/**', async (route) => {
        fetched.push(new URL(route.request().url()).pathname);
        const response = await route.fetch();
        const body = await response.body();
        if (!corrupted && route.request().url().endsWith('a.png')) {
          corrupted = true;
          body[body.length - 20] = (body[body.length - 20] ?? 0) ^ 0xff;
        }
        await route.fulfill({ response, body });
      });
      const query = new URLSearchParams({ ...DEVICE, sn_number: sn });
      await tv.page.goto(`${marquee.url}/tv/?${query.toString()}`);
      await expect
        .poll(async () => (await diagOf(tv.page)).statuses, WAIT)
        .toContainEqual({
          type: 'playlist_status',
          playlist_id: lobby,
          status: 'ready',
          total_items: 3,
          downloaded_items: 3,
        });
      expect(corrupted).toBe(true);
      expect(fetched.filter((path) => path.endsWith('a.png'))).toHaveLength(2);
      await expect.poll(async () => (await diagOf(tv.page)).plays.length, WAIT).toBeGreaterThan(0);
      expect((await diagOf(tv.page)).plays[0]?.mediaId).toBe(media.a);
      expect(tv.violations).toEqual([]);
    } finally {
      await tv.close();
    }
  });

  it('keeps playing while its server is away, and reconnects when it is back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'marquee-tv-restart-'));
    let server = await startTestServer({}, { dataDir });
    const tv = await freshPage();
    try {
      await server.server.auth.createUser({ ...DEVICE, role: 'device' });
      const local = createSignageAdminClient({ baseUrl: server.url, credentials: server.admin });
      const ids: number[] = [];
      for (const seed of [7, 8]) {
        const uploaded = await local.uploadMedia(screenshotPng(seed), {
          fileName: `r${seed}.png`,
          contentType: 'image/png',
        });
        ids.push(uploaded.media_id);
      }
      const playlist = await local.createPlaylist({
        name: 'Restart',
        width: 1920,
        height: 1080,
        media_items: ids.map((id) => ({
          media_id: id,
          timing: { start_time: 0, duration: 1, loop: false },
        })),
      });
      const query = new URLSearchParams({ ...DEVICE, sn_number: 'WEB-TV-R' });
      await tv.page.goto(`${server.url}/tv/?${query.toString()}`);
      await expect.poll(async () => (await diagOf(tv.page)).state, WAIT).toBe('online');
      await assignPlaylist(local, 'WEB-TV-R', playlist.id);
      await expect.poll(async () => (await diagOf(tv.page)).plays.length, WAIT).toBeGreaterThan(0);

      const port = Number(new URL(server.url).port);
      await server.close();
      await expect.poll(async () => (await diagOf(tv.page)).state, WAIT).toBe('offline');
      const away = (await diagOf(tv.page)).plays.length;
      // Still playing from the cache.
      await expect
        .poll(async () => (await diagOf(tv.page)).plays.length, WAIT)
        .toBeGreaterThanOrEqual(away + 2);

      server = await startTestServer({ port }, { dataDir });
      await expect
        .poll(async () => (await diagOf(tv.page)).state, { timeout: 40_000 })
        .toBe('online');
      const back = createSignageAdminClient({ baseUrl: server.url, credentials: server.admin });
      const accepted = await back.sendCommand('WEB-TV-R', { action: 'next' });
      await vi.waitFor(async () => {
        const record = await back.getCommand(accepted.commands[0]?.command_id ?? '');
        expect(record.state).toBe('acked');
      }, WAIT);
      expect(tv.violations).toEqual([]);
    } finally {
      await tv.close();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('lays out zones from the items’ layouts, each playing its own items', async () => {
    const timing = (duration: number) => ({ start_time: 0, duration, loop: false });
    const ticker = { x: 0, y: 810, width: 1920, height: 270, z_index: 5 };
    const zoned = await admin.createPlaylist({
      name: 'Zoned',
      width: 1920,
      height: 1080,
      media_items: [
        { media_id: media.a, timing: timing(30) },
        { media_id: media.b, timing: timing(30), layout: ticker },
      ],
    });
    const sn = 'WEB-TV-5';
    await registerTv(marquee, sn);
    await assignPlaylist(admin, sn, zoned.id);
    const tv = await freshPage();
    try {
      const query = new URLSearchParams({ ...DEVICE, sn_number: sn });
      await tv.page.goto(`${marquee.url}/tv/?${query.toString()}`);
      const main = tv.page.locator(`.zone img.on[data-media-id="${media.a}"]`);
      const band = tv.page.locator(`.zone img.on[data-media-id="${media.b}"]`);
      await main.waitFor(WAIT);
      await band.waitFor(WAIT);
      // 640×360 viewport: the 1920×1080 canvas at a third; the ticker is the bottom quarter, on top.
      expect(await tv.page.locator('.zone').nth(0).boundingBox()).toEqual({
        x: 0,
        y: 0,
        width: 640,
        height: 360,
      });
      expect(await tv.page.locator('.zone').nth(1).boundingBox()).toEqual({
        x: 0,
        y: 270,
        width: 640,
        height: 90,
      });
      const zIndex = await tv.page
        .locator('.zone')
        .nth(1)
        .evaluate((el) => getComputedStyle(el).zIndex);
      expect(zIndex).toBe('5');
      expect(tv.violations).toEqual([]);
    } finally {
      await tv.close();
    }
  });

  it('plays a video for its duration between images, started on the swap', async () => {
    // A 3 s VP8 WebM recorded from a canvas in the browser itself.
    const recorder = await browser.newPage();
    const webm = await recorder.evaluate(async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 320;
      canvas.height = 180;
      const ctx = canvas.getContext('2d');
      if (!ctx) throw new Error('no 2d canvas');
      const stream = canvas.captureStream(25);
      const rec = new MediaRecorder(stream, { mimeType: 'video/webm;codecs=vp8' });
      const chunks: Blob[] = [];
      rec.ondataavailable = (event) => chunks.push(event.data);
      const stopped = new Promise((resolve) => (rec.onstop = resolve));
      rec.start(100);
      const started = performance.now();
      await new Promise<void>((resolve) => {
        const draw = () => {
          const t = performance.now() - started;
          ctx.fillStyle = `hsl(${Math.round(t / 10) % 360} 80% 50%)`;
          ctx.fillRect(0, 0, 320, 180);
          if (t < 3000) requestAnimationFrame(draw);
          else resolve();
        };
        draw();
      });
      rec.stop();
      await stopped;
      return [...new Uint8Array(await new Blob(chunks).arrayBuffer())];
    });
    await recorder.close();
    const video = await admin.uploadMedia(new Uint8Array(webm), {
      fileName: 'clip.webm',
      contentType: 'video/webm',
    });
    expect(video.media_type).toBe('video');
    clipId = video.media_id;
    const timing = (duration: number) => ({ start_time: 0, duration, loop: false });
    const withVideo = await admin.createPlaylist({
      name: 'With video',
      width: 1920,
      height: 1080,
      media_items: [
        { media_id: media.a, timing: timing(1) },
        { media_id: video.media_id, timing: timing(2) },
        { media_id: media.b, timing: timing(1) },
      ],
    });
    const sn = 'WEB-TV-3';
    await registerTv(marquee, sn);
    await assignPlaylist(admin, sn, withVideo.id);
    const tv = await freshPage();
    try {
      const query = new URLSearchParams({ ...DEVICE, sn_number: sn });
      await tv.page.goto(`${marquee.url}/tv/?${query.toString()}`);
      await expect
        .poll(async () => (await diagOf(tv.page)).plays.length, { timeout: 20_000 })
        .toBeGreaterThanOrEqual(3);
      const [first, clip, last] = (await diagOf(tv.page)).plays;
      expect([first?.mediaId, clip?.mediaId, last?.mediaId]).toEqual([
        media.a,
        video.media_id,
        media.b,
      ]);
      expect(clip?.durationMs).toBeGreaterThanOrEqual(1980);
      expect(clip?.durationMs).toBeLessThan(2400);
      expect((clip?.start ?? 0) - (first?.end ?? 0)).toBeLessThanOrEqual(250);
      expect((last?.start ?? 0) - (clip?.end ?? 0)).toBeLessThanOrEqual(250);
      // The next time round, the video element on screen is really playing.
      const playing = tv.page.locator(`.zone video.on[data-media-id="${video.media_id}"]`);
      await playing.waitFor({ timeout: 15_000 });
      await expect
        .poll(() => playing.evaluate((el) => (el as HTMLVideoElement).currentTime), WAIT)
        .toBeGreaterThan(0.3);
      expect(tv.violations).toEqual([]);
    } finally {
      await tv.close();
    }
  }, 45_000);

  it('skips a video whose position stops moving within 15 s and reports it', async () => {
    expect(clipId).toBeGreaterThan(0);
    const timing = (duration: number) => ({ start_time: 0, duration, loop: true });
    const stalls = await admin.createPlaylist({
      name: 'Stalls',
      width: 1920,
      height: 1080,
      media_items: [
        { media_id: clipId, timing: timing(60) },
        { media_id: media.c, timing: timing(30) },
      ],
    });
    const sn = 'WEB-TV-4';
    await registerTv(marquee, sn);
    await assignPlaylist(admin, sn, stalls.id);
    const tv = await freshPage();
    try {
      // A decoder that never advances: play() succeeds, the position stays at 0.
      await tv.page.addInitScript(() => {
        HTMLMediaElement.prototype.play = () => Promise.resolve();
      });
      const query = new URLSearchParams({ ...DEVICE, sn_number: sn });
      await tv.page.goto(`${marquee.url}/tv/?${query.toString()}`);
      await tv.page.locator(`.zone video.on[data-media-id="${clipId}"]`).waitFor(WAIT);
      await expect
        .poll(() => tv.page.locator('.zone .media.on').getAttribute('data-media-id'), {
          timeout: 15_000,
          interval: 200,
        })
        .toBe(String(media.c));
      const [stalled] = (await diagOf(tv.page)).plays;
      expect(stalled).toMatchObject({ mediaId: clipId, completed: false });
      expect(stalled?.durationMs).toBeGreaterThanOrEqual(10_000);
      expect(stalled?.durationMs).toBeLessThan(15_000);
      expect((await diagOf(tv.page)).errors).toContain('Skipped clip.webm: no progress for 10 s');
    } finally {
      await tv.close();
    }
  }, 45_000);
});
