/**
 * The periodic screenshot in Chromium against a real server: a kiosk start with
 * `screenshot_every=5` uploads a JPEG of what is on screen every 5 s without any command, each
 * with the media id shown, and the setting survives a reload (it is kept with the credentials).
 */
import { createSignageAdminClient } from '@marquee/sdk';
import { describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../../../../packages/server/test/helpers/browser';
import { assignPlaylist } from '../../../../packages/simulators/src/index';
import { screenshotPng } from '../../../../packages/simulators/src/tv/screenshot';
import { registerTv } from '../../../../packages/simulators/test/helpers/signage';
import { usePlayerBrowser } from './player-suite';

const DEVICE = { username: 'tv-shots', password: 'tv-shots-password-1' } as const;
const SN = 'WEB-SHOTS-1';

describe.runIf(chromiumAvailable)('TV web player: periodic screenshots', () => {
  const suite = usePlayerBrowser();

  it('uploads a screenshot every screenshot_every seconds, also after a reload', async () => {
    const { marquee, browser } = suite;
    await marquee.server.auth.createUser({ ...DEVICE, role: 'device' });
    const admin = createSignageAdminClient({ baseUrl: marquee.url, credentials: marquee.admin });
    const image = await admin.uploadMedia(screenshotPng(150, 320, 180), {
      fileName: 'shown.png',
      contentType: 'image/png',
    });
    const playlist = await admin.createPlaylist({
      name: 'Shots',
      width: 1920,
      height: 1080,
      media_items: [
        { media_id: image.media_id, timing: { start_time: 0, duration: 60, loop: false } },
      ],
    });
    await registerTv(marquee, SN);
    await assignPlaylist(admin, SN, playlist.id);
    const page = await browser.newPage({ viewport: { width: 640, height: 360 } });
    const query = new URLSearchParams({ ...DEVICE, sn_number: SN, screenshot_every: '5' });
    const started = Date.now();
    await page.goto(`${marquee.url}/tv/?${query.toString()}`);
    await expect.poll(() => page.url()).toBe(`${marquee.url}/tv/`);
    await expect
      .poll(async () => (await admin.listScreenshots(SN)).count, { timeout: 20_000, interval: 250 })
      .toBeGreaterThanOrEqual(2);
    // Two uploads take two intervals: not sooner (no burst), not much later.
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_500);
    const list = await admin.listScreenshots(SN);
    expect(list.results.every((shot) => shot.media_id === image.media_id)).toBe(true);
    const jpeg = new Uint8Array(
      await (await admin.getScreenshot(list.results[0]?.id ?? 0)).arrayBuffer(),
    );
    expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    // The setting was kept with the credentials: after a reload the uploads go on.
    await page.reload();
    const before = (await admin.listScreenshots(SN)).count;
    await expect
      .poll(async () => (await admin.listScreenshots(SN)).count, { timeout: 20_000, interval: 250 })
      .toBeGreaterThan(before);
  }, 90_000);
});
