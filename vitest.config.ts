import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The reliability suite (load, reload under load, fuzz, bad data, SIGTERM) runs on its own: npm run test:reliability.
    exclude: ['test/reliability/**', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // The golden and determinism tests build the national dataset: keep them from competing for the 2 cores.
    fileParallelism: false,
  },
});
