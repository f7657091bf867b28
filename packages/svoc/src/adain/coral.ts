import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import type { Matrix } from 'mathjs';

// mathjs takes about a second to load and only --preserve-color needs it: it is required on
// the first CORAL, not when svoc (or bias, which imports svoc) is imported.
let math: typeof import('mathjs') | undefined;
const mathjs = (): typeof import('mathjs') => (math ??= createRequire(import.meta.url)('mathjs') as typeof import('mathjs'));

/** Added to both covariance diagonals so flat (grey or single-colour) images stay invertible. */
export const CORAL_EPS = 1e-5;

type M3 = number[][];

function meanCov(px: Float32Array): { mean: number[]; cov: M3 } {
  const n = px.length / 3;
  if (n < 2) throw new RangeError('CORAL needs at least 2 pixels');
  const mean = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) mean[k]! += px[i * 3 + k]!;
  for (let k = 0; k < 3; k++) mean[k]! /= n;
  const cov: M3 = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let i = 0; i < n; i++) {
    const d0 = px[i * 3]! - mean[0]!, d1 = px[i * 3 + 1]! - mean[1]!, d2 = px[i * 3 + 2]! - mean[2]!;
    const d = [d0, d1, d2];
    for (let a = 0; a < 3; a++) for (let b = a; b < 3; b++) cov[a]![b]! += d[a]! * d[b]!;
  }
  for (let a = 0; a < 3; a++) {
    for (let b = a; b < 3; b++) { cov[a]![b]! /= n - 1; cov[b]![a] = cov[a]![b]!; }
    cov[a]![a]! += CORAL_EPS;
  }
  return { mean, cov };
}

const toArray = (m: Matrix | M3): M3 => (Array.isArray(m) ? m : (m.toArray() as M3));

/**
 * CORAL colour transfer (Gatys et al. 2017, "Controlling perceptual factors in neural style
 * transfer"; used by AdaIN's `--preserve_color`): an affine map of the RGB values of `source`
 * so their mean and covariance become those of `target`:
 *   x' = A (x − μ_s) + μ_t,  A = Σ_t^{1/2} Σ_s^{−1/2},
 * with Σ the unbiased 3x3 RGB covariance plus 1e-5·I. Then Cov(x') = A Σ_s A^T = Σ_t
 * (up to the 1e-5 regularisation). pytorch-AdaIN's `coral()` builds its matrices from sums
 * over the pixels rather than means ((n − 1)·correlation + I), so its map carries a factor of
 * about √((n_t − 1)/(n_s − 1)) and is off whenever source and target differ in pixel count;
 * this one divides by n − 1 on both sides and matches the covariance whatever the sizes.
 * Both inputs HWC RGB, any sizes; the result has the source's size and is not clipped.
 */
export function coral(source: tf.Tensor3D, target: tf.Tensor3D): tf.Tensor3D {
  for (const [x, name] of [[source, 'source'], [target, 'target']] as const) {
    if (x.rank !== 3 || x.shape[2] !== 3) throw new RangeError(`coral: ${name} must be an HWC RGB tensor, got [${x.shape.join(', ')}]`);
  }
  const s = meanCov(source.dataSync() as Float32Array);
  const t = meanCov(target.dataSync() as Float32Array);
  const { inv, multiply, sqrtm } = mathjs();
  const a = toArray(multiply(sqrtm(t.cov), inv(sqrtm(s.cov))) as Matrix | M3);
  // x' = A x + (μ_t − A μ_s); as a row-vector product x'ᵀ = xᵀ Aᵀ + b.
  const b = [0, 1, 2].map((r) => t.mean[r]! - (a[r]![0]! * s.mean[0]! + a[r]![1]! * s.mean[1]! + a[r]![2]! * s.mean[2]!));
  const at = [0, 1, 2].flatMap((i) => [a[0]![i]!, a[1]![i]!, a[2]![i]!]);
  return tf.tidy(() => {
    const [h, w] = source.shape;
    const flat = tf.reshape(source, [h * w, 3]);
    const y = tf.add(tf.matMul(flat, tf.tensor2d(at, [3, 3])), tf.tensor1d(b));
    return tf.reshape(y, [h, w, 3]) as tf.Tensor3D;
  });
}
