import { defineConfig } from 'vitest/config';
import { E2E, ORACLE } from './vitest.config.js';

// The end-to-end suites: the CLIs and the examples run as real processes on miniature data
// (test/e2e/ and every `*.e2e.test.ts`). The oracle ones among them run with `npm run test:oracle`.
export default defineConfig({
  test: {
    include: E2E,
    exclude: [...ORACLE, '**/node_modules/**'],
    // the probe set and error curve every world shares, built once per run (read-only)
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
