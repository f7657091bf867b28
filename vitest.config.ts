import { defineConfig } from 'vitest/config';

// Tests import the packages by name, so they run against the built `dist/` (npm test builds first).
// `npm test` is the fast loop: the end-to-end suites (test/e2e/ and any `*.e2e.test.ts`, which run
// the CLIs as processes) run with `npm run test:e2e` (vitest.e2e.config.ts), the oracle suites
// (`*.oracle.test.ts`) with `npm run test:oracle`.
export const E2E = ['test/e2e/**/*.test.ts', 'test/**/*.e2e.test.ts'];
export const ORACLE = ['test/**/*.oracle.test.ts'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...ORACLE, ...E2E, 'test/**/*.slurm.test.ts', '**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
