import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, initBackend } from '@shapetex/core';
import { coral } from '@shapetex/svoc';
import { f32, maxAbsDiff, meta } from './fixtures.js';

function meanCov(px: ArrayLike<number>): { mean: number[]; cov: number[][] } {
  const n = px.length / 3;
  const mean = [0, 1, 2].map((k) => { let s = 0; for (let i = 0; i < n; i++) s += px[i * 3 + k]!; return s / n; });
  const cov = [0, 1, 2].map((a) => [0, 1, 2].map((b) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (px[i * 3 + a]! - mean[a]!) * (px[i * 3 + b]! - mean[b]!);
    return s / (n - 1);
  }));
  return { mean, cov };
}

describe.each(['wasm', 'cpu'] as const)('coral (%s)', (backend) => {
  beforeAll(async () => { await initBackend(backend, { log: null }); });

  it('matches the numpy oracle (eigendecomposition square roots) on the fixture pair', () => {
    const m = meta();
    const style = tf.tensor3d(f32('style.f32'), m.style as [number, number, number]);
    const content = tf.tensor3d(f32('content.f32'), m.content as [number, number, number]);
    const out = coral(style, content);
    expect(out.shape).toEqual(m.style);
    expect(maxAbsDiff(out.dataSync(), f32('coral_style.f32'))).toBeLessThanOrEqual(1e-4);
    tf.dispose([style, content, out]);
  });

  it.each([
    ['correlated colours', 0.3],
    // The 1e-5 regularisation shifts the result by about 1e-5/λmin(Σ_s) relative, so a source with
    // near-zero colour variance cannot match exactly (see the grey case below).
    ['a moderately coloured source', 0.15],
  ])('gives the source the target RGB mean and covariance: %s', (_name, chroma) => {
    const rng = createRng(5);
    const n = 23 * 17;
    const src = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
      const g = rng.next();
      for (let k = 0; k < 3; k++) src[i * 3 + k] = g + chroma * rng.normal();
    }
    const tgt = new Float32Array(19 * 21 * 3);
    for (let i = 0; i < tgt.length / 3; i++) {
      const r = rng.next();
      tgt[i * 3] = r; tgt[i * 3 + 1] = 0.5 * r + 0.2 * rng.next(); tgt[i * 3 + 2] = 0.9 - 0.4 * r + 0.05 * rng.normal();
    }
    const out = coral(tf.tensor3d(src, [23, 17, 3]), tf.tensor3d(tgt, [19, 21, 3]));
    const got = meanCov(out.dataSync());
    const want = meanCov(tgt);
    for (let a = 0; a < 3; a++) {
      expect(Math.abs(got.mean[a]! - want.mean[a]!)).toBeLessThanOrEqual(1e-4);
      for (let b = 0; b < 3; b++) expect(Math.abs(got.cov[a]![b]! - want.cov[a]![b]!), `cov[${a}][${b}]`).toBeLessThanOrEqual(1e-4);
    }
    out.dispose();
  });

  it('maps a grey source (singular covariance) to finite values with the target mean', () => {
    const rng = createRng(9);
    const src = new Float32Array(10 * 10 * 3);
    for (let i = 0; i < 100; i++) src.fill(rng.next(), i * 3, i * 3 + 3);
    const tgt = new Float32Array(8 * 8 * 3).map(() => rng.next());
    const out = coral(tf.tensor3d(src, [10, 10, 3]), tf.tensor3d(tgt, [8, 8, 3]));
    const d = out.dataSync();
    expect(d.every(Number.isFinite)).toBe(true);
    const got = meanCov(d);
    const want = meanCov(tgt);
    for (let a = 0; a < 3; a++) expect(Math.abs(got.mean[a]! - want.mean[a]!)).toBeLessThanOrEqual(1e-4);
    out.dispose();
  });

  it('rejects non-RGB input', () => {
    const a = tf.zeros([4, 4, 1]) as tf.Tensor3D;
    expect(() => coral(a, a)).toThrow(/source must be an HWC RGB tensor, got \[4, 4, 1\]/);
    a.dispose();
  });
});
