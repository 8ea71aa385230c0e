/**
 * The monitoring page (`/monitor`) in a real browser: Debian's chromium driven by playwright-core
 * against a real server (port 0) whose sampler records the fake source's readings every 100 ms
 * into the tiered history, so the charts draw from what the store really holds. Requires
 * `npm run build` (the page's script is bundled with uPlot); the browser and its CI rule are
 * ../helpers/browser.ts's.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  chromiumAvailable,
  expectInlineScriptBlocked,
  expectNoSidewaysScroll,
  launchChromium,
  pageStyles,
  watchCspViolations,
} from '../helpers/browser';
import { call, startTestServer, type TestServer } from '../helpers/server';

const WAIT = { timeout: 15_000, interval: 50 };
/** uPlot's CPU series colour on the page (monitor.ts COLORS.cpu), as canvas RGB. */
const CPU_STROKE = [0x4f, 0xc3, 0xf7];

describe.runIf(chromiumAvailable)('monitoring page', () => {
  let browser: Browser;
  let page: Page;
  let t: TestServer;
  let violations: string[];
  let admin: string;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    t = await startTestServer({ sampleIntervalMs: 100 });
    t.source.reading = {
      ...t.source.reading,
      cpuPercent: 45.25,
      memUsedBytes: 6.8e9,
      memTotalBytes: 16e9,
    };
    admin = await t.login();
    const config = await call(`${t.url}/api/v1/config`, {
      token: admin,
      method: 'PUT',
      body: {
        domain: 'home.example.com',
        media_dir: '/srv/media',
        downloads_dir: '/srv/downloads',
        services: ['plex', 'sonarr'],
      },
    });
    expect(config.status).toBe(200);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    violations = await watchCspViolations(page);
  });
  afterEach(async () => {
    // Every test ran the page under its CSP without tripping it.
    expect(violations).toEqual([]);
    await page?.close();
    await t?.close();
  });

  async function displayToken(): Promise<string> {
    const res = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token: admin,
      body: { name: 'wall tablet', scopes: ['monitoring'] },
    });
    expect(res.status).toBe(201);
    return (res.body as { token: string }).token;
  }

  /** Waits until the store answers at least `count` points for the last hour at 1 s. */
  async function storedPoints(token: string, count: number): Promise<void> {
    await vi.waitFor(async () => {
      const start = new Date(Date.now() - 3_600_000).toISOString();
      const end = new Date(Date.now() + 1000).toISOString();
      const res = await call(
        `${t.url}/api/v1/metrics/history?start=${start}&end=${end}&resolution=5s`,
        { token },
      );
      expect((res.body as { metrics: unknown[] }).metrics.length).toBeGreaterThanOrEqual(count);
    }, WAIT);
  }

  /** Pixels of the chart's plot canvas drawn in the series colour. */
  const strokePixels = (chart: string) =>
    page.locator(`.chart[data-chart="${chart}"] canvas`).evaluate((canvas, rgb) => {
      const c = canvas as HTMLCanvasElement;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        const d =
          Math.abs(data[i]! - rgb[0]!) +
          Math.abs(data[i + 1]! - rgb[1]!) +
          Math.abs(data[i + 2]! - rgb[2]!);
        if (data[i + 3]! > 200 && d < 30) n += 1;
      }
      return n;
    }, CPU_STROKE);

  it('draws the CPU chart from stored history, shows live figures and a threshold alert as it opens, read-only with a display token', async () => {
    const token = await displayToken();
    // Two 5 s buckets of real samples in the store: a line, not a lone point.
    await storedPoints(token, 2);
    const urls: string[] = [];
    page.on('request', (request) => urls.push(request.url(), request.headers().referer ?? ''));
    const response = await page.goto(`${t.url}/monitor#token=${encodeURIComponent(token)}`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

    await expect
      .poll(() => page.locator('#connection').getAttribute('data-state'), WAIT)
      .toBe('open');
    expect(await page.locator('#signin').isHidden()).toBe(true);
    // Current figures: from /metrics/current, then every pushed sample.
    await expect
      .poll(() => page.locator('.figure[data-metric="cpu"] .value').textContent(), WAIT)
      .toBe('45.3 %');
    expect(await page.locator('.figure[data-metric="memory"] .detail').textContent()).toBe(
      '6.8 / 16.0 GB',
    );
    await expect
      .poll(() => page.locator('.figure[data-metric="network"] .value').textContent(), WAIT)
      .toMatch(/^↓ \d+\.\d\d$/);

    // The 1 h chart holds the stored points and its canvas shows the series' line.
    const points = Number(
      await page.locator('.chart[data-chart="cpu"]').getAttribute('data-points'),
    );
    expect(points).toBeGreaterThanOrEqual(2);
    expect(await strokePixels('cpu')).toBeGreaterThan(50);
    // The network chart draws from the same stored history.
    expect(
      Number(await page.locator('.chart[data-chart="network"]').getAttribute('data-points')),
    ).toBe(points);

    // The range picker asks the store again: 7 d at 15 min covers the same samples.
    const asked = page.waitForRequest((r) => r.url().includes('resolution=15m'));
    await page.click('#range button[data-range="7d"]');
    await asked;
    expect(await page.locator('#range button[data-range="7d"]').getAttribute('aria-pressed')).toBe(
      'true',
    );
    await expect
      .poll(
        async () =>
          Number(await page.locator('.chart[data-chart="cpu"]').getAttribute('data-points')),
        WAIT,
      )
      .toBeGreaterThanOrEqual(1);

    // Services are listed; a display token may not restart, so no button.
    await expect.poll(() => page.locator('.service').count(), WAIT).toBe(2);
    expect(await page.locator('.service .restart').first().isHidden()).toBe(true);

    // A threshold under the current reading: the alert appears live, pushed on the socket.
    // (The fake source's disk may already sit over the default thresholds: count CPU ones only.)
    const cpuAlerts = page.locator('.alert[data-level="warning"]', { hasText: /cpu/i });
    expect(await cpuAlerts.count()).toBe(0);
    const settings = await call(`${t.url}/api/v1/alerts/settings`, {
      token: admin,
      body: {
        thresholds: {
          cpu: { warning: 10, critical: 95 },
          memory: { warning: 80, critical: 90 },
          disk: { warning: 85, critical: 95 },
        },
        notifications: { email: false, desktop: false, minLevel: 'warning' },
      },
    });
    expect(settings.status).toBe(200);
    await cpuAlerts.first().waitFor(WAIT);
    expect(await cpuAlerts.count()).toBe(1);
    // It came over the socket: the page did not fetch /alerts again.
    expect(urls.filter((url) => url.includes('/api/v1/alerts')).length).toBe(1);
    expect(await page.locator('#no-alerts').isHidden()).toBe(true);
    await expect
      .poll(() => page.locator('.figure[data-metric="cpu"]').getAttribute('data-status'), WAIT)
      .toBe('warning');
    expect(await pageStyles(page)).toEqual({ background: 'rgb(11, 13, 18)', accent: '#4fc3f7' });
    await page.screenshot({ path: `${process.env.MONITOR_SHOT_DIR ?? t.dataDir}/monitor.png` });

    // The token went as a Bearer header (and the socket's query), never in a page request or Referer.
    expect(urls.length).toBeGreaterThan(3);
    expect(urls.filter((url) => url.includes(token))).toEqual([]);
    await expectInlineScriptBlocked(page, violations);
  });

  it('signs an operator in, who gets the restart button; nothing overflows from 360 px to 4K', async () => {
    await t.server.auth.createUser({
      username: 'oper',
      password: 'operator-password-1',
      role: 'operator',
    });
    await page.goto(`${t.url}/monitor`);
    await page.locator('#signin').waitFor({ state: 'visible', timeout: 10_000 });
    await page.fill('#signin input[name="username"]', 'oper');
    await page.fill('#signin input[name="password"]', 'operator-password-1');
    await page.click('#signin button[type="submit"]');
    await expect.poll(() => page.locator('.service').count(), WAIT).toBe(2);
    const restart = page.locator('.service[data-name="plex"] .restart');
    expect(await restart.isVisible()).toBe(true);
    // No Docker on the test server: the refusal is shown, not swallowed.
    await restart.click();
    await expect.poll(() => page.locator('#message').isVisible(), WAIT).toBe(true);
    expect(await page.locator('#message').textContent()).not.toBe('');

    await expectNoSidewaysScroll(page);
  });
});
