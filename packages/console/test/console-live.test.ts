/**
 * The console's live views in Debian's Chromium (playwright-core) against a real Marquee server
 * on port 0: with the fleet's push channel open nothing is polled; a pairing code appears as a
 * TV asks for one; the paired TV (the simulator) comes online in the fleet list with its current
 * playlist, its ready status and, after "Take screenshot", a thumbnail; with the channel refused
 * the page says so and reads the list slowly instead, seeing the TV go offline. Users: a role
 * changed and a user deleted, and the last admin's demotion and deletion refused beside the row.
 * Dashboards links the kiosk pages this server serves. Uploads: files dropped on the drop zone
 * go up with their percentage; one whose connection fails is retried and stored.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  chromiumAvailable,
  launchChromium,
  watchCspViolations,
} from '../../server/test/helpers/browser';
import { TvSimulator } from '../../simulators/src/index';
import {
  assignPlaylist,
  createDemoPlaylist,
  generatedFile,
} from '../../simulators/src/tv/provision';
import { startMarquee, type TestMarquee } from '../../simulators/test/helpers/marquee-server';
import {
  createSignageAdminClient,
  pairDeviceForTest,
  type SignageAdminClient,
} from './helpers/sdk';

const BUILD = join(import.meta.dirname, '../../server/console/index.html');
const WAIT = { timeout: 15_000, interval: 100 } as const;
const DEVICES = '/api/v1/admin/cloud/devices/';

describe.runIf(chromiumAvailable)('live console in Chromium', { timeout: 60_000 }, () => {
  let marquee: TestMarquee;
  let admin: SignageAdminClient;
  let browser: Browser;
  let page: Page;
  let violations: string[];
  let tv: TvSimulator | undefined;
  let playlistName = '';
  /** GETs of the device list the page made. */
  let listReads = 0;

  beforeAll(async () => {
    if (!existsSync(BUILD)) throw new Error(`${BUILD} is missing: run "npm run build" first`);
    marquee = await startMarquee({ wsPingIntervalMs: 500 });
    admin = createSignageAdminClient({ baseUrl: marquee.url, credentials: marquee.admin });
    playlistName = (await createDemoPlaylist(admin, 'Live demo')).name;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    violations = await watchCspViolations(page);
    page.on('request', (request) => {
      if (request.method() === 'GET' && new URL(request.url()).pathname === DEVICES) listReads++;
    });
  }, 45_000);

  afterAll(async () => {
    await tv?.stop();
    await browser?.close();
    await marquee?.close();
  });

  async function signIn(): Promise<void> {
    await page.goto(`${marquee.url}/console/`);
    await page.getByLabel('User name').fill(marquee.admin.username);
    await page.getByLabel('Password').fill(marquee.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Console' }).waitFor(WAIT);
  }

  const feedState = () => page.getByTestId('feed-state').getAttribute('data-live');
  const row = () => page.locator(`tr[data-sn="LIVE-1"]`);

  it('follows the push channel: no polling, a pairing code and a TV coming online appear live', async () => {
    await signIn();
    await expect.poll(feedState, WAIT).toBe('yes');
    await page.getByText('No device is registered yet').waitFor(WAIT);
    const before = listReads;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(listReads).toBe(before);

    await page.getByRole('link', { name: 'Pairing' }).click();
    await page.getByText('No TV is waiting for approval.').waitFor(WAIT);
    const paired = pairDeviceForTest(marquee.url);
    const code = await paired.code;
    await page.getByText(code).waitFor(WAIT);
    await admin.approvePairing(code, { sn_number: 'LIVE-1', name: 'Live lobby' });
    const device = await paired.device;

    await page.getByRole('link', { name: 'Fleet' }).click();
    await page.getByText('No device is registered yet').waitFor(WAIT);
    tv = new TvSimulator({
      server: marquee.url,
      credentials: { username: device.username, password: device.password },
      snNumber: 'LIVE-1',
    });
    await tv.start();
    await expect.poll(() => row().innerText(), WAIT).toContain('online');
    const playlists = await admin.listPlaylists();
    const id = playlists.results.find((p) => p.name === playlistName)?.id ?? 0;
    await vi.waitFor(() => assignPlaylist(admin, 'LIVE-1', id), WAIT);
    await expect
      .poll(() => row().locator('[data-col="playing"]').innerText(), WAIT)
      .toBe(`${playlistName} ready`);
    await admin.sendCommand('LIVE-1', { action: 'take_screenshot' });
    const thumb = row().locator('[data-col="screenshot"] img');
    await thumb.waitFor(WAIT);
    await expect
      .poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth), WAIT)
      .toBeGreaterThan(0);
    expect(await row().locator('[data-col="screenshot"] a').getAttribute('href')).toMatch(
      /^\/api\/v1\/admin\/cloud\/screenshots\/\d+\/$/,
    );
    expect(await row().locator('[data-col="pending"]').innerText()).toBe('0');
    expect(violations).toEqual([]);
  });

  it('falls back to a slow poll while the push channel is refused, and says so', async () => {
    await page.routeWebSocket(/\/ws\/cloud\/admin\//, (ws) => ws.close({ code: 1011 }));
    await page.reload();
    await page.getByRole('navigation', { name: 'Console' }).waitFor(WAIT);
    await expect.poll(() => page.getByTestId('feed-state').innerText(), WAIT).toBe('Reconnecting…');
    await expect.poll(() => row().innerText(), WAIT).toContain('online');
    await tv?.stop();
    tv = undefined;
    // The next slow read (every 10 s) sees it.
    await expect
      .poll(() => row().innerText(), { timeout: 25_000, interval: 200 })
      .toContain('offline');
  });

  it('changes a role, deletes a user, and shows the last admin refusals', async () => {
    await page.getByRole('link', { name: 'Users & tokens' }).click();
    const form = page.getByRole('form', { name: 'Create a user' });
    await form.getByLabel('User name').fill('shift-lead');
    await form.getByLabel('Role').selectOption('operator');
    await form.getByLabel('Password (empty: generate one)').fill('operator-pass-1');
    await form.getByRole('button', { name: 'Create user' }).click();
    const lead = page.locator('tr[data-user="shift-lead"]');
    await lead.waitFor(WAIT);
    await lead.getByLabel('Role of shift-lead').selectOption('viewer');
    await expect.poll(async () => (await listUsers()).shift, WAIT).toBe('viewer');
    page.once('dialog', (dialog) => void dialog.accept());
    await lead.getByRole('button', { name: 'Delete shift-lead' }).click();
    await expect.poll(() => lead.count(), WAIT).toBe(0);
    expect((await listUsers()).shift).toBeUndefined();

    const me = page.locator(`tr[data-user="${marquee.admin.username}"]`);
    await me.getByLabel(`Role of ${marquee.admin.username}`).selectOption('operator');
    await expect.poll(() => me.locator('.error').innerText(), WAIT).toMatch(/admin/i);
    expect(await me.getByLabel(`Role of ${marquee.admin.username}`).inputValue()).toBe('admin');
    page.once('dialog', (dialog) => void dialog.accept());
    await me.getByRole('button', { name: `Delete ${marquee.admin.username}` }).click();
    await expect.poll(() => me.getByRole('alert').innerText(), WAIT).toMatch(/admin/i);
    expect((await listUsers()).admin).toBe('admin');
  });

  async function listUsers(): Promise<{ shift?: string; admin?: string }> {
    const users = await page.evaluate(async () => {
      const res = await fetch('/api/v1/admin/users/');
      return (await res.json()) as { results: { username: string; role: string }[] };
    });
    const role = (name: string) => users.results.find((u) => u.username === name)?.role;
    return { shift: role('shift-lead'), admin: role(marquee.admin.username) };
  }

  it('links the dashboards this server serves', async () => {
    await page.getByRole('link', { name: 'Dashboards' }).click();
    const cards = page.getByTestId('dashboards');
    await cards.getByRole('link', { name: 'GPU' }).waitFor(WAIT);
    for (const [name, href] of [
      ['Now Playing', '/'],
      ['GPU', '/gpu'],
      ['Monitoring', '/monitor'],
    ] as const) {
      expect(await cards.getByRole('link', { name }).getAttribute('href')).toBe(href);
    }
    const stack = page.locator('li[data-page="/media-stack"]');
    const served = (await fetch(`${marquee.url}/media-stack`, { method: 'HEAD' })).ok;
    expect(await stack.getByRole('link').count()).toBe(served ? 1 : 0);
    if (!served) expect(await stack.innerText()).toContain('Not served by this server');
  });

  it('uploads dropped files with their percentage, and retries one whose connection failed', async () => {
    await page.getByRole('link', { name: 'Media', exact: true }).click();
    await page.getByText('Upload images or videos').waitFor(WAIT);
    // Every percentage the page shows, as it shows it.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { percents: string[] }).percents = seen;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[data-testid="percent"]')) {
          const text = el.textContent ?? '';
          if (seen.at(-1) !== text) seen.push(text);
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    // The first upload's connection fails; the next one goes through.
    let refused = false;
    await page.route('**/api/v1/admin/cloud/media/', async (route) => {
      if (route.request().method() === 'POST' && !refused) {
        refused = true;
        return route.abort('connectionreset');
      }
      return route.fallback();
    });
    const drop = async (name: string, bytes: Uint8Array) =>
      page.evaluate(
        ({ name, bytes }) => {
          const transfer = new DataTransfer();
          transfer.items.add(new File([new Uint8Array(bytes)], name, { type: 'video/mp4' }));
          const zone = document.querySelector('.drop');
          zone?.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true }));
          zone?.dispatchEvent(
            new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }),
          );
        },
        { name, bytes: [...bytes] },
      );
    await drop('flaky.mp4', generatedFile(30_000, 4, 'mp4'));
    const uploads = page.getByTestId('uploads');
    const flaky = uploads.locator('li[data-name="flaky.mp4"]');
    await expect.poll(() => flaky.getAttribute('data-state'), WAIT).toBe('failed');
    await flaky.getByRole('button', { name: 'Retry flaky.mp4' }).click();
    await expect.poll(() => flaky.getAttribute('data-state'), WAIT).toBe('stored');
    await drop('big.mp4', generatedFile(1_500_000, 5, 'mp4'));
    const big = uploads.locator('li[data-name="big.mp4"]');
    await expect.poll(() => big.getAttribute('data-state'), WAIT).toBe('stored');
    const percents = await page.evaluate(
      () => (window as unknown as { percents: string[] }).percents,
    );
    expect(percents.length).toBeGreaterThan(0);
    const values = percents.map((text) => Number.parseInt(text, 10));
    expect(values.every((v) => v >= 0 && v <= 100)).toBe(true);
    expect(values.at(-1)).toBe(100);
    const library = await admin.listMedia();
    expect(library.results.map((m) => m.media_name)).toEqual(
      expect.arrayContaining(['flaky.mp4', 'big.mp4']),
    );
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    expect(violations).toEqual([]);
  });
});
