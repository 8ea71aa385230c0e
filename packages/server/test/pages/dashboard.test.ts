/**
 * The kiosk dashboard in a real browser: Debian's chromium driven by playwright-core against a
 * real server. Requires `npm run build` (the page's script is the bundled SDK client); the browser
 * and its CI rule (missing fails rather than skips) are ../helpers/browser.ts's.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlayerClient, type ControlCommand } from '@marquee/sdk';
import { chromiumAvailable, launchChromium, pageStyles } from '../helpers/browser';
import { ADMIN, call, login, startTestServer, type TestServer } from '../helpers/server';

describe.runIf(chromiumAvailable)('kiosk dashboard page', () => {
  let browser: Browser;
  let page: Page;
  let t: TestServer;

  beforeAll(async () => {
    browser = await launchChromium();
    t = await startTestServer();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const connectionState = () => page.locator('#connection').getAttribute('data-state');

  it('shows a session posted through the REST API within 3 s', async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${t.url}/dashboard_test.html`);
    await expect.poll(connectionState, { timeout: 10_000 }).toBe('open');
    await expect
      .poll(() => page.locator('[data-stat="cpu"]').textContent(), { timeout: 5000 })
      .toBe('23 %');

    const token = await login(t.url);
    const res = await call(`${t.url}/api/dashboard/session/update`, {
      token,
      body: {
        session_id: 'browser-1',
        title: 'The Matrix',
        username: 'John',
        current_time: 600,
        duration: 6000,
        state: 'playing',
      },
    });
    expect(res.status).toBe(200);
    const card = page.locator('.session[data-session-id="browser-1"]');
    await card.waitFor({ timeout: 3000 });
    expect(await card.locator('.title').textContent()).toBe('The Matrix');
    expect(await card.locator('.user').textContent()).toBe('John');
    expect(await card.locator('.state').textContent()).toBe('playing');
    // The avatar the snapshot names loads as an image in the browser (the SVG decodes).
    const avatar = card.locator('.avatar');
    expect(await avatar.getAttribute('src')).toBe('/api/media/avatar/John');
    await expect
      .poll(() => avatar.evaluate((img) => (img as HTMLImageElement).naturalWidth), {
        timeout: 3000,
      })
      .toBe(96);
    const width = await card
      .locator('.fill')
      .evaluate((el) => parseFloat((el as HTMLElement).style.width));
    expect(width).toBeGreaterThanOrEqual(10);
    expect(await page.locator('#empty').isHidden()).toBe(true);
    expect(await pageStyles(page)).toEqual({ background: 'rgb(11, 13, 18)', accent: '#e5a00d' });
    await page.screenshot({ path: `${t.dataDir}/dashboard.png` });
  });

  it('shows when the server goes away and recovers when it returns', async () => {
    const port = Number(new URL(t.url).port);
    await t.close();
    await expect.poll(connectionState, { timeout: 10_000 }).not.toBe('open');
    expect(await page.locator('#connection .label').textContent()).toMatch(
      /Reconnecting|Connecting|Disconnected/,
    );

    t = await startTestServer({ port });
    await expect.poll(connectionState, { timeout: 30_000 }).toBe('open');
    // The new server has no sessions: the page follows the new snapshot.
    await expect.poll(() => page.locator('.session').count(), { timeout: 5000 }).toBe(0);
    expect(await page.locator('#empty').isVisible()).toBe(true);
  });

  it('lets a signed-in viewer pause a session: the owning player receives and acknowledges it', async () => {
    // Controls appear only after signing in (the session cookie).
    await page.locator('#sign-in-toggle').click();
    await page.locator('#sign-in input[name="username"]').fill(ADMIN.username);
    await page.locator('#sign-in input[name="password"]').fill('wrong');
    await page.locator('#sign-in button[type="submit"]').click();
    await expect
      .poll(() => page.locator('#sign-in .error').textContent())
      .toMatch(/Invalid username or password/);
    await page.locator('#sign-in input[name="password"]').fill(ADMIN.password);
    await page.locator('#sign-in button[type="submit"]').click();
    await expect.poll(() => page.locator('#signed-in').textContent()).toBe('Signed in as admin');

    const token = await login(t.url);
    const player = createPlayerClient({
      baseUrl: t.url,
      token: () => token,
      network: false,
      updateIntervalMs: 60_000,
    });
    const received: ControlCommand[] = [];
    player.onControl((command) => {
      received.push(command);
    });
    const ready = new Promise((resolve) => player.once('ready', resolve));
    player.connect();
    await ready;
    await player.startSession({
      session_id: 'player-1',
      title: 'Arrival',
      duration: 6000,
      current_time: 30,
    });

    const card = page.locator('.session[data-session-id="player-1"]');
    await card.waitFor({ timeout: 3000 });
    expect(await card.locator('.controls').isVisible()).toBe(true);
    await card.locator('[data-action="pause"]').click();
    await expect
      .poll(() => card.locator('.feedback').textContent(), { timeout: 5000 })
      .toBe('Pause acknowledged');
    expect(received.map((c) => [c.session_id, c.action])).toEqual([['player-1', 'pause']]);
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 5000 }).toBe('paused');

    // Without a connected player the page says so instead of pretending.
    player.close();
    // The server may still be closing the player's socket when the first click lands (the page
    // then reports that the player went away); each try waits for the answer before reading it.
    const feedback = card.locator('.feedback');
    await expect
      .poll(
        async () => {
          await card.locator('[data-action="resume"]').click();
          await expect
            .poll(() => feedback.textContent(), { timeout: 10_000 })
            .not.toMatch(/^Sending/);
          return feedback.textContent();
        },
        { timeout: 20_000 },
      )
      .toBe('No player is connected for this session');
  }, 60_000);
});
