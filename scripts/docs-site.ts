/**
 * Builds the documentation site and checks its links (`npm run docs:site`, run by `npm test`):
 *
 * 1. the TypeDoc API reference (docs/api, `npm run docs:api`) when it is not built yet;
 * 2. VitePress builds docs/ (guides, the generated protocol reference, benchmark and size tables)
 *    into docs/.vitepress/dist, failing on a dead link between pages;
 * 3. the API reference and the protocol's JSON files (OpenAPI, AsyncAPI, JSON Schemas, linked from
 *    the protocol reference) are copied in beside the pages;
 * 4. every `href` and `src` of every built HTML page (TypeDoc's included) that stays on the site
 *    must name a file of the build. External links are not fetched (CI has no network).
 *
 * Exits 1 naming each broken link. Nothing is deployed.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const docs = join(root, 'docs');
const dist = join(docs, '.vitepress', 'dist');

function step(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** Every file under `dir`, recursively. */
function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path) : [path];
  });
}

/**
 * The file a site-relative link names, or undefined when it leaves the site (another scheme, a
 * protocol-relative URL) or only names a place in the same page.
 */
export function linkTarget(page: string, link: string, site: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith('//') || link.startsWith('#')) {
    return undefined;
  }
  const path = decodeURIComponent(link.replace(/[?#].*$/, ''));
  if (path === '') return undefined;
  const target = path.startsWith('/') ? join(site, path) : resolve(dirname(page), path);
  if (path.endsWith('/')) return join(target, 'index.html');
  return target;
}

/** Whether the built site answers `target`: the file, or a page with clean URLs (`/guide`). */
export function served(target: string): boolean {
  if (existsSync(target) && statSync(target).isFile()) return true;
  return existsSync(`${target}.html`);
}

/** The `href` and `src` values of an HTML page. */
export function pageLinks(html: string): string[] {
  return [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
}

function main(): void {
  if (!existsSync(join(docs, 'api', 'index.html'))) step('npm', ['run', 'docs:api']);
  step(join(root, 'node_modules', '.bin', 'vitepress'), ['build', 'docs']);
  cpSync(join(docs, 'api'), join(dist, 'api'), { recursive: true });
  for (const file of ['openapi.json', 'asyncapi.json', 'schemas']) {
    cpSync(join(docs, 'protocol', file), join(dist, 'protocol', file), { recursive: true });
  }

  const pages = files(dist).filter((file) => file.endsWith('.html'));
  const broken: string[] = [];
  let checked = 0;
  for (const page of pages) {
    for (const link of pageLinks(readFileSync(page, 'utf8'))) {
      const target = linkTarget(page, link, dist);
      if (target === undefined) continue;
      checked += 1;
      if (!served(target)) broken.push(`${relative(dist, page)}: ${link}`);
    }
  }
  if (broken.length > 0) {
    console.error(`${broken.length} broken link(s) in the documentation site:`);
    for (const line of broken) console.error(`  ${line}`);
    process.exit(1);
  }
  console.log(
    `Documentation site built in ${relative(root, dist)}: ${pages.length} pages, ${checked} links on the site, none broken.`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
