/**
 * The setup the player's Chromium suites share: a real Marquee (which serves the built player at
 * /tv/) and one Chromium for the file's tests, both closed after them. It fails at once, saying
 * what to run, when the player has not been built.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from '../../../../packages/server/test/helpers/browser';
import {
  startMarquee,
  type TestMarquee,
} from '../../../../packages/simulators/test/helpers/marquee-server';

/** The built player script (`npm run build`). */
export const PLAYER_BUILD = join(import.meta.dirname, '../../../../packages/server/tv/player.js');

/** Throws naming `npm run build` when `path` (a built file) is missing. */
export function requireBuilt(path: string = PLAYER_BUILD): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: run "npm run build" first`);
}

export interface PlayerSuite {
  readonly marquee: TestMarquee;
  readonly browser: Browser;
}

/** Call inside a `describe`: the server and browser exist from its `beforeAll` on. */
export function usePlayerBrowser(): PlayerSuite {
  let marquee: TestMarquee | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    requireBuilt();
    marquee = await startMarquee();
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await marquee?.close();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the ${what} is not started (use it inside a test)`);
    return value;
  };
  return {
    get marquee() {
      return started(marquee, 'server');
    },
    get browser() {
      return started(browser, 'browser');
    },
  };
}
