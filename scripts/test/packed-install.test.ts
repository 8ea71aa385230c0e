/**
 * @marquee/sdk and @marquee/simulators installed as a user installs them: built (when stale),
 * `npm pack`ed, installed from the tarballs into fresh temporary projects and used there — Node
 * ESM, Node CommonJS, TypeScript under moduleResolution bundler and nodenext (types resolve, no
 * export typed `any`), a browser bundle made by esbuild and one by Vite loaded in Chromium, all
 * against a real Marquee server. publint and @arethetypeswrong/cli check the tarballs.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@marquee/server/testing';
import { chromiumAvailable, launchChromium } from '../../packages/server/test/helpers/browser';
import {
  browserApp,
  cjsProgram,
  esmProgram,
  indexHtml,
  tsconfigBundler,
  tsconfigNodeNext,
  typesCjs,
  typesEsm,
} from '../packed/fixtures';
import {
  createProject,
  ensureBuilt,
  pack,
  remove,
  repoBin,
  repoRoot,
  repoVersion,
  run,
  type Packed,
} from '../packed/project';
import { PANEL_BUDGET_BYTES, measure, nonMiniZodModules, packedVariants } from '../size/bundles';

const SLOW = 240_000;

let packed: Packed;
let esm: string;
let cjs: string;
let server: TestServer;

beforeAll(async () => {
  await ensureBuilt();
  packed = await pack(await mkdtemp(join(tmpdir(), 'marquee-packed-')));
  const typesNode = `@types/node@${await repoVersion('@types/node')}`;
  const install = [packed.sdk, packed.simulators, typesNode];
  [esm, cjs] = await Promise.all([
    createProject('esm', {
      type: 'module',
      install,
      files: {
        'main.js': esmProgram,
        'types.ts': typesEsm,
        'types.cts': typesCjs,
        'tsconfig.bundler.json': tsconfigBundler,
        'tsconfig.nodenext.json': tsconfigNodeNext,
        'app.js': browserApp,
        'index.html': indexHtml,
      },
    }),
    createProject('cjs', { type: 'commonjs', install, files: { 'main.js': cjsProgram } }),
  ]);
  server = await startTestServer();
}, SLOW);

afterAll(async () => {
  await server?.close();
  await Promise.all([remove(esm), remove(cjs), remove(packed?.dir)]);
});

interface NodeReport {
  titles: string[];
  valid: boolean;
  pairingCode: boolean;
  screenKeys: boolean;
  panelSessions: number;
  notFound: { marquee: boolean; code: string; status: number };
  sdkVersion: string;
  simulatorsVersion: string;
}

/**
 * Posts the session the programs must see. Called right before each of them runs: a session
 * that gets no update expires, and the type checks before the browser runs take a while.
 */
async function postSession(): Promise<void> {
  const token = await server.login();
  const res = await fetch(`${server.url}/api/dashboard/session/update`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      session_id: 'packed-1',
      title: 'Packed Matrix',
      media_type: 'movie',
      current_time: 60,
      duration: 600,
      state: 'playing',
      username: 'John',
    }),
  });
  expect(res.status).toBe(200);
}

/**
 * Runs the project's main.js (Node by default; Bun and Deno run the same file) and returns its
 * report, the last line it prints.
 */
