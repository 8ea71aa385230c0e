/**
 * The operator console in Debian's Chromium (playwright-core) against a real Marquee server on
 * port 0, served at /console/ from the build (`npm run build`), used as a person would: sign in
 * (a wrong password refused), upload an image (a text file refused with its reason), build a
 * playlist, approve a TV's pairing code, see the paired TV (the simulator) in the fleet, assign
 * the playlist to its front screen and see the TV report it ready, send "Take screenshot" and see
 * it acked and the screenshot shown, create a viewer, and as the viewer see no fleet, media or
 * upload button while the server refuses the viewer's upload anyway. The page runs under its CSP
 * with no violation, by keyboard, at 360 px and at 4K, in both themes.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  createSignageAdminClient,
  pairDeviceForTest,
  type SignageAdminClient,
} from './helpers/sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  expectInlineScriptBlocked,
  launchChromium,
  watchCspViolations,
} from '../../server/test/helpers/browser';
import { TvSimulator } from '../../simulators/src/index';
import { generatedFile } from '../../simulators/src/tv/provision';
import { screenshotPng } from '../../simulators/src/tv/screenshot';
import { startMarquee, type TestMarquee } from '../../simulators/test/helpers/marquee-server';

const BUILD = join(import.meta.dirname, '../../server/console/index.html');
const WAIT = { timeout: 15_000, interval: 100 } as const;
const VIEWER = { username: 'wall-viewer', password: 'viewer-password-1' } as const;
/** The server's upload limit in this test, so a too-large file is quick to make. */
const MAX_UPLOAD = 50_000;

