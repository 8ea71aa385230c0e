/**
 * The kiosk dashboard in a real browser: Debian's chromium driven by playwright-core against a
 * real server. Requires `npm run build` (the page's script is the bundled SDK client); the browser
 * and its CI rule (missing fails rather than skips) are ../helpers/browser.ts's.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlayerClient, type ControlCommand } from '@marquee/sdk';
import {
  chromiumAvailable,
  expectInlineScriptBlocked,
  launchChromium,
  pageStyles,
  watchCspViolations,
} from '../helpers/browser';
import { FAKE_CREDENTIALS, startFakeMediaStack, type FakeMediaStack } from '@marquee/simulators';
import { ADMIN, call, login, startTestServer, type TestServer } from '../helpers/server';

describe.runIf(chromiumAvailable)('kiosk dashboard page', () => {
  let browser: Browser;
  let page: Page;
  let t: TestServer;
  let violations: string[];

  beforeAll(async () => {
    browser = await launchChromium();
    t = await startTestServer();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const connectionState = () => page.locator('#connection').getAttribute('data-state');

  it('shows a session posted through the REST API within 3 s, under its CSP', async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    violations = await watchCspViolations(page);
    const response = await page.goto(`${t.url}/dashboard_test.html`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://${new URL(t.url).host}`);
    expect(csp).toContain("frame-ancestors 'none'");
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
    // Everything above ran under the policy without tripping it; and the policy is enforced.
    expect(violations).toEqual([]);
    await expectInlineScriptBlocked(page, violations);
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
    expect(violations).toEqual([]);
  }, 60_000);
});

describe.runIf(chromiumAvailable)('kiosk dashboard with a display token', () => {
  let browser: Browser;
  let fakes: FakeMediaStack;
  let t: TestServer;
  let token: string;

  beforeAll(async () => {
    browser = await launchChromium();
    // The socket takes no one without a token, so the page only goes live with the one it was given.
    // The fake Plex's sessions have posters, which the relay serves only with that token too.
    fakes = await startFakeMediaStack();
    t = await startTestServer({
      nowPlayingWsAuth: 'token',
      plexUrl: fakes.plex.url,
      plexToken: FAKE_CREDENTIALS.plexToken,
    });
    const res = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token: await login(t.url),
      body: { name: 'hallway panel', scopes: ['now-playing'] },
    });
    token = (res.body as { token: string }).token;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await fakes?.close();
  });

  /** A page that records every HTTP request's URL and Referer, to look for the token in. */
  async function openPage(): Promise<{ page: Page; sent: string[]; violations: string[] }> {
    const page = await browser.newPage();
    const sent: string[] = [];
    page.on('request', (request) => {
      sent.push(request.url(), request.headers().referer ?? '');
    });
    return { page, sent, violations: await watchCspViolations(page) };
  }
  const state = (page: Page) => page.locator('#connection').getAttribute('data-state');

  it('reads it from the URL fragment, which no request carries', async () => {
    const { page, sent, violations } = await openPage();
    await page.goto(`${t.url}/#token=${encodeURIComponent(token)}`);
    await expect.poll(() => state(page), { timeout: 10_000 }).toBe('open');
    expect(sent.length).toBeGreaterThan(2);
    expect(sent.filter((entry) => entry.includes(token))).toEqual([]);
    expect(violations).toEqual([]);
    await page.close();
  });

  it('shows Plex posters, which the relay gives only to its token, sent as Bearer', async () => {
    const { page, sent, violations } = await openPage();
    const posters: { status: number; authorized: boolean }[] = [];
    page.on('requestfinished', (request) => {
      if (!request.url().includes('/api/media/upstream-poster/')) return;
      void Promise.all([request.response(), request.allHeaders()]).then(([res, headers]) =>
        posters.push({
          status: res?.status() ?? 0,
          authorized: headers.authorization === `Bearer ${token}`,
        }),
      );
    });
    await page.goto(`${t.url}/#token=${encodeURIComponent(token)}`);
    await t.server.mediaStack.get('plex')?.poller.refresh();
    const poster = page.locator('.session[data-session-id="plex-12"] .poster');
    await expect
      .poll(
        () =>
          poster.evaluate((img: HTMLImageElement) =>
            img.src.startsWith('blob:') && img.complete ? img.naturalWidth : 0,
          ),
        { timeout: 10_000 },
      )
      .toBeGreaterThan(0);
    expect(posters.length).toBeGreaterThan(0);
    expect(posters.every((p) => p.status === 200 && p.authorized)).toBe(true);
    // Without the token the relay refuses the same poster.
    expect((await fetch(`${t.url}/api/media/upstream-poster/plex-12`)).status).toBe(401);
    expect(sent.filter((entry) => entry.includes(token))).toEqual([]);
    expect(violations).toEqual([]);
    await page.close();
  });

  it('still takes a legacy ?token=, and moves it into the fragment without keeping it in history', async () => {
    const { page, sent, violations } = await openPage();
    await page.goto(`${t.url}/?token=${encodeURIComponent(token)}`);
    await expect.poll(() => state(page), { timeout: 10_000 }).toBe('open');
    expect(page.url()).toBe(`${t.url}/#token=${encodeURIComponent(token)}`);
    // Only the bookmark's own request had it; nothing the page loaded named it as Referer.
    expect(sent.filter((entry) => entry.includes(token))).toEqual([
      `${t.url}/?token=${encodeURIComponent(token)}`,
    ]);
    sent.length = 0;
    await page.reload();
    await expect.poll(() => state(page), { timeout: 10_000 }).toBe('open');
    expect(sent.length).toBeGreaterThan(2);
    expect(sent.filter((entry) => entry.includes(token))).toEqual([]);
    // The query form was replaced, not added to: one step back is where the browser started.
    await page.goBack();
    expect(page.url()).toBe('about:blank');
    expect(violations).toEqual([]);
    await page.close();
  });

  it('stays off the air without one', async () => {
    const refused = t.server.gateway.stats().rejected[401] ?? 0;
    const { page } = await openPage();
    await page.goto(`${t.url}/`);
    await expect
      .poll(() => t.server.gateway.stats().rejected[401] ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(refused);
    expect(await state(page)).not.toBe('open');
    await page.close();
  });
});