async function runNode(
  cwd: string,
  command: readonly string[] = [process.execPath, 'main.js'],
): Promise<NodeReport> {
  await postSession();
  const [program = process.execPath, ...args] = command;
  const { stdout } = await run(program, args, {
    cwd,
    env: { MARQUEE_URL: server.url },
    timeoutMs: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as NodeReport;
}

const expectedReport: NodeReport = {
  titles: ['Packed Matrix'],
  valid: true,
  pairingCode: true,
  screenKeys: true,
  panelSessions: 1,
  notFound: { marquee: true, code: 'NOT_FOUND', status: 404 },
  sdkVersion: '0.1.0',
  simulatorsVersion: '0.1.0',
};

describe('the packed packages, installed in fresh projects', { timeout: 90_000 }, () => {
  it('work from Node ESM: panel, protocol, device, simulators, package.json', async () => {
    expect(await runNode(esm)).toEqual(expectedReport);
  });

  it('work from Node CommonJS (require)', async () => {
    expect(await runNode(cjs)).toEqual(expectedReport);
  });

  // Bun and Deno install from the npm registry here (devDependencies `bun` and `deno`), so the
  // same ESM program runs under each, from the same node_modules.
  it('work under Bun: the same ESM program', async () => {
    expect(await runNode(esm, [repoBin('bun'), 'main.js'])).toEqual(expectedReport);
  });

  it('work under Deno: the same ESM program', async () => {
    expect(await runNode(esm, [repoBin('deno'), 'run', '--allow-all', 'main.js'])).toEqual(
      expectedReport,
    );
  });

  it('type-check under moduleResolution bundler, with no export typed any', async () => {
    await run(repoBin('tsc'), ['-p', 'tsconfig.bundler.json'], { cwd: esm });
  });

  it('type-check under nodenext, ESM (.ts) and CommonJS (.cts)', async () => {
    await run(repoBin('tsc'), ['-p', 'tsconfig.nodenext.json'], { cwd: esm });
  });

  it('run the marquee-sim bin from the installed package', async () => {
    const { stdout } = await run('npx', ['--no-install', 'marquee-sim', '--version'], { cwd: esm });
    expect(stdout.trim()).toBe('0.1.0');
  });

  it('tree-shake the root import to the panel client: at most 15 KB min+gzip', async () => {
    const panel = packedVariants.find((variant) => variant.id === 'panel');
    if (!panel) throw new Error('no panel variant');
    const bundle = await measure(panel, esm);
    expect(bundle.gzip).toBeLessThanOrEqual(PANEL_BUDGET_BYTES);
    // What keeps it small: no classic zod, no other surface's protocol module.
    expect(nonMiniZodModules(bundle.inputs)).toEqual([]);
    const protocol = bundle.inputs.filter((path) => path.includes('/dist/esm/protocol/'));
    expect(protocol.filter((path) => !/\/(now-playing|close-codes|primitives)/.test(path))).toEqual(
      [],
    );
  });

  it('pass publint and arethetypeswrong (node16 and bundler resolution)', async () => {
    for (const name of ['sdk', 'simulators']) {
      await run(repoBin('publint'), [join('node_modules', '@marquee', name), '--strict'], {
        cwd: esm,
      });
    }
    for (const tarball of [packed.sdk, packed.simulators]) {
      // node10 (no `exports` support) is not a runtime these packages claim: engines is >= 22.12.
      await run(repoBin('attw'), [tarball, '--profile', 'node16', '--format', 'ascii'], {
        cwd: packed.dir,
      });
    }
  });
});

describe("the README's panel quick start", { timeout: 90_000 }, () => {
  it('shows live data from a real server, run as written in a fresh project', async () => {
    const readme = await readFile(join(repoRoot, 'packages/sdk/README.md'), 'utf8');
    const snippet = quickStart(readme, 'Panel');
    // The one change the README asks for: where the server is.
    expect(snippet.split('http://localhost:8000')).toHaveLength(2);
    await writeFile(join(esm, 'panel.mjs'), snippet.replace('http://localhost:8000', server.url));
    await postSession();
    const child = spawn(process.execPath, ['panel.mjs'], {
      cwd: esm,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    try {
      await expect
        .poll(() => out, { timeout: 20_000 })
        .toMatch(/^John: Packed Matrix \(\d+(\.\d+)?%\)$/m);
      expect(out).toContain('connection: open');
      expect(out).toContain('CPU 23.4%');
    } finally {
      child.kill();
    }
  });
});

/** The first js code block after the README's `### <heading>…` line. */
function quickStart(readme: string, heading: string): string {
  const at = readme.search(new RegExp(`^### ${heading}\\b`, 'm'));
  expect(at).toBeGreaterThanOrEqual(0);
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block?.[1]) throw new Error(`no js block under ### ${heading}`);
  return block[1];
}

describe.runIf(chromiumAvailable)('the packed SDK in a browser bundle', { timeout: 90_000 }, () => {
  let browser: Browser;
  let pages: Server;
  let pagesUrl: string;

  beforeAll(async () => {
    browser = await launchChromium();
    pages = await serveStatic(esm);
    pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  }, SLOW);
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => pages?.close(resolve));
  });

  async function showsLiveData(path: string): Promise<void> {
    await postSession();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${pagesUrl}/${path}?server=${encodeURIComponent(server.url)}`);
    const data = (key: string) => page.evaluate((k) => document.body.dataset[k] ?? '', key);
    await expect.poll(() => data('titles'), { timeout: 15_000 }).toBe('Packed Matrix');
    expect(await data('state')).toBe('open');
    expect(await data('cpu')).toBe('23.4');
    expect(errors).toEqual([]);
    await page.close();
  }

  it('bundled by esbuild (browser, minified) shows live data from a real server', async () => {
    await run(
      repoBin('esbuild'),
      ['app.js', '--bundle', '--minify', '--format=esm', '--platform=browser', '--outdir=esbuild'],
      { cwd: esm },
    );
    const bundle = await readFile(join(esm, 'esbuild', 'app.js'), 'utf8');
    // isomorphic-ws resolved to its browser build: Node's ws is not in the bundle.
    expect(bundle).not.toContain('node:');
    await writeFile(join(esm, 'esbuild', 'index.html'), indexHtml);
    await showsLiveData('esbuild/index.html');
  });

  it('bundled by Vite shows live data from a real server', async () => {
    await run(
      repoBin('vite'),
      ['build', '.', '--outDir', 'vite', '--base', './', '--logLevel', 'error'],
      { cwd: esm, timeoutMs: 120_000 },
    );
    await showsLiveData('vite/index.html');
  });
});

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };

/** The project's files over HTTP on port 0 (a page's origin; the Marquee server is another). */
function serveStatic(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(new URL(req.url ?? '/', 'http://x').pathname).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    readFile(join(root, path)).then(
      (body) => {
        res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
        res.end(body);
      },
      () => {
        res.writeHead(404).end();
      },
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
