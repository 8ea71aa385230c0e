/**
 * Regenerates the console screenshots in docs/console/ (`npm run docs:console`, after
 * `npm run build`): a real server on port 0 with a library, a playlist, a paired simulator TV
 * that reported it ready and took a screenshot, and one TV waiting with its pairing code; then
 * each main view in Debian's Chromium at 1280×800, in the light theme and the fleet once dark,
 * and the fleet at 360 px wide.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createSignageAdminClient } from '@marquee/sdk';
import { pairDevice } from '@marquee/sdk/device';
import { startTestServer } from '@marquee/server/testing';
import { launchChromium } from '../packages/server/test/helpers/browser';
import { TvSimulator } from '../packages/simulators/src/index';
import { generatedFile } from '../packages/simulators/src/tv/provision';
import { screenshotPng } from '../packages/simulators/src/tv/screenshot';

const OUT = join(import.meta.dirname, '../docs/console');

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const t = await startTestServer();
  const admin = createSignageAdminClient({ baseUrl: t.url, credentials: t.admin });
  const logo = await admin.uploadMedia(screenshotPng(7, 640, 360), {
    fileName: 'lobby-logo.png',
    contentType: 'image/png',
  });
  const clip = await admin.uploadMedia(generatedFile(40_000, 1, 'mp4'), {
    fileName: 'opening-hours.mp4',
    contentType: 'video/mp4',
  });
  const playlist = await admin.createPlaylist({
    name: 'Lobby',
    width: 1920,
    height: 1080,
    media_items: [
      {
        media_id: logo.media_id,
        timing: { start_time: 0, duration: 8, loop: false },
        layout: { x: 0, y: 0, width: 960, height: 1080, z_index: 1 },
      },
      {
        media_id: clip.media_id,
        timing: { start_time: 0, duration: 15, loop: false },
        layout: { x: 960, y: 0, width: 960, height: 1080, z_index: 1 },
        n_time_play: 2,
      },
    ],
  });

  let shown: (code: string) => void = () => {};
  const code = new Promise<string>((resolve) => (shown = resolve));
  const paired = pairDevice({ baseUrl: t.url, request: { hint: 'Lobby left' }, onCode: shown });
  await admin.approvePairing(await code, { sn_number: 'LOBBY-1', name: 'Lobby left' });
  const device = await paired;
  const tv = new TvSimulator({
    server: t.url,
    credentials: { username: device.username, password: device.password },
    snNumber: device.snNumber,
    // Virtual time, so a few rounds of the playlist (plays for the Proof of play view) take none.
    virtualTime: true,
  });
  await tv.start();
  await admin.setScreen(device.snNumber, 'front', {
    screen_name: 'Main',
    resolution: '1920x1080',
    playlist_ids: [playlist.id],
    current_playlist: playlist.id,
  });
  await until(async () => (await admin.getDevice(device.snNumber)).ready_playlists.length > 0);
  tv.advance(4 * 38_000);
  await tv.sendProofOfPlay();
  await admin.sendCommand(device.snNumber, { action: 'take_screenshot' });
  await until(async () => (await admin.getDevice(device.snNumber)).last_screenshot !== null);
  const waiting = new AbortController();
  const pending = pairDevice({
    baseUrl: t.url,
    request: { hint: 'Café menu board', sn_number: 'CAFE-2' },
    onCode: () => {},
    signal: waiting.signal,
  }).catch(() => undefined);
  await until(async () => (await admin.listPairings()).count > 0);

  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(`${t.url}/console/`);
  await page.getByLabel('User name').fill(t.admin.username);
  await page.getByLabel('Password').fill(t.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Console' }).waitFor();

  await page.getByRole('button', { name: 'Lobby left' }).click();
  await page.getByTestId('screenshot').waitFor();
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(OUT, 'fleet.png'), fullPage: true });
  for (const area of ['pairing', 'media', 'playlists', 'plays', 'users'] as const) {
    await page.goto(`${t.url}/console/#/${area}`);
    await page.waitForLoadState('networkidle');
    if (area === 'playlists') await page.getByRole('button', { name: 'Lobby' }).click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(OUT, `${area}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`${t.url}/console/#/fleet`);
  await page.getByRole('button', { name: 'Lobby left' }).click();
  await page.getByTestId('screenshot').waitFor();
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(OUT, 'fleet-dark.png'), fullPage: true });
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(OUT, 'fleet-360.png') });

  await browser.close();
  waiting.abort();
  await pending;
  await tv.stop();
  await t.close();
  console.log(`console screenshots written to ${OUT}`);
}

async function until(ready: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > end) throw new Error('timed out waiting for the demo state');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

await main();
