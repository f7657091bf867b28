import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, initBackend } from '@shapetex/core';
import { adaptiveInstanceNorm, channelMoments } from '@shapetex/svoc';

/** Per-channel mean and unbiased std of an NHWC (N = 1) array, in float64. */
function stats(data: ArrayLike<number>, c: number): { mean: number[]; std: number[] } {
  const n = data.length / c;
  const mean = Array.from({ length: c }, (_, k) => { let s = 0; for (let i = 0; i < n; i++) s += data[i * c + k]!; return s / n; });
  const std = mean.map((m, k) => { let s = 0; for (let i = 0; i < n; i++) s += (data[i * c + k]! - m) ** 2; return Math.sqrt(s / (n - 1)); });
  return { mean, std };
}

function features(seed: number, h: number, w: number, c: number): Float32Array {
  const rng = createRng(seed);
  // Each channel its own offset and scale, including ReLU-like zeros, as relu4_1 features are.
  const off = Array.from({ length: c }, () => rng.normal() * 2);
  const scale = Array.from({ length: c }, () => 0.3 + 2 * rng.next());
  const a = new Float32Array(h * w * c);
  for (let i = 0; i < h * w; i++) for (let k = 0; k < c; k++) a[i * c + k] = Math.max(off[k]! + scale[k]! * rng.normal(), k === 0 ? 0 : -Infinity);
  return a;
}

describe.each(['wasm', 'cpu'] as const)('adaptiveInstanceNorm (%s)', (backend) => {
  beforeAll(async () => { await initBackend(backend, { log: null }); });

  it('with alpha 1 gives every channel the style mean and std (to 1e-4)', () => {
    const C = 6;
    const cd = features(1, 7, 9, C);
    const sd = features(2, 11, 5, C);
    const out = tf.tidy(() => adaptiveInstanceNorm(tf.tensor4d(cd, [1, 7, 9, C]), tf.tensor4d(sd, [1, 11, 5, C])));
    expect(out.shape).toEqual([1, 7, 9, C]);
    const got = stats(out.dataSync(), C);
    const want = stats(sd, C);
    for (let k = 0; k < C; k++) {
      expect(Math.abs(got.mean[k]! - want.mean[k]!), `mean of channel ${k}`).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(got.std[k]! - want.std[k]!), `std of channel ${k}`).toBeLessThanOrEqual(1e-4);
    }
    out.dispose();
  });

  it('uses the unbiased variance plus 1e-5, and blends with alpha', () => {
    // Closed form on 2 positions: values a, b → mean (a+b)/2, unbiased var (a−b)²/2.
    const x = tf.tensor4d([1, 3], [1, 1, 2, 1]);
    const { mean, std } = channelMoments(x);
    expect(mean.dataSync()[0]).toBeCloseTo(2, 6);
    expect(std.dataSync()[0]).toBeCloseTo(Math.sqrt(2 + 1e-5), 6);
    const s = tf.tensor4d([10, 20, 30, 40], [1, 2, 2, 1]);
    // Style: mean 25, unbiased var 500/3.
    const sStd = Math.sqrt(500 / 3 + 1e-5);
    const t = adaptiveInstanceNorm(x, s).dataSync();
    const z = (1 - 2) / Math.sqrt(2 + 1e-5);
    expect(t[0]).toBeCloseTo(25 + sStd * z, 4);
    expect(t[1]).toBeCloseTo(25 - sStd * z, 4);
    const half = adaptiveInstanceNorm(x, s, 0.5).dataSync();
    expect(half[0]).toBeCloseTo(0.5 * t[0]! + 0.5 * 1, 4);
    expect(Array.from(adaptiveInstanceNorm(x, s, 0).dataSync())).toEqual([1, 3]);
    tf.dispose([x, mean, std, s]);
  });

  it('rejects mismatched channels and single-position maps', () => {
    const a = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
    const b = tf.zeros([1, 2, 2, 4]) as tf.Tensor4D;
    expect(() => adaptiveInstanceNorm(a, b)).toThrow(/differ in batch or channels/);
    expect(() => channelMoments(tf.zeros([1, 1, 1, 3]) as tf.Tensor4D)).toThrow(/at least 2 spatial positions/);
    tf.dispose([a, b]);
  });
});
