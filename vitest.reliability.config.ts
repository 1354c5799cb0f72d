/**
 * npm run test:reliability: load, reload under load, fuzz, bad data and SIGTERM against the national dataset, one
 * file after another (they measure and must not compete for the CPU). Durations from the environment, for local
 * runs: RELIABILITY_LOAD_SECONDS (60), RELIABILITY_CONNECTIONS (128), RELIABILITY_RELOADS (10),
 * RELIABILITY_FUZZ_REQUESTS (10000).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
