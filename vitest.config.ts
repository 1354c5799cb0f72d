import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // The golden and determinism tests build the national dataset: keep them from competing for the 2 cores.
    fileParallelism: false,
  },
});