// One person's session, step by step: each test goes on from where the last one left the page.
// A loaded CI machine runs other browser tests beside this one, hence the generous limit.
describe.runIf(chromiumAvailable)('operator console in Chromium', { timeout: 60_000 }, () => {
  let marquee: TestMarquee;
  let admin: SignageAdminClient;
  let browser: Browser;
  let page: Page;
  let violations: string[];
  let tv: TvSimulator | undefined;
  const image = screenshotPng(7, 320, 180);
  const clip = generatedFile(20_000, 1, 'mp4');
  let playlistId = 0;
  let sn = '';

  beforeAll(async () => {
    if (!existsSync(BUILD)) throw new Error(`${BUILD} is missing: run "npm run build" first`);
    marquee = await startMarquee({ wsPingIntervalMs: 500, maxMediaUploadBytes: MAX_UPLOAD });
    admin = createSignageAdminClient({ baseUrl: marquee.url, credentials: marquee.admin });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    violations = await watchCspViolations(page);
  }, 30_000);

  afterAll(async () => {
    await tv?.stop();
    await browser?.close();
    await marquee?.close();
  });

  async function signIn(username: string, password: string): Promise<void> {
    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('signs in with the session cookie, refusing a wrong password, under its CSP', async () => {
    const response = await page.goto(`${marquee.url}/console/`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await signIn(marquee.admin.username, 'not-the-password');
    await expect.poll(() => page.getByRole('alert').textContent(), WAIT).toMatch(/./);
    await signIn(marquee.admin.username, marquee.admin.password);
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    const nav = await page.getByRole('navigation', { name: 'Console' }).innerText();
    for (const area of ['Fleet', 'Pairing', 'Media', 'Playlists', 'Users & tokens', 'Account'])
      expect(nav).toContain(area);
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'marquee_session')?.httpOnly).toBe(true);
  });

  it('uploads an image and a video; type and size errors are shown per file', async () => {
    await page.getByRole('link', { name: 'Media', exact: true }).click();
    await page.getByTestId('upload').setInputFiles([
      { name: 'lobby.png', mimeType: 'image/png', buffer: Buffer.from(image) },
      { name: 'clip.mp4', mimeType: 'video/mp4', buffer: Buffer.from(clip) },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') },
      // Says PNG, holds text: the server sniffs the bytes and refuses it.
      { name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not a picture at all') },
      {
        name: 'big.mp4',
        mimeType: 'video/mp4',
        buffer: Buffer.from(generatedFile(MAX_UPLOAD + 1000, 3, 'mp4')),
      },
    ]);
    const uploads = page.getByTestId('uploads');
    const row = (name: string) => uploads.locator('li').filter({ hasText: name });
    await expect.poll(() => uploads.locator('li[data-state="stored"]').count(), WAIT).toBe(2);
    await expect.poll(() => uploads.locator('li[data-state="refused"]').count(), WAIT).toBe(3);
    expect(await row('notes.txt').innerText()).toContain('Not an image or a video');
    expect(await row('fake.png').getAttribute('data-state')).toBe('refused');
    expect(await row('big.mp4').getAttribute('data-state')).toBe('refused');
    // The server's own reasons are shown, not a generic failure.
    expect(await row('fake.png').innerText()).not.toBe(await row('big.mp4').innerText());
    const md5 = createHash('md5').update(image).digest('hex');
    const card = page.locator('li[data-media="lobby.png"]');
    await card.waitFor(WAIT);
    expect(await card.innerText()).toContain(md5);
    expect(await card.innerText()).toContain('image/png');
    expect(await card.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(
      320,
    );
    const video = page.locator('li[data-media="clip.mp4"] video');
    expect(await video.getAttribute('src')).toMatch(/^\/media\//);
    const library = await admin.listMedia();
    expect(library.results.map((m) => m.media_name).sort()).toEqual(['clip.mp4', 'lobby.png']);
  });

  it('builds a two-zone playlist with the editor, its errors shown beside their fields', async () => {
    await page.getByRole('link', { name: 'Playlists' }).click();
    await page.getByRole('button', { name: 'New playlist' }).click();
    const editor = page.getByRole('form', { name: 'Playlist editor' });
    await editor.getByLabel('Name').fill('Lobby');
    for (const name of ['lobby.png', 'clip.mp4']) {
      await editor.getByLabel('Add media').selectOption({ label: name });
      await editor.getByRole('button', { name: 'Add item' }).click();
    }
    const item = (n: number) => editor.getByRole('listitem', { name: new RegExp(`^Item ${n}:`) });
    // Left half: the image for 5 s; right half: the video for 4 s, twice, above it.
    await item(1).getByLabel('Seconds').fill('5');
    await item(1).getByLabel('w', { exact: true }).fill('960');
    await item(2).getByLabel('Seconds').fill('4');
    await item(2).getByLabel('Times played').fill('2');
    await item(2).getByLabel('x', { exact: true }).fill('960');
    await item(2).getByLabel('w', { exact: true }).fill('960');
    await item(2).getByLabel('z', { exact: true }).fill('2');
    // The canvas draws each zone where it plays: left half and right half.
    const zones = await page
      .getByTestId('zone-canvas')
      .locator('.zone')
      .evaluateAll((boxes) =>
        boxes.map((box) => {
          const zone = box.getBoundingClientRect();
          const canvas = (box.parentElement ?? box).getBoundingClientRect();
          return [
            Math.round(((zone.left - canvas.left) / canvas.width) * 100),
            Math.round((zone.width / canvas.width) * 100),
          ];
        }),
      );
    expect(zones).toEqual([
      [0, 50],
      [50, 50],
    ]);
    // Order by keyboard-reachable buttons: move the video up, then back down.
    await item(2).getByRole('button', { name: 'Move up' }).click();
    expect(await item(1).getAttribute('aria-label')).toContain('clip.mp4');
    await item(1).getByRole('button', { name: 'Move down' }).click();
    await editor.getByLabel('Width (px)').fill('');
    await editor.getByLabel('Repeat count (−1 forever)').fill('-5');
    await editor.getByRole('button', { name: 'Save playlist' }).click();
    // The SDK's schema refused both, beside their fields, and nothing was sent.
    expect(await editor.locator('.error').count()).toBe(2);
    expect((await admin.listPlaylists()).count).toBe(0);
    await editor.getByLabel('Width (px)').fill('1920');
    await editor.getByLabel('Repeat count (−1 forever)').fill('-1');
    await editor.getByRole('button', { name: 'Save playlist' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved Lobby' }).waitFor(WAIT);
    const saved = (await admin.listPlaylists()).results;
    expect(saved).toHaveLength(1);
    const lobby = saved[0];
    expect(
      lobby?.media_items.map((i) => [
        i.media_name,
        i.timing.duration,
        i.n_time_play,
        i.layout.x,
        i.layout.width,
        i.layout.z_index,
      ]),
    ).toEqual([
      ['lobby.png', 5, 1, 0, 960, 1],
      ['clip.mp4', 4, 2, 960, 960, 2],
    ]);
    expect(lobby?.playback_config).toMatchObject({ repeat: true, repeat_count: -1 });
    playlistId = lobby?.id ?? 0;
  });

  it('warns before deleting a file in use, shows the refusal, and deletes an unused one', async () => {
    await page.getByRole('link', { name: 'Media', exact: true }).click();
    const clipCard = page.locator('li[data-media="clip.mp4"]');
    await clipCard.waitFor(WAIT);
    await expect.poll(() => clipCard.innerText(), WAIT).toContain('Lobby');
    await clipCard.getByRole('button', { name: 'Delete…' }).click();
    expect(await clipCard.getByRole('alert').innerText()).toContain('In use by Lobby');
    await clipCard.getByRole('button', { name: 'Delete clip.mp4' }).click();
    await expect.poll(() => clipCard.getByRole('alert').innerText(), WAIT).toMatch(/playlist/i);
    expect((await admin.listMedia()).count).toBe(2);

    await page
      .getByTestId('upload')
      .setInputFiles([
        { name: 'spare.png', mimeType: 'image/png', buffer: Buffer.from(screenshotPng(9)) },
      ]);
    const spare = page.locator('li[data-media="spare.png"]');
    await spare.waitFor(WAIT);
    expect(await spare.innerText()).toContain('no playlist');
    await spare.getByRole('button', { name: 'Delete…' }).click();
    expect(await spare.getByRole('alert').count()).toBe(0);
    await spare.getByRole('button', { name: 'Delete spare.png' }).click();
    await spare.waitFor({ state: 'detached', timeout: WAIT.timeout });
    expect((await admin.listMedia()).count).toBe(2);
  });

  it('deletes a playlist after asking', async () => {
    await page.getByRole('link', { name: 'Playlists' }).click();
    await page.getByRole('button', { name: 'New playlist' }).click();
    const editor = page.getByRole('form', { name: 'Playlist editor' });
    await editor.getByLabel('Name').fill('Spare');
    await editor.getByRole('button', { name: 'Save playlist' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved Spare' }).waitFor(WAIT);
    expect((await admin.listPlaylists()).count).toBe(2);
    await page.getByRole('button', { name: 'Spare' }).click();
    await editor.getByRole('button', { name: 'Delete…' }).click();
    await editor.getByRole('button', { name: 'Keep' }).click();
    expect((await admin.listPlaylists()).count).toBe(2);
    await editor.getByRole('button', { name: 'Delete…' }).click();
    await editor.getByRole('button', { name: 'Delete Spare' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted Spare' }).waitFor(WAIT);
    expect((await admin.listPlaylists()).results.map((p) => p.name)).toEqual(['Lobby']);
  });

  it('day-parts a playlist: windows edited, a bad time shown beside it, kept on later edits', async () => {
    await page.getByRole('button', { name: 'Lobby' }).click();
    const editor = page.getByRole('form', { name: 'Playlist editor' });
    await editor.getByRole('button', { name: 'Add window' }).click();
    const window = editor.getByRole('listitem', { name: 'Window 1' });
    for (const day of ['mon', 'tue', 'wed', 'thu', 'sun']) {
      await window.getByLabel(day, { exact: true }).uncheck();
    }
    await window.getByLabel('Start').fill('25:00');
    await window.getByLabel('End').fill('02:00');
    await editor.getByRole('button', { name: 'Save playlist' }).click();
    // The SDK's schema refused the hour beside its field; nothing was sent.
    expect(await window.locator('.error').innerText()).toMatch(/HH:MM/);
    expect((await admin.getPlaylist(playlistId)).schedule).toBeNull();
    await window.getByLabel('Start').fill('22:00');
    await editor.getByRole('button', { name: 'Save playlist' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved Lobby' }).waitFor(WAIT);
    const night = [{ days: ['fri', 'sat'], start: '22:00', end: '02:00' }];
    expect((await admin.getPlaylist(playlistId)).schedule).toEqual(night);
    // Reopened, the window is there; saving another change keeps it.
    await page.getByRole('button', { name: 'Lobby' }).click();
    expect(await window.getByLabel('Start').inputValue()).toBe('22:00');
    expect(await window.getByLabel('fri', { exact: true }).isChecked()).toBe(true);
    expect(await window.getByLabel('mon', { exact: true }).isChecked()).toBe(false);
    await editor.getByLabel('Repeat count (−1 forever)').fill('3');
    await editor.getByRole('button', { name: 'Save playlist' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved Lobby' }).waitFor(WAIT);
    const kept = await admin.getPlaylist(playlistId);
    expect(kept.schedule).toEqual(night);
    expect(kept.playback_config.repeat_count).toBe(3);
    // Without windows it plays always again.
    await page.getByRole('button', { name: 'Lobby' }).click();
    await window.getByRole('button', { name: 'Remove window' }).click();
    await editor.getByLabel('Repeat count (−1 forever)').fill('-1');
    await editor.getByRole('button', { name: 'Save playlist' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved Lobby' }).waitFor(WAIT);
    expect((await admin.getPlaylist(playlistId)).schedule).toBeNull();
  });

  it('approves a pairing code; the paired TV appears online in the fleet', async () => {
    const paired = pairDeviceForTest(marquee.url);
    const code = await paired.code;
    await page.getByRole('link', { name: 'Pairing' }).click();
    const card = page.locator(`li[data-code="${code}"]`);
    await card.waitFor(WAIT);
    await card.getByLabel('Serial number').fill('LOBBY-1');
    await card.getByLabel('Name').fill('Lobby left');
    await card.getByRole('button', { name: 'Approve' }).click();
    const device = await paired.device;
    expect(device).toMatchObject({ snNumber: 'LOBBY-1', name: 'Lobby left' });
    sn = device.snNumber;
    tv = new TvSimulator({
      server: marquee.url,
      credentials: { username: device.username, password: device.password },
      snNumber: sn,
      client: { heartbeat: { intervalMs: 500 } },
    });
    await tv.start();
    await page.getByRole('link', { name: 'Fleet' }).click();
    const row = page.locator(`tr[data-sn="${sn}"]`);
    await expect.poll(() => row.innerText(), WAIT).toContain('online');
    expect(await row.innerText()).toContain('Lobby left');
  });

  it('assigns the playlist to the TV and sees it report ready', async () => {
    await page.getByRole('button', { name: 'Lobby left' }).click();
    const detail = page.getByTestId('device-detail');
    const assign = detail.getByRole('form', { name: 'Assign a playlist' });
    await assign.getByLabel('Playlist').selectOption({ label: 'Lobby' });
    await assign.getByRole('button', { name: 'Assign' }).click();
    const status = detail.locator(
      `[data-testid="playlist-statuses"] li[data-playlist="${playlistId}"]`,
    );
    await expect.poll(() => status.innerText().catch(() => ''), WAIT).toContain('ready');
    await expect.poll(() => detail.getByTestId('current-playlist').innerText(), WAIT).toBe('Lobby');
    expect(tv?.stats.playlists[playlistId]).toBe('ready');
  });

  it('sends Take screenshot, sees it acked and the screenshot shown', async () => {
    const detail = page.getByTestId('device-detail');
    const form = detail.getByRole('form', { name: 'Send a command' });
    await form.getByLabel('Action').selectOption('take_screenshot');
    await form.getByRole('button', { name: 'Send' }).click();
    const command = detail.locator('[data-testid="commands"] li[data-action="take_screenshot"]');
    await expect
      .poll(
        () =>
          command
            .first()
            .innerText()
            .catch(() => ''),
        WAIT,
      )
      .toContain('acked');
    const shot = detail.getByTestId('screenshot');
    await shot.waitFor(WAIT);
    await expect
      .poll(() => shot.evaluate((img: HTMLImageElement) => img.naturalWidth), WAIT)
      .toBeGreaterThan(0);
    // The same to the chosen devices at once, from the fleet list.
    await page.getByRole('checkbox', { name: 'Choose Lobby left' }).check();
    const bulk = page.getByRole('form', { name: 'Bulk command' });
    await bulk.getByLabel('Bulk command').selectOption('reload_playlist');
    await bulk.getByRole('button', { name: 'Send to 1 chosen' }).click();
    await bulk.getByRole('status').filter({ hasText: 'Sent to 1 device.' }).waitFor(WAIT);
    // The screen assignment sent one reload already; this is the second, and it is acked too.
    const reloads = detail
      .locator('[data-testid="commands"] li[data-action="reload_playlist"]')
      .filter({ hasText: 'acked' });
    await expect.poll(() => reloads.count(), WAIT).toBe(2);
    // A parameter the schema refuses is shown, and nothing is sent.
    const before = (await admin.listCommands(sn)).count;
    await form.getByLabel('Action').selectOption('set_volume');
    await form.getByLabel('Level (0–100)').fill('250');
    await form.getByRole('button', { name: 'Send' }).click();
    await form.getByRole('alert').waitFor(WAIT);
    expect((await admin.listCommands(sn)).count).toBe(before);
  });

  it('sends every seed 002 action from the form and sees each acked by the TV', async () => {
    const detail = page.getByTestId('device-detail');
    const form = detail.getByRole('form', { name: 'Send a command' });
    const newest = detail.locator('[data-testid="commands"] li').first();
    const actions = await form
      .getByLabel('Action')
      .locator('option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    expect(actions).toHaveLength(12);
    for (const action of actions) {
      await form.getByLabel('Action').selectOption(action);
      if (action === 'switch_playlist')
        await form.locator('select[name="playlist_id"]').selectOption({ label: 'Lobby' });
      if (action === 'show_text_overlay') await form.locator('input[name="text"]').fill('Welcome');
      if (action === 'set_brightness' || action === 'set_volume')
        await form.getByLabel('Level (0–100)').fill('40');
      await form.getByRole('button', { name: 'Send' }).click();
      await expect
        .poll(
          async () => [await newest.getAttribute('data-action'), await newest.innerText()],
          WAIT,
        )
        .toEqual([action, expect.stringContaining('acked')]);
    }
    const sent = await admin.listCommands(sn, { limit: 12 });
    expect(sent.results.map((c) => c.command.action).reverse()).toEqual(actions);
    expect(sent.results.find((c) => c.command.action === 'set_volume')?.command).toMatchObject({
      volume: 40,
    });
    expect(tv?.commands.map((c) => c.action.action)).toEqual(expect.arrayContaining(actions));
  });

  it('creates a viewer and a display token; the viewer sees no upload, the server refuses it anyway', async () => {
    // A session that ends under an open view (here: its cookie gone) returns to the sign-in form
    // at the view's next read: coming back to the tab reads again (no polling loop runs).
    await page.context().clearCookies();
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await page.getByText('Your session ended. Sign in again.').waitFor(WAIT);
    await signIn(marquee.admin.username, marquee.admin.password);
    await page.getByRole('link', { name: 'Users & tokens' }).click();
    const form = page.getByRole('form', { name: 'Create a user' });
    await form.getByLabel('User name').fill(VIEWER.username);
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByLabel('Password (empty: generate one)').fill(VIEWER.password);
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.locator(`tr[data-user="${VIEWER.username}"]`).waitFor(WAIT);

    // A display token: its secret shown once, then revoked.
    const tokenForm = page.getByRole('form', { name: 'Create a display token' });
    await tokenForm.getByLabel('Token name').fill('Hall panel');
    await tokenForm.getByLabel('gpu').check();
    await tokenForm.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByTestId('token-secret').innerText();
    const me = await fetch(`${marquee.url}/api/v1/auth/me/`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(await me.json()).toMatchObject({ kind: 'display', scopes: ['now-playing', 'gpu'] });
    const token = page.locator('li[data-token="Hall panel"]');
    await token.getByRole('button', { name: 'Revoke Hall panel' }).click();
    await expect.poll(() => token.innerText(), WAIT).toContain('revoked');
    const revoked = await fetch(`${marquee.url}/api/v1/auth/me/`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(revoked.status).toBe(401);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor(WAIT);
    await signIn(VIEWER.username, VIEWER.password);
    const nav = page.getByRole('navigation', { name: 'Console' });
    await nav.waitFor(WAIT);
    expect(await page.getByTestId('who').innerText()).toContain('viewer');
    const text = await nav.innerText();
    for (const hidden of ['Fleet', 'Pairing', 'Media', 'Playlists', 'Users'])
      expect(text).not.toContain(hidden);
    // Asking for the media area by address shows the account instead; no upload control at all.
    await page.goto(`${marquee.url}/console/#/media`);
    await page.getByRole('heading', { name: 'Account' }).waitFor(WAIT);
    expect(await page.getByTestId('upload').count()).toBe(0);
    // The server refuses the viewer's upload anyway (the cookie is the credential).
    const status = await page.evaluate(async () => {
      const form = new FormData();
      form.set(
        'file',
        new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }),
        'x.png',
      );
      const res = await fetch('/api/v1/admin/cloud/media/', { method: 'POST', body: form });
      return res.status;
    });
    expect(status).toBe(403);
    expect((await admin.listMedia()).count).toBe(2);

    // The viewer changes their own password, and signs in with the new one.
    await page.getByLabel('Current password').fill(VIEWER.password);
    await page.getByLabel('New password (8 characters or more)').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.locator('#f-new_password-error').waitFor(WAIT);
    await page.getByLabel('New password (8 characters or more)').fill('viewer-password-2');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password changed' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(VIEWER.username, VIEWER.password);
    await page.getByRole('alert').waitFor(WAIT);
    await signIn(VIEWER.username, 'viewer-password-2');
    await page.getByRole('navigation', { name: 'Console' }).waitFor(WAIT);
  });

  it('is usable by keyboard, at 360 px and at 4K, in both themes', async () => {
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => ({
      text: document.activeElement?.textContent,
      outline: getComputedStyle(document.activeElement ?? document.body).outlineStyle,
    }));
    expect(skip).toEqual({ text: 'Skip to content', outline: 'solid' });
    for (const width of [360, 3840]) {
      await page.setViewportSize({ width, height: 800 });
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
    }
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const first = await background();
    await page.getByRole('button', { name: /Switch to the (dark|light) theme/ }).click();
    expect(await background()).not.toBe(first);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await page.getByRole('navigation', { name: 'Console' }).waitFor(WAIT);
    // The toggle's choice outlives the reload and wins over the system's.
    expect(await background()).not.toBe(first);
    // Nothing the console did broke its CSP, and the CSP is in force (an inline script is refused).
    expect(violations).toEqual([]);
    await expectInlineScriptBlocked(page, violations);
  });
});
