/**
 * Self-healing in Chromium against a real server: a video that stalls at every turn (a decoder
 * that never advances) is skipped after 10 s each time; the player reports the failures to the
 * server in its health report at once, and after the third failure within a minute reloads itself
 * once (not again within ten minutes), telling the server it did, while the playlist's image keeps
 * playing. (A file that cannot be decoded at all is skipped for good by the renderer: no repeated
 * failure, no reload.)
 */
import { createSignageAdminClient } from '@marquee/sdk';
import { describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  watchCspViolations,
} from '../../../../packages/server/test/helpers/browser';
import { assignPlaylist } from '../../../../packages/simulators/src/index';
import { screenshotPng } from '../../../../packages/simulators/src/tv/screenshot';
import { registerTv } from '../../../../packages/simulators/test/helpers/signage';
import { usePlayerBrowser } from './player-suite';
import type { Diagnostics } from '../src/player';
import { recordClip } from './soak/soak';

const DEVICE = { username: 'tv-recovery', password: 'tv-recovery-password-1' } as const;
const SN = 'WEB-RECOVER-1';
const WAIT = { timeout: 20_000, interval: 100 } as const;

describe.runIf(chromiumAvailable)('TV web player: failures reported, page reloaded once', () => {
  const suite = usePlayerBrowser();

  it('skips a stalling video, reports it, and reloads itself once after three failures', async () => {
    const { marquee, browser } = suite;
    await marquee.server.auth.createUser({ ...DEVICE, role: 'device' });
    const admin = createSignageAdminClient({ baseUrl: marquee.url, credentials: marquee.admin });
    const clip = await admin.uploadMedia(await recordClip(browser), {
      fileName: 'stalls.webm',
      contentType: 'video/webm',
    });
    const image = await admin.uploadMedia(screenshotPng(90, 320, 180), {
      fileName: 'still.png',
      contentType: 'image/png',
    });
    const timing = (duration: number) => ({ start_time: 0, duration, loop: false });
    const playlist = await admin.createPlaylist({
      name: 'Broken',
      width: 1920,
      height: 1080,
      media_items: [
        { media_id: clip.media_id, timing: timing(30) },
        { media_id: image.media_id, timing: timing(1) },
      ],
    });
    await registerTv(marquee, SN);
    await assignPlaylist(admin, SN, playlist.id);

    const page = await browser.newPage({ viewport: { width: 640, height: 360 } });
    const violations = await watchCspViolations(page);
    // A decoder that never advances: play() succeeds, the position stays at 0 (every load).
    await page.addInitScript(() => {
      HTMLMediaElement.prototype.play = () => Promise.resolve();
    });
    let loads = 0;
    page.on('load', () => loads++);
    const diag = () =>
      page.evaluate(() => (window as unknown as { marqueeTv: Diagnostics }).marqueeTv);
    const query = new URLSearchParams({ ...DEVICE, sn_number: SN });
    await page.goto(`${marquee.url}/tv/?${query.toString()}`);

    // The first failure is reported at once (the error report), before any reload.
    await expect
      .poll(async () => (await admin.getDevice(SN)).health?.playback_errors ?? 0, WAIT)
      .toBe(1);
    expect(loads).toBe(1);
    expect((await admin.getDevice(SN)).health?.last_error).toBe(
      'Skipped stalls.webm: no progress for 10 s',
    );
    // Three failures within a minute: the page reloads itself, once.
    await expect.poll(() => loads, { ...WAIT, timeout: 45_000 }).toBe(2);
    await expect.poll(async () => (await diag()).selfReloads, WAIT).toBe(1);
    await expect.poll(async () => (await admin.getDevice(SN)).health?.self_reloads, WAIT).toBe(1);
    // It goes on failing after the reload, and playing the image, without reloading again.
    await expect
      .poll(async () => (await diag()).playbackErrors, { ...WAIT, timeout: 45_000 })
      .toBeGreaterThanOrEqual(3);
    expect(loads).toBe(2);
    const plays = (await diag()).plays;
    expect(plays.some((p) => p.mediaId === image.media_id && p.completed)).toBe(true);
    expect(violations).toEqual([]);
  }, 120_000);
});
