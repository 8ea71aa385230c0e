import { defineConfig } from 'tsup';

// One config, so `clean` cannot race a second build writing into the same dist/. The two
// executables (`cli`, `nvidia-smi`) are started by the launchers in bin/, which pick this build
// or the TypeScript source.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    cli: 'src/cli/main.ts',
    'nvidia-smi': 'src/gpu/nvidia-smi-main.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  // import.meta.url (used to find bin/) in the CJS build too.
  shims: true,
  sourcemap: true,
  clean: true,
  target: 'node22',
  platform: 'node',
});
