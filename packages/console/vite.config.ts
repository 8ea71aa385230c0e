/**
 * The console's build: Preact's JSX through Vite's own transform (no plugin needed), the SDK from
 * its TypeScript sources (`@marquee/source`, so the build never waits for the SDK's), and the
 * output written beside the TV player into packages/server/console, which the server serves at
 * /console/ under the pages' CSP (no inline script or style: Vite emits files only).
 */
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  resolve: { conditions: ['@marquee/source', ...defaultClientConditions] },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../server/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Vite's module preload polyfill is an inline-free import in the entry; keep it (old TVs).
    modulePreload: { polyfill: true },
    reportCompressedSize: false,
  },
});
