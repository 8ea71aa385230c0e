/**
 * The console's Proof of play view in Debian's Chromium (playwright-core) against a real Marquee
 * server on port 0 (the build from `npm run build`): two paired TV simulators play the demo
 * playlist on virtual time (one of them a day earlier) and send their plays; the view shows the
 * plays with their totals per media item, per device and per day, pages through them, narrows
 * them by device and by media item, and downloads the server's CSV export of the current filters.
 * A viewer has no Proof of play area (the plays routes are operator-only), and the server
 * refuses the viewer's read anyway.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  chromiumAvailable,
  launchChromium,
  watchCspViolations,
} from '../../server/test/helpers/browser';
import { TvSimulator } from '../../simulators/src/index';
import { assignPlaylist, createDemoPlaylist } from '../../simulators/src/tv/provision';
import { startMarquee, type TestMarquee } from '../../simulators/test/helpers/marquee-server';
import {
  createSignageAdminClient,
  pairDeviceForTest,
  type SignageAdminClient,
} from './helpers/sdk';

const BUILD = join(import.meta.dirname, '../../server/console/index.html');
const WAIT = { timeout: 15_000, interval: 100 } as const;
const DAY = 86_400_000;
const VIEWER = { username: 'pop-viewer', password: 'viewer-password-1' } as const;

describe.runIf(chromiumAvailable)('proof of play in the console', { timeout: 60_000 }, () => {
  let marquee: TestMarquee;
  let admin: SignageAdminClient;
  let browser: Browser;
  let page: Page;
  let violations: string[];
  const tvs: TvSimulator[] = [];
  let logoId = 0;
  let clipId = 0;
  /** The local day of the late TV's and the early TV's plays, `YYYY-MM-DD`. */
  let today = '';
  let yesterday = '';

  const localDay = (ms: number) => {
    const d = new Date(ms);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  };

  /** Pairs a TV as `sn`, gives it the playlist, and starts it on virtual time from `start`. */
  async function pairedTv(sn: string, name: string, playlistId: number, start: number) {
    const paired = pairDeviceForTest(marquee.url);
    await admin.approvePairing(await paired.code, { sn_number: sn, name });
    const device = await paired.device;
    const tv = new TvSimulator({
      server: marquee.url,
      credentials: { username: device.username, password: device.password },
      snNumber: sn,
      virtualTime: start,
    });
    tvs.push(tv);
    await tv.start();
    // Registered now: its front screen gets the playlist (the server sends it a reload).
    await vi.waitFor(() => assignPlaylist(admin, sn, playlistId), WAIT);
    await vi.waitFor(() => expect(tv.stats.playlists[playlistId]).toBe('ready'), WAIT);
    return tv;
  }

  beforeAll(async () => {
    if (!existsSync(BUILD)) throw new Error(`${BUILD} is missing: run "npm run build" first`);
    marquee = await startMarquee();
    admin = createSignageAdminClient({ baseUrl: marquee.url, credentials: marquee.admin });
    const playlist = await createDemoPlaylist(admin, 'Demo');
    [logoId, clipId] = playlist.media_items.map((item) => item.media_id) as [number, number];
    // The demo playlist: the logo 5 s once, then the clip 10 s twice (25 s a round).
    const now = Date.now();
    const early = await pairedTv('POP-EARLY', 'Early hall', playlist.id, now - DAY);
    const late = await pairedTv('POP-LATE', 'Late lobby', playlist.id, now);
    yesterday = localDay(early.now());
    today = localDay(late.now());
    early.advance(5000); // one play: the logo
    late.advance(250_000); // ten rounds: 10 logo plays and 20 clip plays
    expect(await early.sendProofOfPlay()).toMatchObject({ accepted: 1 });
    expect(await late.sendProofOfPlay()).toMatchObject({ accepted: 30 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    violations = await watchCspViolations(page);
  }, 45_000);

  afterAll(async () => {
    for (const tv of tvs) await tv.stop();
    await browser?.close();
    await marquee?.close();
  });

  async function signIn(username: string, password: string): Promise<void> {
    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Console' }).waitFor(WAIT);
  }

  /** A totals table as [label, plays, time on screen] rows. */
  const totals = (id: string) =>
    page
      .getByTestId(id)
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((row) => [...row.children].map((cell) => (cell as HTMLElement).innerText)),
      );

  it('shows the plays with their totals per item, device and day, a page at a time', async () => {
    await page.goto(`${marquee.url}/console/`);
    await signIn(marquee.admin.username, marquee.admin.password);
    await page.getByRole('link', { name: 'Proof of play' }).click();
    await page.getByRole('heading', { name: 'Proof of play' }).waitFor(WAIT);
    await expect.poll(() => page.getByTestId('plays-total').innerText(), WAIT).toBe('31 plays');
    expect(await totals('by-media')).toEqual([
      ['marquee-sim-clip.mp4', '20', '3 min 20 s'],
      ['marquee-sim-logo.jpg', '11', '55 s'],
    ]);
    await expect
      .poll(() => totals('by-device'), WAIT)
      .toEqual([
        ['Late lobby (POP-LATE)', '30', '4 min 10 s'],
        ['Early hall (POP-EARLY)', '1', '5 s'],
      ]);
    expect(await totals('by-day')).toEqual(
      yesterday === today
        ? [[today, '31', '4 min 15 s']]
        : [
            [yesterday, '1', '5 s'],
            [today, '30', '4 min 10 s'],
          ],
    );
    // 31 plays, 25 a page: two pages, oldest first (the early TV's play opens the first).
    const rows = page.getByTestId('plays').locator('tbody tr');
    await expect.poll(() => rows.count(), WAIT).toBe(25);
    expect(await rows.first().innerText()).toContain('Early hall');
    expect(await page.getByTestId('plays-page').innerText()).toBe('Page 1 of 2');
    await page.getByRole('button', { name: 'Later plays' }).click();
    await expect.poll(() => rows.count(), WAIT).toBe(6);
    expect(await page.getByTestId('plays-page').innerText()).toBe('Page 2 of 2');
    expect(await page.getByRole('button', { name: 'Later plays' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Earlier plays' }).click();
    await expect.poll(() => rows.count(), WAIT).toBe(25);
  });

  it('narrows the plays by device, media item and days', async () => {
    const filters = page.getByRole('form', { name: 'Play filters' });
    await filters.getByLabel('Device').selectOption({ label: 'Late lobby (POP-LATE)' });
    await filters.getByLabel('Media item').selectOption({ label: 'marquee-sim-logo.jpg' });
    await filters.getByRole('button', { name: 'Show plays' }).click();
    await expect.poll(() => page.getByTestId('plays-total').innerText(), WAIT).toBe('10 plays');
    expect(await totals('by-media')).toEqual([['marquee-sim-logo.jpg', '10', '50 s']]);
    expect(await totals('by-device')).toEqual([['Late lobby (POP-LATE)', '10', '50 s']]);
    const rows = page.getByTestId('plays').locator('tbody tr');
    await expect.poll(() => rows.count(), WAIT).toBe(10);
    for (const text of await rows.allInnerTexts()) {
      expect(text).toContain('Late lobby');
      expect(text).toContain('marquee-sim-logo.jpg');
    }
    // Only the early TV's day: every device, every item.
    await filters.getByLabel('Device').selectOption({ label: 'Every device' });
    await filters.getByLabel('Media item').selectOption({ label: 'Every item' });
    await filters.getByLabel('First day').fill(yesterday);
    await filters.getByLabel('Last day').fill(yesterday);
    await filters.getByRole('button', { name: 'Show plays' }).click();
    const expected = yesterday === today ? '31 plays' : '1 plays';
    await expect.poll(() => page.getByTestId('plays-total').innerText(), WAIT).toBe(expected);
    // A last day before the first is refused beside the form, and the shown plays stay.
    await filters.getByLabel('Last day').fill(localDay(Date.parse(`${yesterday}T12:00:00`) - DAY));
    await filters.getByRole('button', { name: 'Show plays' }).click();
    expect(await filters.getByRole('alert').innerText()).toContain('before the first');
    expect(await page.getByTestId('plays-total').innerText()).toBe(expected);
  });

  it('downloads the server CSV export of the current filters', async () => {
    const filters = page.getByRole('form', { name: 'Play filters' });
    await filters.getByLabel('First day').fill('');
    await filters.getByLabel('Last day').fill('');
    await filters.getByLabel('Device').selectOption({ label: 'Late lobby (POP-LATE)' });
    await filters.getByLabel('Media item').selectOption({ label: 'marquee-sim-clip.mp4' });
    await filters.getByRole('button', { name: 'Show plays' }).click();
    await expect.poll(() => page.getByTestId('plays-total').innerText(), WAIT).toBe('20 plays');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^marquee-plays-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    const [header, ...lines] = csv.trim().split(/\r?\n/);
    expect(header?.split(',')).toEqual(expect.arrayContaining(['sn_number', 'media_id']));
    expect(lines).toHaveLength(20);
    const columns = header?.split(',') ?? [];
    for (const line of lines) {
      const cells = line.split(',');
      expect(cells[columns.indexOf('sn_number')]).toBe('POP-LATE');
      expect(cells[columns.indexOf('media_id')]).toBe(String(clipId));
    }
    // The same rows the server exports for these filters.
    expect(csv).toBe(await admin.exportPlays({ sn_number: 'POP-LATE', media_id: clipId }));
    expect(logoId).not.toBe(clipId);
    // The view reflows at 360 px (the tables scroll inside their own box, not the page).
    await page.setViewportSize({ width: 360, height: 740 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(violations).toEqual([]);
  });

  it('has no Proof of play area for a viewer, and the server refuses a viewer the plays', async () => {
    await page.getByRole('link', { name: 'Users & tokens' }).click();
    const form = page.getByRole('form', { name: 'Create a user' });
    await form.getByLabel('User name').fill(VIEWER.username);
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByLabel('Password (empty: generate one)').fill(VIEWER.password);
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.locator(`tr[data-user="${VIEWER.username}"]`).waitFor(WAIT);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor(WAIT);
    await signIn(VIEWER.username, VIEWER.password);
    expect(await page.getByRole('navigation', { name: 'Console' }).innerText()).not.toContain(
      'Proof of play',
    );
    await page.goto(`${marquee.url}/console/#/plays`);
    await page.getByRole('heading', { name: 'Account' }).waitFor(WAIT);
    expect(await page.getByRole('button', { name: 'Export CSV' }).count()).toBe(0);
    const statuses = await page.evaluate(async () =>
      Promise.all(
        ['/api/v1/admin/cloud/plays/', '/api/v1/admin/cloud/plays/export/'].map(
          async (path) => (await fetch(path)).status,
        ),
      ),
    );
    expect(statuses).toEqual([403, 403]);
    expect(violations).toEqual([]);
  });
});
