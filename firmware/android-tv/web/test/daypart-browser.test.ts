/**
 * Day-parting in Chromium against a real server: a browser context in New York time (the machine
 * runs on UTC) and a device clock moved by the test. Of a screen's three playlists, the one
 * scheduled in the current window plays, not the unscheduled current one nor the one scheduled
 * later; at the window's end the player falls back to the unscheduled one within a moment of the
 * boundary, and when the clock reaches the later window that one plays.
 */
import { createSignageAdminClient, type protocol } from '@marquee/sdk';
import { describe, expect, it, vi } from 'vitest';
import {
  chromiumAvailable,
  watchCspViolations,
} from '../../../../packages/server/test/helpers/browser';
import { screenshotPng } from '../../../../packages/simulators/src/tv/screenshot';
import { registerTv } from '../../../../packages/simulators/test/helpers/signage';
import { usePlayerBrowser } from './player-suite';
import type { Diagnostics } from '../src/player';

const DEVICE = { username: 'tv-daypart', password: 'tv-daypart-password-1' } as const;
const SN = 'WEB-DAYPART-1';
/** Wednesday 2026-12-09, 10:01:00 in New York (EST, UTC−5): the end of the current window. */
const BOUNDARY = Date.parse('2026-12-09T15:01:00Z');
/** 11:00:00 in New York: the later window opens. */
const LATER = Date.parse('2026-12-09T16:00:00Z');

describe.runIf(chromiumAvailable)('TV web player: day-parting', () => {
  const suite = usePlayerBrowser();

  it('plays the playlist whose window is open in the device’s zone and switches at the boundaries', async () => {
    const { marquee, browser } = suite;
    await marquee.server.auth.createUser({ ...DEVICE, role: 'device' });
    const admin = createSignageAdminClient({ baseUrl: marquee.url, credentials: marquee.admin });
    const playlist = async (
      name: string,
      shade: number,
      schedule: protocol.signage.PlaylistSchedule | null,
    ) => {
      const image = await admin.uploadMedia(screenshotPng(shade, 320, 180), {
        fileName: `${name}.png`,
        contentType: 'image/png',
      });
      const created = await admin.createPlaylist({
        name,
        width: 1920,
        height: 1080,
        media_items: [
          { media_id: image.media_id, timing: { start_time: 0, duration: 2, loop: false } },
        ],
        schedule,
      });
      return { id: created.id, media: String(image.media_id) };
    };
    const always = await playlist('Always', 40, null);
    const now = await playlist('Now', 120, [{ days: ['wed'], start: '09:00', end: '10:01' }]);
    const later = await playlist('Later', 200, [{ days: ['wed'], start: '11:00', end: '12:00' }]);
    await registerTv(marquee, SN);
    await admin.setScreen(SN, 'front', {
      screen_name: 'Front Display',
      resolution: '1920x1080',
      playlist_ids: [always.id, now.id, later.id],
      current_playlist: always.id,
    });

    const context = await browser.newContext({
      timezoneId: 'America/New_York',
      viewport: { width: 640, height: 360 },
    });
    const page = await context.newPage();
    const violations = await watchCspViolations(page);
    // The device's wall clock, `__skew` ms ahead of the real one (set by the test).
    await page.addInitScript(() => {
      const real = Date.now.bind(Date);
      const w = window as unknown as { __skew?: number };
      Date.now = () => real() + (w.__skew ?? 0);
    });
    const setClock = (deviceTime: number) =>
      page.evaluate((skew) => {
        (window as unknown as { __skew?: number }).__skew = skew;
      }, deviceTime - Date.now());
    // 10:00:35 on the device when the page starts: 25 s before the window closes.
    const skew = BOUNDARY - 25_000 - Date.now();
    await page.addInitScript((s) => {
      (window as unknown as { __skew?: number }).__skew = s;
    }, skew);
    const query = new URLSearchParams({ ...DEVICE, sn_number: SN });
    await page.goto(`${marquee.url}/tv/?${query.toString()}`);

    const sample = () =>
      page.evaluate(() => {
        const diag = (window as unknown as { marqueeTv: Diagnostics }).marqueeTv;
        return {
          at: Date.now(),
          zone: diag.timeZone,
          playlist: diag.playlistId,
          shown: document.querySelector<HTMLElement>('.zone .media.on')?.dataset['mediaId'],
        };
      });
    await vi.waitFor(
      async () => expect(await sample()).toMatchObject({ playlist: now.id, shown: now.media }),
      { timeout: 20_000, interval: 50 },
    );
    expect((await sample()).zone).toBe('America/New_York');

    // The window closes at 10:01:00: the unscheduled playlist takes over at that moment.
    const samples: Awaited<ReturnType<typeof sample>>[] = [];
    await vi.waitFor(
      async () => {
        const s = await sample();
        samples.push(s);
        expect(s).toMatchObject({ playlist: always.id, shown: always.media });
      },
      { timeout: 30_000, interval: 20 },
    );
    expect(samples.filter((s) => s.playlist === always.id && s.at < BOUNDARY)).toEqual([]);
    expect(samples.filter((s) => s.playlist === now.id && s.at >= BOUNDARY + 500)).toEqual([]);
    expect(samples.some((s) => s.playlist === now.id)).toBe(true);

    // The clock jumps to the later window: noticed within the player's few-second checks.
    await setClock(LATER + 2_000);
    await vi.waitFor(
      async () => expect(await sample()).toMatchObject({ playlist: later.id, shown: later.media }),
      { timeout: 8_000, interval: 50 },
    );
    expect(violations).toEqual([]);
    await context.close();
  }, 90_000);
});
