/**
 * Proof of play and the offline start of the TV web player, in Debian's Chromium against a real
 * server (port 0, then restarted on the same port and data directory), served at /tv/ from the
 * build (`npm run build`):
 *
 * - a 2-item playlist plays, each play reaches `GET /api/v1/admin/cloud/plays/` once with the
 *   duration the player measured, and those durations are the items' (−20/+400 ms);
 * - with the server stopped the plays wait in IndexedDB and arrive once it is back;
 * - the health report sent when the socket opens shows in the admin device view;
 * - the service worker lets the page load with the server down: a reload then starts the player
 *   from the kept shell, it plays its cached playlist, and every play from before and after the
 *   reload reaches the server exactly once when it returns.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { protocol, createSignageAdminClient } from '@marquee/sdk';
import { startTestServer, type TestServer } from '@marquee/server/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  launchChromium,
  watchCspViolations,
} from '../../../../packages/server/test/helpers/browser';
import { assignPlaylist } from '../../../../packages/simulators/src/index';
import { screenshotPng } from '../../../../packages/simulators/src/tv/screenshot';
import type { Diagnostics } from '../src/player';
import { requireBuilt } from './player-suite';

const BUILD = join(import.meta.dirname, '../../../../packages/server/tv/sw.js');
const DEVICE = { username: 'tv-pop', password: 'tv-pop-password-1' } as const;
const WAIT = { timeout: 15_000, interval: 100 } as const;
/** The player retries the server with backoff (up to 60 s between tries, full jitter). */
const BACK = { timeout: 70_000, interval: 250 } as const;

interface Setup {
  server: TestServer;
  dataDir: string;
  port: number;
  /** Media id → the item's duration in ms. */
  durations: Map<number, number>;
}

