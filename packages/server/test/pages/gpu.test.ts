/**
 * The GPU host page in a real browser: Debian's chromium driven by playwright-core against a real
 * server whose nvidia-smi is the simulators' fake executable and whose Ollama is the fake server.
 * Requires `npm run build` (the page's script is the bundled SDK client); the browser and its CI rule
 * (missing fails rather than skips) are ../helpers/browser.ts's.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  expectInlineScriptBlocked,
  launchChromium,
  pageStyles,
  watchCspViolations,
} from '../helpers/browser';
import { ADMIN, call } from '../helpers/server';
import { displayToken, startGpuServer, type GpuTestServer } from '../helpers/gpu-host';

describe.runIf(chromiumAvailable)('GPU host page', () => {
  let browser: Browser;
  let page: Page;
  let g: GpuTestServer;
  let violations: string[];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    g = await startGpuServer();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    violations = await watchCspViolations(page);
  });
  afterEach(async () => {
    // Every test ran the page under its CSP without tripping it.
    expect(violations).toEqual([]);
    await page?.close();
    await g?.close();
  });

  const memoryText = (index: number) => page.locator('.gpu .memory').nth(index).textContent();

  it('signs in, shows VRAM per GPU and who holds it, unloads a model and follows a download', async () => {
    const load = await call(`${g.t.url}/api/models/ollama/load`, {
      token: g.token,
      body: { model_name: 'llama3.2' },
    });
    expect(load.status).toBe(200);

    const response = await page.goto(`${g.t.url}/gpu`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('#signin').waitFor({ state: 'visible', timeout: 10_000 });
    await page.fill('#signin input[name="username"]', ADMIN.username);
    await page.fill('#signin input[name="password"]', ADMIN.password);
    await page.click('#signin button[type="submit"]');

    await expect
      .poll(() => page.locator('#connection').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('open');
    await expect.poll(() => page.locator('.gpu').count(), { timeout: 10_000 }).toBe(2);
    expect(await page.locator('.gpu .name').first().textContent()).toBe(
      'GPU 0 · NVIDIA GeForce RTX 4090',
    );
    // GPU 0 holds the loaded model: its runner is listed and its VRAM is counted.
    await expect
      .poll(() => page.locator('.gpu').first().locator('.process').count(), { timeout: 10_000 })
      .toBe(1);
    expect(await memoryText(1)).toBe('402 MiB / 24,564 MiB used');
    const row = page.locator('.model[data-name="llama3.2:latest"]');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('.holds').textContent()).toMatch(/^\d+\.\d GiB VRAM$/);
    expect(await row.locator('.processor').textContent()).toBe('100% GPU');
    expect(await memoryText(0)).not.toBe('402 MiB / 24,564 MiB used');
    expect(await pageStyles(page)).toEqual({ background: 'rgb(11, 13, 18)', accent: '#76b900' });
    await page.screenshot({ path: `${g.t.dataDir}/gpu-loaded.png` });

    await row.locator('.unload').click();
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    expect(await page.locator('#no-models').isVisible()).toBe(true);
    await expect.poll(() => memoryText(0), { timeout: 10_000 }).toBe('402 MiB / 24,564 MiB used');

    g.ollama.slowPull(40);
    await page.fill('#download-form input[name="model"]', 'tinyllama');
    await page.click('#download-form button[type="submit"]');
    const download = page.locator('.download[data-model="tinyllama"]');
    await download.waitFor({ timeout: 10_000 });
    await expect
      .poll(() => download.getAttribute('data-status'), { timeout: 10_000 })
      .toBe('complete');
    expect(await download.locator('.fill').evaluate((el) => (el as HTMLElement).style.width)).toBe(
      '100%',
    );
    await page.screenshot({ path: `${g.t.dataDir}/gpu-downloaded.png` });
  });

  it('with a display token in the URL fragment shows the data read-only and explains a refused unload', async () => {
    await call(`${g.t.url}/api/models/ollama/load`, {
      token: g.token,
      body: { model_name: 'qwen2.5:7b' },
    });
    const token = await displayToken(g, ['gpu']);
    const urls: string[] = [];
    page.on('request', (request) => urls.push(request.url(), request.headers().referer ?? ''));
    await page.goto(`${g.t.url}/gpu#token=${encodeURIComponent(token)}`);
    const row = page.locator('.model[data-name="qwen2.5:7b"]');
    await row.waitFor({ timeout: 10_000 });
    expect(await page.locator('#signin').isHidden()).toBe(true);
    await row.locator('.unload').click();
    await expect
      .poll(() => page.locator('#message').textContent(), { timeout: 10_000 })
      .toBe('Insufficient permissions');
    expect(await row.isVisible()).toBe(true);
    // The token went as a Bearer header, never in a URL or a Referer.
    expect(urls.length).toBeGreaterThan(3);
    expect(urls.filter((url) => url.includes(token))).toEqual([]);
    await expectInlineScriptBlocked(page, violations);
  });

  it('still takes a legacy ?token= bookmark, and moves the token into the fragment', async () => {
    const token = await displayToken(g, ['gpu']);
    await page.goto(`${g.t.url}/gpu?view=wall&token=${encodeURIComponent(token)}`);
    await expect.poll(() => page.locator('.gpu').count(), { timeout: 10_000 }).toBe(2);
    expect(await page.locator('#signin').isHidden()).toBe(true);
    expect(page.url()).toBe(`${g.t.url}/gpu?view=wall#token=${encodeURIComponent(token)}`);
    await page.goBack();
    expect(page.url()).toBe('about:blank');
  });

  it('says so plainly when the host has no GPU', async () => {
    g.host.setFailure('no_driver');
    const token = await displayToken(g, ['gpu']);
    await page.goto(`${g.t.url}/gpu#token=${encodeURIComponent(token)}`);
    await expect
      .poll(() => page.locator('#gpu-state').textContent(), { timeout: 10_000 })
      .toMatch(/^The NVIDIA driver is not loaded/);
    expect(await page.locator('.gpu').count()).toBe(0);
  });
});
