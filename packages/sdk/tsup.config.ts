import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { defineConfig, type Options } from 'tsup';

/**
 * The package's entry points: `.`, `./protocol`, `./device` (Node only: node:fs, node:crypto) and
 * `./media-stack`.
 */
const entries = {
  index: 'src/index.ts',
  protocol: 'src/protocol/index.ts',
  device: 'src/device.ts',
  'media-stack': 'src/media-stack.ts',
};

/**
 * ESM keeps one output module per source module (dist/esm/**), each importing its neighbours by
 * relative path. With `"sideEffects": false` an app's bundler then drops every module it does not
 * use — the other surfaces and their classic zod schemas — which it cannot do inside one bundled
 * file, where each top-level schema is a call it has to keep. A user's
 * `import { createPanelClient } from '@marquee/sdk'` so costs what the panel needs (docs/size.md).
 */
const keepModules: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'keep-modules',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const base = resolve(args.resolveDir, args.path);
      const file = [`${base}.ts`, resolve(base, 'index.ts'), base].find(
        (candidate) => candidate.endsWith('.ts') && existsSync(candidate),
      );
      if (file === undefined) return { errors: [{ text: `cannot resolve ${args.path}` }] };
      let path = relative(dirname(args.importer), file).replace(/\.ts$/, '.js');
      if (!path.startsWith('.')) path = `./${path}`;
      return { path, external: true };
    });
  },
};

const shared = {
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  external: ['ws'],
} satisfies Options;

// No `clean`: the three builds run in parallel into one dist/, which the build script empties first.
export default defineConfig([
  {
    ...shared,
    // Every source module except the tests' and type-only ones is reached from an entry.
    entry: ['src/**/*.ts'],
    outDir: 'dist/esm',
    format: ['esm'],
    esbuildPlugins: [keepModules],
  },
  {
    // CommonJS (require) gets one bundled file per entry.
    ...shared,
    entry: entries,
    format: ['cjs'],
  },
  // Declarations: one bundled .d.ts (import) and .d.cts (require) per entry. `./device` is built
  // on its own: sharing a chunk with the others, rollup-plugin-dts turned the type-only names it
  // imports from that chunk into values inside the `protocol` namespace, and the published
  // declarations failed to compile (caught by scripts/test/packed-install.test.ts).
  ...[
    { index: entries.index, protocol: entries.protocol } as Record<string, string>,
    { device: entries.device },
    { 'media-stack': entries['media-stack'] },
  ].map((entry): Options => ({
    ...shared,
    entry,
    format: ['esm', 'cjs'],
    dts: { only: true },
  })),
]);
