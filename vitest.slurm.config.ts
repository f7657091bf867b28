import { defineConfig } from 'vitest/config';

// The scheduler suite (`npm run test:slurm`): starts its own one-node Slurm (test/slurm/start-slurm.sh)
// and submits real array jobs; needs Debian's slurm-wlm and munge, run as root.
export default defineConfig({
  test: {
    include: ['test/**/*.slurm.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
  },
});
