import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores on CI: Go builds and type checks inside tests are heavy, so keep parallelism modest.
    maxWorkers: 2,
  },
});