/** A server with a device account and a 2-item playlist (1 s and 2 s images) on `sn`. */
async function setUp(sn: string): Promise<Setup> {
  const dataDir = mkdtempSync(join(tmpdir(), 'marquee-tv-pop-'));
  const server = await startTestServer({}, { dataDir });
  await server.server.auth.createUser({ ...DEVICE, role: 'device' });
  const admin = createSignageAdminClient({ baseUrl: server.url, credentials: server.admin });
  const durations = new Map<number, number>();
  const items = [];
  for (const [index, seconds] of [1, 2].entries()) {
    const uploaded = await admin.uploadMedia(screenshotPng(60 + index * 90, 320, 180), {
      fileName: `pop-${index}.png`,
      contentType: 'image/png',
    });
    durations.set(uploaded.media_id, seconds * 1000);
    items.push({
      media_id: uploaded.media_id,
      timing: { start_time: 0, duration: seconds, loop: false },
    });
  }
  const playlist = await admin.createPlaylist({
    name: 'Proof',
    width: 1920,
    height: 1080,
    media_items: items,
  });
  // The screen is assigned before the TV first starts: its start-up flow finds the playlist.
  const token = await server.login();
  const res = await fetch(`${server.url}/api/v1/admin/cloud/device/register/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      sn_number: sn,
      brand: 'Marquee',
      model: 'Web player',
      manufacturer: 'Marquee',
      os_version: 'Chromium',
      screen_resolution: '640x360',
      total_storage: '1GB',
      free_storage: '1GB',
      app_version: '0.1.0',
    }),
  });
  expect([200, 201]).toContain(res.status);
  await assignPlaylist(admin, sn, playlist.id);
  return { server, dataDir, port: Number(new URL(server.url).port), durations };
}

async function storedPlays(server: TestServer, sn: string): Promise<protocol.signage.PlayView[]> {
  const token = await server.login();
  const res = await fetch(`${server.url}/api/v1/admin/cloud/plays/?sn_number=${sn}&limit=1000`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  return protocol.signage.PlayList.parse(await res.json()).results;
}

describe.runIf(chromiumAvailable)('TV web player: proof of play and offline start', () => {
  let browser: Browser;

  beforeAll(async () => {
    requireBuilt(BUILD);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function openTv(setup: Setup, sn: string) {
    const context = await browser.newContext({ viewport: { width: 640, height: 360 } });
    const page = await context.newPage();
    const violations = await watchCspViolations(page);
    const query = new URLSearchParams({ ...DEVICE, sn_number: sn });
    await page.goto(`${setup.server.url}/tv/?${query.toString()}`);
    return { context, page, violations };
  }

  const diagOf = (page: Page) =>
    page.evaluate(() => (window as unknown as { marqueeTv: Diagnostics }).marqueeTv);

  it('sends each play once with its measured duration, and keeps them while the server is away', async () => {
    const sn = 'WEB-POP-1';
    let setup = await setUp(sn);
    const tv = await openTv(setup, sn);
    try {
      await expect.poll(async () => (await diagOf(tv.page)).state, WAIT).toBe('online');
      expect((await diagOf(tv.page)).playQueue).toBe('indexeddb');
      // Four plays (two of each item), all acknowledged by the server.
      await expect
        .poll(async () => {
          const d = await diagOf(tv.page);
          return d.plays.length >= 4 && d.unsentPlays === 0 && d.sentPlays >= d.plays.length;
        }, WAIT)
        .toBe(true);
      const played = (await diagOf(tv.page)).plays;
      const stored = await storedPlays(setup.server, sn);
      const byId = new Map(stored.map((p) => [p.id, p]));
      expect(stored.length).toBeGreaterThanOrEqual(played.length);
      for (const play of played) {
        const row = byId.get(play.id);
        expect(row, play.id).toBeDefined();
        expect(row).toMatchObject({
          media_id: play.mediaId,
          playlist_id: play.playlistId,
          duration_ms: play.durationMs,
          completed: play.completed,
          started_at: new Date(play.start).toISOString(),
        });
        if (play.completed) {
          const expected = setup.durations.get(play.mediaId) ?? 0;
          expect(play.durationMs).toBeGreaterThanOrEqual(expected - 20);
          expect(play.durationMs).toBeLessThanOrEqual(expected + 400);
        }
      }
      expect(new Set(stored.map((p) => p.media_id))).toEqual(new Set(setup.durations.keys()));

      // The health report sent when the socket opened is in the admin device view.
      const screenSize = await tv.page.evaluate(() => [screen.width, screen.height]);
      const admin = createSignageAdminClient({
        baseUrl: setup.server.url,
        credentials: setup.server.admin,
      });
      await expect.poll(async () => (await admin.getDevice(sn)).health?.cached_files, WAIT).toBe(2);
      const health = (await admin.getDevice(sn)).health;
      expect(health).toMatchObject({
        app_version: '0.1.0',
        screen_width: screenSize[0],
        screen_height: screenSize[1],
        webview_version: expect.stringMatching(/^(Chrome|Chromium)\/\d+/),
      });
      expect(health?.uptime_s).toBeGreaterThanOrEqual(0);
      expect(health?.cache_bytes).toBeGreaterThan(0);
      expect(health?.storage_quota_bytes).toBeGreaterThan(health?.storage_used_bytes ?? 0);

      // The server goes away: plays go on and wait in IndexedDB.
      await setup.server.close();
      await expect.poll(async () => (await diagOf(tv.page)).state, WAIT).toBe('offline');
      await expect
        .poll(async () => (await diagOf(tv.page)).unsentPlays, WAIT)
        .toBeGreaterThanOrEqual(2);
      const whileAway = (await diagOf(tv.page)).plays.map((p) => p.id);

      setup = {
        ...setup,
        server: await startTestServer({ port: setup.port }, { dataDir: setup.dataDir }),
      };
      await expect.poll(async () => (await diagOf(tv.page)).state, BACK).toBe('online');
      await expect.poll(async () => (await diagOf(tv.page)).unsentPlays, WAIT).toBe(0);
      const after = await storedPlays(setup.server, sn);
      const ids = after.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of whileAway) expect(ids).toContain(id);
      expect(tv.violations).toEqual([]);
    } finally {
      await tv.context.close();
      await setup.server.close();
      rmSync(setup.dataDir, { recursive: true, force: true });
    }
  }, 150_000);

  it('starts from its service worker with the server down, plays its cached playlist, and loses no play across the reload', async () => {
    const sn = 'WEB-POP-2';
    let setup = await setUp(sn);
    const tv = await openTv(setup, sn);
    try {
      await expect.poll(async () => (await diagOf(tv.page)).state, WAIT).toBe('online');
      await expect.poll(async () => (await diagOf(tv.page)).offlineStart, WAIT).toBe('registered');
      // The worker controls the page once it has claimed it (and kept the shell).
      await expect
        .poll(() => tv.page.evaluate(() => navigator.serviceWorker.controller !== null), WAIT)
        .toBe(true);
      await expect.poll(async () => (await diagOf(tv.page)).plays.length, WAIT).toBeGreaterThan(1);

      await setup.server.close();
      await expect.poll(async () => (await diagOf(tv.page)).state, WAIT).toBe('offline');
      await expect
        .poll(async () => (await diagOf(tv.page)).unsentPlays, WAIT)
        .toBeGreaterThanOrEqual(1);
      const beforeReload = (await diagOf(tv.page)).plays.map((p) => p.id);

      // Reload with nothing listening on the port: the page comes from the worker's copy.
      const response = await tv.page.reload();
      expect(response?.status()).toBe(200);
      expect(await tv.page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
      await expect.poll(async () => (await diagOf(tv.page)).state, WAIT).toBe('offline');
      // Plays from before the reload are still queued (IndexedDB), and playback continues.
      await expect
        .poll(async () => (await diagOf(tv.page)).unsentPlays, WAIT)
        .toBeGreaterThanOrEqual(beforeReload.length > 0 ? 1 : 0);
      await expect
        .poll(async () => (await diagOf(tv.page)).plays.length, WAIT)
        .toBeGreaterThanOrEqual(2);
      const shown = await tv.page.locator('.zone .media.on').getAttribute('data-media-id');
      expect(setup.durations.has(Number(shown))).toBe(true);
      const afterReload = (await diagOf(tv.page)).plays.map((p) => p.id);

      setup = {
        ...setup,
        server: await startTestServer({ port: setup.port }, { dataDir: setup.dataDir }),
      };
      await expect.poll(async () => (await diagOf(tv.page)).state, BACK).toBe('online');
      await expect.poll(async () => (await diagOf(tv.page)).unsentPlays, WAIT).toBe(0);
      const stored = (await storedPlays(setup.server, sn)).map((p) => p.id);
      expect(new Set(stored).size).toBe(stored.length);
      for (const id of [...beforeReload, ...afterReload]) expect(stored).toContain(id);
      expect(tv.violations).toEqual([]);
    } finally {
      await tv.context.close();
      await setup.server.close();
      rmSync(setup.dataDir, { recursive: true, force: true });
    }
  }, 150_000);
});
