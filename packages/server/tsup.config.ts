import { defineConfig, type Options } from 'tsup';

/** A page's script: bundled with everything it imports, minified, one file for any browser. */
const browserScript = {
  format: ['iife'],
  outExtension: () => ({ js: '.js' }),
  minify: true,
  sourcemap: true,
  target: 'es2020',
  platform: 'browser',
  noExternal: [/.*/],
  esbuildOptions(options) {
    options.conditions = ['@marquee/source', 'browser'];
  },
} satisfies Options;

export default defineConfig([
  {
    // watt: the factory Platformatic Watt runs in each worker (watt.json, docs/deploy.md).
    // testing: a real server on port 0 in a temporary directory, for tests and benchmarks.
    entry: { index: 'src/index.ts', testing: 'src/testing.ts', watt: 'src/watt.ts' },
    format: ['esm', 'cjs'],
    // import.meta.url (used to find web/ assets) in the CJS build too.
    shims: true,
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node22',
    platform: 'node',
    // node:sqlite exists only with its prefix.
    removeNodeProtocol: false,
  },
  {
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node22',
    platform: 'node',
    // node:sqlite exists only with its prefix.
    removeNodeProtocol: false,
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // The pages' scripts (kiosk dashboard, GPU host, monitoring, media stack): the SDK's browser clients, bundled and minified.
    // Their own folder: the node build's `clean` empties dist/ while this one runs in parallel.
    entry: {
      dashboard: 'web/dashboard.ts',
      gpu: 'web/gpu.ts',
      monitor: 'web/monitor.ts',
      'media-stack': 'web/media-stack.ts',
    },
    outDir: 'public',
    clean: true,
    ...browserScript,
  },
  {
    // The TV web player (firmware/android-tv/web), served at /tv/: its script, its service worker
    // (offline start), and its page and style sheet copied beside them.
    entry: {
      player: '../../firmware/android-tv/web/src/main.ts',
      sw: '../../firmware/android-tv/web/src/sw.ts',
    },
    outDir: 'tv',
    publicDir: '../../firmware/android-tv/web/static',
    clean: true,
    ...browserScript,
  },
]);
