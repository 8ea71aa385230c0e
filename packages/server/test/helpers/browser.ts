/**
 * The real browser for the page tests: Debian's chromium (installed by scripts/system-deps.sh)
 * driven by playwright-core. Importing this on CI without the browser throws, so a missing browser
 * fails the page tests there rather than skipping them; elsewhere they skip
 * (`describe.runIf(chromiumAvailable)`).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { vi } from 'vitest';

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

/**
 * Collects every Content-Security-Policy violation the page reports, from its
 * `securitypolicyviolation` events and from the console (where Chromium also explains each
 * refusal). Call before `goto`; the returned list fills as the page runs.
 */
export async function watchCspViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction('__marqueeCspViolation', (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __marqueeCspViolation: (text: string) => void })
        .__marqueeCspViolation;
      report(`event: ${event.effectiveDirective} blocked ${event.blockedURI || 'inline'}`);
    });
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text()))
      violations.push(`console: ${message.text()}`);
  });
  return violations;
}

/**
 * Proves the page runs under its CSP: an inline script added to it must not run, and must be
 * reported as a violation (which this then takes off `violations`, so a test can go on to expect
 * none). Without this, "no violation" could mean "no policy".
 */
export async function expectInlineScriptBlocked(page: Page, violations: string[]): Promise<void> {
  const ran = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__marqueeInlineRan = true';
    document.body.append(script);
    return (window as unknown as { __marqueeInlineRan?: boolean }).__marqueeInlineRan === true;
  });
  if (ran) throw new Error('an inline script ran: the page has no effective CSP');
  // Both reports of it arrive (event and console) before the list is cleared.
  await vi.waitFor(
    () => {
      if (!violations.some((v) => v.startsWith('event: script-src'))) throw new Error('no event');
      if (!violations.some((v) => v.startsWith('console: '))) throw new Error('no console report');
    },
    { timeout: 5000 },
  );
  violations.splice(0, violations.length);
}

/**
 * Resizes the page to a phone (360 px), a laptop (1280 px) and a 4K screen (3840 px) and expects
 * no sideways scroll at any of them.
 */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  for (const [width, height] of [
    [360, 740],
    [1280, 800],
    [3840, 2160],
  ] as const) {
    await page.setViewportSize({ width, height });
    await vi.waitFor(
      async () => {
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - window.innerWidth,
        );
        if (overflow > 0) throw new Error(`${overflow} px sideways scroll at ${width} px`);
      },
      { timeout: 15_000, interval: 50 },
    );
  }
}
