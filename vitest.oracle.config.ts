import { defineConfig } from 'vitest/config';

// The oracle suite compares full-size models with PyTorch run in the same process tree; it needs
// Debian's python3-torch and python3-torchvision (see README, "Oracle suite").
export default defineConfig({
  test: {
    include: ['test/**/*.oracle.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
  },
});
