/**
 * The device conformance suite (conformance/spec.ts) against the web player in Debian's
 * Chromium, served at /tv/ from the build (`npm run build`) through the suite's proxy, provisioned
 * by the kiosk query; it sends its plays by itself, so `sendPlays` waits until none is unsent.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import {
  chromiumAvailable,
  launchChromium,
} from '../../../../packages/server/test/helpers/browser';
import type { Diagnostics } from '../src/player';
import { describeDeviceConformance, type DeviceUnderTest } from './conformance/spec';
import { requireBuilt } from './player-suite';

const BUILD = join(import.meta.dirname, '../../../../packages/server/tv/player.js');

function webPlayer(): DeviceUnderTest {
  let browser: Browser | undefined;
  let page: Page | undefined;
  const opened = () => {
    if (page === undefined) throw new Error('the player was not started');
    return page;
  };
  const diag = () =>
    opened().evaluate(() => (window as unknown as { marqueeTv: Diagnostics }).marqueeTv);
  return {
    async start({ server, username, password, snNumber }) {
      requireBuilt(BUILD);
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 640, height: 360 } });
      // The device's wall clock, movable by the suite.
      await page.addInitScript(() => {
        const real = Date.now.bind(Date);
        Date.now = () => real() + ((window as unknown as { __skew?: number }).__skew ?? 0);
      });
      const query = new URLSearchParams({ username, password, sn_number: snNumber });
      await page.goto(`${server}/tv/?${query.toString()}`);
    },
    async plays() {
      return (await diag()).plays.map((p) => ({
        mediaId: p.mediaId,
        playlistId: p.playlistId,
        completed: p.completed,
      }));
    },
    async sendPlays() {
      await expect.poll(async () => (await diag()).unsentPlays, { timeout: 20_000 }).toBe(0);
    },
    async skewClock(ms) {
      await opened().evaluate((skew) => Reflect.set(window, '__skew', skew), ms);
    },
    async stop() {
      await browser?.close();
    },
  };
}

describeDeviceConformance('web player', webPlayer, chromiumAvailable);
