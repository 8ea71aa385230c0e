/**
 * Transitions in Chromium against a real server: an item with `transition: "fade"` fades in over
 * the one before (both on screen, the new one translucent, then the old one gone after 500 ms), a
 * "slide" slides in the same way, "none" is a cut (the item before is gone at once), and the plays
 * stay back to back.
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

const DEVICE = { username: 'tv-transitions', password: 'tv-transitions-password-1' } as const;
const SN = 'WEB-TRANSITIONS-1';

/** One animation frame as the page saw it: the items on screen, their classes and opacity. */
interface Frame {
  readonly on: { id: string; classes: string; opacity: number; transform: string }[];
}

describe.runIf(chromiumAvailable)('TV web player: transitions', () => {
  const suite = usePlayerBrowser();

  it('fades and slides items in over the one before, cuts on none, and keeps plays back to back', async () => {
    const { marquee, browser } = suite;
    await marquee.server.auth.createUser({ ...DEVICE, role: 'device' });
    const admin = createSignageAdminClient({ baseUrl: marquee.url, credentials: marquee.admin });
    const ids: number[] = [];
    for (const [index, name] of ['fade', 'slide', 'cut'].entries()) {
      const image = await admin.uploadMedia(screenshotPng(40 + index * 90, 320, 180), {
        fileName: `${name}.png`,
        contentType: 'image/png',
      });
      ids.push(image.media_id);
    }
    const [fade, slide, cut] = ids.map(String);
    const item = (mediaId: number, transition: string) => ({
      media_id: mediaId,
      timing: { start_time: 0, duration: 1, loop: false },
      effects: { fade_in: false, fade_out: false, transition },
    });
    const playlist = await admin.createPlaylist({
      name: 'Transitions',
      width: 1920,
      height: 1080,
      media_items: [
        item(ids[0] ?? 0, 'fade'),
        item(ids[1] ?? 0, 'slide'),
        item(ids[2] ?? 0, 'none'),
      ],
    });
    await registerTv(marquee, SN);
    await assignPlaylist(admin, SN, playlist.id);
    const page = await browser.newPage({ viewport: { width: 640, height: 360 } });
    const violations = await watchCspViolations(page);
    const query = new URLSearchParams({ ...DEVICE, sn_number: SN });
    await page.goto(`${marquee.url}/tv/?${query.toString()}`);
    await page.locator('.zone .media.on').first().waitFor({ timeout: 20_000 });
    // Two cycles of three 1 s items, every frame recorded in the page.
    const frames: Frame[] = await page.evaluate(
      () =>
        new Promise<Frame[]>((resolve) => {
          const seen: Frame[] = [];
          const end = performance.now() + 6500;
          const look = () => {
            const on = [...document.querySelectorAll<HTMLElement>('.zone .media.on')].map((el) => {
              const style = getComputedStyle(el);
              return {
                id: el.dataset['mediaId'] ?? '',
                classes: el.className,
                opacity: Number(style.opacity),
                transform: style.transform,
              };
            });
            seen.push({ on });
            if (performance.now() < end) requestAnimationFrame(look);
            else resolve(seen);
          };
          requestAnimationFrame(look);
        }),
    );
    const both = (entering: string | undefined, beneath: string | undefined) =>
      frames.filter(
        (f) =>
          f.on.length === 2 &&
          f.on.some((e) => e.id === entering && e.classes.includes('enter-')) &&
          f.on.some((e) => e.id === beneath),
      );
    // The fade: the cut item beneath, the fading one translucent for some frames.
    const fading = both(fade, cut);
    expect(fading.length).toBeGreaterThan(0);
    expect(
      fading.some((f) => f.on.some((e) => e.id === fade && e.opacity > 0 && e.opacity < 1)),
    ).toBe(true);
    // The slide: moved sideways over the faded item for some frames.
    const sliding = both(slide, fade);
    expect(sliding.length).toBeGreaterThan(0);
    expect(sliding.some((f) => f.on.some((e) => e.id === slide && e.transform !== 'none'))).toBe(
      true,
    );
    // The cut: never animated, and never on screen together with the item it replaced.
    expect(frames.some((f) => f.on.some((e) => e.id === cut && e.classes.includes('enter-')))).toBe(
      false,
    );
    expect(
      frames.filter((f) => f.on.some((e) => e.id === cut) && f.on.some((e) => e.id === slide)),
    ).toEqual([]);
    // Every entrance is over within its 500 ms: never more than two items, never one stuck.
    expect(frames.every((f) => f.on.length <= 2)).toBe(true);
    const plays = (
      await page.evaluate(() => (window as unknown as { marqueeTv: Diagnostics }).marqueeTv)
    ).plays;
    expect(plays.length).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < plays.length; i++) {
      expect((plays[i]?.start ?? 0) - (plays[i - 1]?.end ?? 0)).toBeLessThanOrEqual(250);
    }
    expect(violations).toEqual([]);
  }, 60_000);
});
