import { defineConfig } from 'vitest/config';
import base from './vitest.config';

// `npm run fuzz`: the route and socket fuzzers only, with many cases each (MARQUEE_FUZZ_RUNS per
// route and per channel), one file at a time so their figures print in order. docs/fuzzing.md.
// (Not mergeConfig: it would append these files to the base config's `include`.)
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'packages/server/test/fuzz/routes.test.ts',
      'packages/server/test/fuzz/sockets.test.ts',
    ],
    typecheck: { enabled: false },
    fileParallelism: false,
  },
});
