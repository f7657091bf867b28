import { defineConfig } from 'vitest/config';

// Tests import the packages by name, so they run against the built `dist/` (npm test builds first).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.oracle.test.ts', 'test/**/*.slurm.test.ts', '**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
