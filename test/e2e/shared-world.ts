import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { synthesizeProbeSet } from '@shapetex/svoc';

/** The read-only part of every end-to-end world: the probe set and the error curve. */
export interface SharedWorld { probe: string; errors: string }

/**
 * A synthetic shape × texture probe set (4 × 4 values, 32 px) and an error curve in `dir`.
 * Built once per `npm run test:e2e` (global-setup.ts) and shared by the test files, which
 * never write into it (a test that damages a probe image copies the set first).
 */
export async function buildSharedWorld(dir: string): Promise<SharedWorld> {
  const probe = path.join(dir, 'probe');
  await synthesizeProbeSet({ out: probe, factors: ['shape', 'texture'], perFactor: 4, size: 32, seed: 0 });
  const errors = path.join(dir, 'errors.csv');
  // Test accuracy per epoch (a fraction): the reader turns it into percent error.
  const acc = [0.31, 0.42, 0.5, 0.48, 0.55, 0.61, 0.64];
  await writeFile(errors, 'epoch,train_loss,test_acc\n' + acc.map((a, i) => `${i + 1},${(2 - i * 0.1).toFixed(2)},${a}`).join('\n') + '\n');
  return { probe, errors };
}
