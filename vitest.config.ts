import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources in tests (the `@marquee/source` export
// condition), so tests never run against a stale build.
const source = '@marquee/source';

export default defineConfig({
  resolve: {
    conditions: [source, ...defaultClientConditions],
  },
  ssr: {
    resolve: {
      conditions: [source, ...defaultServerConditions],
      externalConditions: [source],
    },
  },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'scripts/test/**/*.test.ts',
      'firmware/android-tv/web/test/**/*.test.ts',
    ],
    typecheck: {
      enabled: true,
      include: ['packages/*/test/**/*.test-d.ts'],
      tsconfig: './tsconfig.base.json',
    },
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
