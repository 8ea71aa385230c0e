/**
 * The real browser for the page tests: Debian's chromium (installed by scripts/system-deps.sh)
 * driven by playwright-core. Importing this on CI without the browser throws, so a missing browser
 * fails the page tests there rather than skipping them; elsewhere they skip
 * (`describe.runIf(chromiumAvailable)`).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const chromiumAvailable = existsSync(CHROMIUM);
if (!chromiumAvailable && process.env.CI)
  throw new Error(`${CHROMIUM} is missing: run scripts/system-deps.sh`);

/**
 * What the page's two style sheets set: the page background (web/base.css, shared) and the
 * accent colour (the page's own sheet). Both set means both sheets were served and linked.
 */
export function pageStyles(page: Page): Promise<{ background: string; accent: string }> {
  return page.evaluate(() => ({
    background: getComputedStyle(document.body).backgroundColor,
    accent: getComputedStyle(document.documentElement).getPropertyValue('--accent').trim(),
  }));
}

/** Headless chromium with the options every page test uses (no sandbox, GPU or background work). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
