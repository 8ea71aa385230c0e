import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config';

// `npm run fuzz`: the route and socket fuzzers with many cases each (MARQUEE_FUZZ_RUNS per route
// and per channel), one file at a time so their figures print in order. docs/fuzzing.md.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: [
        'packages/server/test/fuzz/routes.test.ts',
        'packages/server/test/fuzz/sockets.test.ts',
      ],
      typecheck: { enabled: false },
      fileParallelism: false,
    },
  }),
);
