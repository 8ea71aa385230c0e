/**
 * The documentation site's link check (scripts/docs-site.ts) on a small built site in a temporary
 * folder: links that name a file of the build pass, links that name nothing fail, links that leave
 * the site are not followed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linkTarget, pageLinks, served } from '../docs-site';

const site = mkdtempSync(join(tmpdir(), 'marquee-site-'));
afterAll(() => rmSync(site, { recursive: true, force: true }));
for (const [path, body] of [
  ['index.html', ''],
  ['guide.html', ''],
  ['api/index.html', ''],
  ['api/classes/Client.html', ''],
  ['protocol/schemas/core/User.json', '{}'],
] as const) {
  mkdirSync(join(site, path, '..'), { recursive: true });
  writeFileSync(join(site, path), body);
}
const page = join(site, 'api', 'classes', 'Client.html');
const resolves = (link: string) => {
  const target = linkTarget(page, link, site);
  return target === undefined ? 'external' : served(target);
};

describe('the documentation site link check', () => {
  it('finds the href and src of a page', () => {
    expect(
      pageLinks('<a href="/guide">x</a><img src="a.png"><a class="b" href="x.html?a=1&amp;b=2">'),
    ).toEqual(['/guide', 'a.png', 'x.html?a=1&b=2']);
  });

  it('passes links to files of the build: relative, absolute, clean URLs, folders, with a hash', () => {
    expect(resolves('../index.html#method')).toBe(true);
    expect(resolves('/guide')).toBe(true);
    expect(resolves('/guide.html#a-heading')).toBe(true);
    expect(resolves('/api/')).toBe(true);
    expect(resolves('../../protocol/schemas/core/User.json')).toBe(true);
  });

  it('fails links that name nothing in the build', () => {
    expect(resolves('../missing.html')).toBe(false);
    expect(resolves('/protocol/schemas/core/Nobody.json')).toBe(false);
    expect(resolves('/nowhere/')).toBe(false);
  });

  it('does not follow links that leave the site or stay on the page', () => {
    expect(resolves('https://example.com/x')).toBe('external');
    expect(resolves('mailto:a@b.c')).toBe('external');
    expect(resolves('//cdn.example/x.js')).toBe('external');
    expect(resolves('#top')).toBe('external');
  });
});
