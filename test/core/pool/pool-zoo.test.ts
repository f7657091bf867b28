import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createModel, initBackend, readStateDict, type StateDict } from '@shapetex/core';
import { createFeaturePool } from '../../../packages/core/dist/pool/index.js';
import { readReference, fixturePath } from '../zoo/resnet-fixtures.js';

function relErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num = Math.max(num, Math.abs(a[i]! - b[i]!)); den = Math.max(den, Math.abs(b[i]!)); }
  return num / (den || 1);
}

describe('createFeaturePool with the zoo (narrowed torchvision ResNet-18, PyTorch reference)', () => {
  let sd: StateDict;
  beforeAll(async () => {
    await initBackend('wasm', { log: null });
    sd = await readStateDict(fixturePath('resnet18_small'));
  });

  it('stateDict and modelPath workers both match PyTorch and the single-threaded FeatureModel', async () => {
    const ref = readReference('resnet18_small');
    const x = tf.tensor4d(ref.input.data, ref.input.shape);
    const taps = ['stage1', 'stage2', 'stage3', 'stage4', 'final'];
    const single = await createModel('resnet18', sd).features(x, taps);
    for (const source of [{ stateDict: sd }, { modelPath: fixturePath('resnet18_small') }]) {
      const pool = await createFeaturePool({ workers: 2, arch: 'resnet18', ...source });
      try {
        const got = await pool.features(x, taps);
        for (const t of taps) {
          expect(relErr(got[t]!, single[t]!)).toBeLessThan(1e-6);
          expect(relErr(got[t]!, ref.pooled[t]!.data)).toBeLessThan(1e-4);
        }
      } finally {
        await pool.dispose();
      }
    }
    x.dispose();
  });
});
