/**
 * Runs examples/panel-page as a user does: its script bundled for the browser by esbuild (from the
 * SDK's sources), the page served by a static server on its own origin, and loaded in Chromium
 * against a real Marquee server; checks what the page shows as sessions come and go.
 */
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../helpers/browser';
import { repoRoot } from '../helpers/cli';
import { call, login, startTestServer, type TestServer } from '../helpers/server';

const example = join(repoRoot, 'examples/panel-page');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };

/** `index.html` and `main.js` of `dir` over HTTP on port 0; anything else is 404. */
function servePage(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = path === '/' ? 'index.html' : path.slice(1);
    if (file !== 'index.html' && file !== 'main.js') return void res.writeHead(404).end();
    readFile(join(dir, file)).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? '' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe.runIf(chromiumAvailable)('examples/panel-page', { timeout: 60_000 }, () => {
  let dir: string;
  let pages: Server;
  let browser: Browser;
  let t: TestServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marquee-panel-page-'));
    // The README's esbuild line, run through esbuild's API on the SDK's sources.
    await build({
      entryPoints: [join(example, 'main.ts')],
      outfile: join(dir, 'main.js'),
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['@marquee/source'],
      logLevel: 'error',
    });
    await copyFile(join(example, 'index.html'), join(dir, 'index.html'));
    [pages, browser, t] = await Promise.all([servePage(dir), launchChromium(), startTestServer()]);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => pages?.close(resolve));
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the sessions, their progress and the connection, live from a real server', async () => {
    const bundle = await readFile(join(dir, 'main.js'), 'utf8');
    expect(bundle).not.toContain('node:');
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const origin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
    await page.goto(`${origin}/?server=${encodeURIComponent(t.url)}`);
    const text = (selector: string) => page.locator(selector).innerText();

    await expect.poll(() => text('#sessions'), { timeout: 15_000 }).toBe('Nothing playing');
    expect(await text('#status')).toBe(`open · ${t.url}`);
    expect(await text('#system')).toMatch(/^CPU \d+\.\d% · RAM \d+\.\d%$/);

    const token = await login(t.url);
    const res = await call(`${t.url}/api/dashboard/session/update`, {
      token,
      body: {
        session_id: 's1',
        title: 'The <b>Matrix</b>',
        media_type: 'movie',
        current_time: 1234.5,
        duration: 5678.9,
        state: 'paused',
        username: 'John',
      },
    });
    expect(res.status).toBe(200);
    await expect
      .poll(() => text('#sessions'), { timeout: 15_000 })
      .toBe('John: The <b>Matrix</b> (paused) 20:34 / 1:34:38');
    // The title is text, not markup; the bar shows the session's progress.
    expect(await page.locator('#sessions b').count()).toBe(0);
    // progress_percent as the server rounds it (1234.5 / 5678.9).
    expect(await page.locator('progress').evaluate((bar: HTMLProgressElement) => bar.value)).toBe(
      21.7,
    );
    expect(errors).toEqual([]);
    await page.close();
  });
});
