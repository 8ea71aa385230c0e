/**
 * The media-stack page (`/media-stack`) in a real browser: Debian's chromium driven by
 * playwright-core against a real server (port 0) fed by the simulators' fake media stack on real
 * sockets. Services with state, latency and age, downloads with progress, request counts and
 * notifications as the REST answers give them; a service going down reaches its tile and the
 * notification list over `/ws/dashboard` without a reload; a display token in the fragment is sent
 * as Bearer only; a viewer signs in through the shared form; nothing overflows from 360 px to 4K.
 * Requires `npm run build` (the page's script is the bundled SDK client); the browser and its CI
 * rule are ../helpers/browser.ts's.
 */
import { startFakeMediaStack, type FakeMediaStack } from '@marquee/simulators';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mediaStackModule } from '../../src/surfaces/media-stack/module';
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

describe.runIf(chromiumAvailable)('media-stack page', () => {
  let browser: Browser;
  let fakes: FakeMediaStack;
  let t: TestServer;
  let admin: string;
  let page: Page;
  let violations: string[];
  const service = () => t.server.surface(mediaStackModule).service;

  beforeAll(async () => {
    browser = await launchChromium();
    fakes = await startFakeMediaStack();
    t = await startTestServer({ ...fakes.config, upstreamTimeoutSeconds: 1 });
    admin = await t.login();
    await service().checkNow();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await fakes?.close();
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    violations = await watchCspViolations(page);
  });
  afterEach(async () => {
    // Every test ran the page under its CSP without tripping it.
    expect(violations).toEqual([]);
    await page?.close();
    fakes.sonarr.mode = 'ok';
  });

  const tile = (name: string) => page.locator(`.service[data-service="${name}"]`);

  it('shows services with age, downloads, requests; a service going down arrives live; token only as Bearer', async () => {
    const created = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token: admin,
      body: { name: 'living room', scopes: ['media-stack'] },
    });
    const token = (created.body as { token: string }).token;
    const sent: string[] = [];
    page.on('request', (request) => sent.push(request.url(), request.headers().referer ?? ''));
    const response = await page.goto(`${t.url}/media-stack#token=${encodeURIComponent(token)}`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect
      .poll(() => page.locator('#connection').getAttribute('data-state'), WAIT)
      .toBe('open');
    expect(await page.locator('#signin').isHidden()).toBe(true);

    // Services: configured ones up with latency, unconfigured ones down with the reason.
    expect(await tile('plex').getAttribute('data-status')).toBe('up');
    expect(await tile('plex').locator('.latency').textContent()).toMatch(/^\d+ ms$/);
    expect(await tile('plex').locator('.checked').textContent()).toMatch(/^checked \d+ s ago$/);
    expect(await tile('qbittorrent').getAttribute('data-status')).toBe('up');
    expect(await tile('redis').getAttribute('data-status')).toBe('down');
    expect(await tile('redis').locator('.latency').textContent()).not.toBe('');
    expect(await page.locator('#overall').textContent()).toMatch(
      /^(healthy|warning|critical) · \d+%$/,
    );

    // Downloads with progress, request counts, and the age of the figures.
    const batman = page.locator('.download[data-id="aaa111"]');
    expect(await batman.locator('.title').textContent()).toBe('The Batman (2022)');
    expect(await batman.locator('.meter').getAttribute('aria-valuenow')).toBe('67.5');
    expect(await batman.locator('.detail').textContent()).toContain('25.6 MB/s');
    expect(await page.locator('#download-summary').textContent()).toContain('45.2 MB/s');
    expect(await page.locator('[data-count="pendingRequests"]').textContent()).toBe('12');
    expect(await page.locator('[data-count="totalRequests"]').textContent()).toBe('1847');
    expect(await page.locator('#stats-age').textContent()).toMatch(/^figures \d+ (s|min) old$/);
    expect(await page.locator('#missing').textContent()).toContain('No source for:');

    // Sonarr goes down: its tile and a notification change over the socket, without a reload.
    const before = sent.filter((url) => url.includes('/api/v1/dashboard/notifications')).length;
    fakes.sonarr.mode = 'down';
    await service().checkNow();
    await expect.poll(() => tile('sonarr').getAttribute('data-status'), WAIT).toBe('down');
    const note = page.locator('.notification[data-type="service_down"]').first();
    await expect.poll(() => note.locator('.title').textContent(), WAIT).toBe('sonarr is down');
    expect(await note.getAttribute('data-priority')).toBe('high');
    expect(await page.locator('#unread').textContent()).toMatch(/^\d+ unread$/);
    expect(sent.filter((url) => url.includes('/api/v1/dashboard/notifications')).length).toBe(
      before,
    );
    fakes.sonarr.mode = 'ok';
    await service().checkNow();
    await expect.poll(() => tile('sonarr').getAttribute('data-status'), WAIT).toBe('up');
    expect(await pageStyles(page)).toEqual({ background: 'rgb(11, 13, 18)', accent: '#b48cff' });

    // The token went as a Bearer header (and the socket's query), never in a page request or Referer.
    expect(sent.length).toBeGreaterThan(3);
    expect(sent.filter((entry) => entry.includes(token))).toEqual([]);
    await expectInlineScriptBlocked(page, violations);
  });

  it('signs a viewer in with the shared form; nothing overflows from 360 px to 4K', async () => {
    await t.server.auth.createUser({
      username: 'couch',
      password: 'viewer-password-1',
      role: 'viewer',
    });
    await page.goto(`${t.url}/media-stack`);
    await page.locator('#signin').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('#connection').getAttribute('data-state')).toBe('closed');
    await page.fill('#signin input[name="username"]', 'couch');
    await page.fill('#signin input[name="password"]', 'wrong-password');
    await page.click('#signin button[type="submit"]');
    await expect
      .poll(() => page.locator('#signin .error').textContent(), WAIT)
      .toBe('Wrong user or password');
    await page.fill('#signin input[name="password"]', 'viewer-password-1');
    await page.click('#signin button[type="submit"]');
    await expect
      .poll(() => page.locator('#connection').getAttribute('data-state'), WAIT)
      .toBe('open');
    expect(await page.locator('#signin').isHidden()).toBe(true);
    expect(await tile('overseerr').getAttribute('data-status')).toBe('up');

    await expectNoSidewaysScroll(page);
    // Read from across the room: a service name on a 4K screen is drawn large.
    const nameSize = await tile('plex')
      .locator('.name')
      .evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(nameSize).toBeGreaterThanOrEqual(40);
    await page.screenshot({
      path: `${process.env.MEDIA_STACK_SHOT_DIR ?? t.dataDir}/media-stack-4k.png`,
    });
  });
});
