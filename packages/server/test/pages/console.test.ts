/**
 * How the server serves the operator console's build (packages/console → console/): the page
 * under the pages' CSP and `no-cache`, `/console` sent to `/console/`, hashed chunks cached for
 * good with nosniff, and nothing outside console/assets reachable by name. Requires
 * `npm run build` (the console's Vite build).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server';

const BUILD = join(import.meta.dirname, '../../console');

describe('operator console assets', () => {
  let t: TestServer;
  beforeAll(async () => {
    if (!existsSync(join(BUILD, 'index.html')))
      throw new Error(`${BUILD}/index.html is missing: run "npm run build" first`);
    t = await startTestServer();
  });
  afterAll(() => t?.close());

  it('serves the page under the CSP, and redirects /console to /console/', async () => {
    const page = await fetch(`${t.url}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await page.text()).toMatch(/<script type="module" crossorigin src="\/console\/assets\//);
    const bare = await fetch(`${t.url}/console`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([301, '/console/']);
  });

  it('serves every built chunk by name, cached for good; nothing else', async () => {
    const files = readdirSync(join(BUILD, 'assets'));
    expect(files.some((f) => f.endsWith('.js'))).toBe(true);
    for (const file of files) {
      const res = await fetch(`${t.url}/console/assets/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type')).toMatch(
        file.endsWith('.css') ? /^text\/css/ : /^text\/javascript/,
      );
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    for (const path of [
      'missing.js',
      '..%2Findex.html',
      '..%2F..%2Fpackage.json',
      'index.html',
      '.js',
      '%2Fetc%2Fpasswd',
    ]) {
      const res = await fetch(`${t.url}/console/assets/${path}`);
      expect(res.status, path).toBe(404);
    }
  });
});
