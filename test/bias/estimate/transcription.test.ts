import { describe, expect, it } from 'vitest';
import { createRng } from '@shapetex/core';
import { estimateDimensions, estimateFromPairs, type Pairs } from '@shapetex/bias';

/** Random correlated pairs with unequal a/b means and pairs of no factor (factor −1, 2, 7). */
function randomPairs(P: number, D: number, seed: number) {
  const rng = createRng(seed);
  const za = new Float64Array(P * D), zb = new Float64Array(P * D), factor = new Int32Array(P);
  const labels = [0, 1, 0, 1, 0, 1, -1, 2, 7];
  for (let p = 0; p < P; p++) {
    factor[p] = labels[rng.int(labels.length)]!;
    for (let i = 0; i < D; i++) {
      const shared = rng.normal();
      const w = 0.2 + 0.1 * i;
      za[p * D + i] = 5 + i + w * shared + rng.normal() * (1 + 0.1 * i);
      zb[p * D + i] = 4 - 0.5 * i + (factor[p] === i % 2 ? 2 * w : -w) * shared + rng.normal();
    }
  }
  return { za, zb, factor };
}

/** SPEC §5.2 written out directly: two passes, float64, no shortcuts. */
function pooledReference(za: Float64Array, zb: Float64Array, factor: Int32Array, D: number, K: number): number[] {
  const P = factor.length;
  let V = 0;
  for (let i = 0; i < D; i++) {
    let m = 0;
    for (let p = 0; p < P; p++) m += za[p * D + i]! + zb[p * D + i]!;
    m /= 2 * P;
    let v = 0;
    for (let p = 0; p < P; p++) v += (za[p * D + i]! - m) ** 2 + (zb[p * D + i]! - m) ** 2;
    V += v / (2 * P);
  }
  const scores: number[] = [];
  for (let k = 0; k < K; k++) {
    const rows = [...factor.keys()].filter((p) => factor[p] === k);
    let s = 0;
    for (let i = 0; i < D; i++) {
      let ma = 0, mb = 0;
      for (const p of rows) { ma += za[p * D + i]!; mb += zb[p * D + i]!; }
      const mk = 0.5 * (ma / rows.length + mb / rows.length);
      let c = 0;
      for (const p of rows) c += (za[p * D + i]! - mk) * (zb[p * D + i]! - mk);
      s += c / rows.length;
    }
    scores.push(s / V);
  }
  return scores;
}

/** SPEC §5.1 written out directly: two-pass Pearson per unit. */
function perNeuronReference(za: Float64Array, zb: Float64Array, factor: Int32Array, D: number, K: number): number[] {
  const scores: number[] = [];
  for (let k = 0; k < K; k++) {
    const rows = [...factor.keys()].filter((p) => factor[p] === k);
    let s = 0;
    for (let i = 0; i < D; i++) {
      let ma = 0, mb = 0;
      for (const p of rows) { ma += za[p * D + i]!; mb += zb[p * D + i]!; }
      ma /= rows.length; mb /= rows.length;
      let c = 0, va = 0, vb = 0;
      for (const p of rows) {
        const x = za[p * D + i]! - ma, y = zb[p * D + i]! - mb;
        c += x * y; va += x * x; vb += y * y;
      }
      s += va > 0 && vb > 0 ? c / Math.sqrt(va * vb) : 0;
    }
    scores.push(s / D);
  }
  return scores;
}

function expectRelative(got: number[], want: number[], rel: number): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, k) => expect(Math.abs(g - want[k]!)).toBeLessThanOrEqual(rel * Math.abs(want[k]!)));
}

describe('estimators against direct transcriptions of SPEC §5', () => {
  const D = 9, P = 700;
  const { za, zb, factor } = randomPairs(P, D, 21);

  it('pooled equals SPEC §5.2 to 1e-12, with pairs of no factor entering V only', () => {
    const est = estimateFromPairs(za, zb, factor, D, { method: 'pooled' });
    const want = pooledReference(za, zb, factor, D, 2);
    expect(Math.abs(want[0]!)).toBeGreaterThan(0.01);
    expectRelative(est.scores.slice(0, 2), want, 1e-12);
    // dropping the no-factor pairs changes V, so the test does see them
    const keep = [...factor.keys()].filter((p) => factor[p] === 0 || factor[p] === 1);
    const pick = (z: Float64Array) => Float64Array.from(keep.flatMap((p) => Array.from(z.subarray(p * D, p * D + D))));
    const without = estimateFromPairs(pick(za), pick(zb), Int32Array.from(keep.map((p) => factor[p]!)), D, { method: 'pooled' });
    expect(Math.abs(without.scores[0]! - est.scores[0]!)).toBeGreaterThan(1e-6);
  });

  it('pooled with K = 3 (factor 2 a factor now) equals the transcription', () => {
    const est = estimateFromPairs(za, zb, factor, D, { method: 'pooled', K: 3 });
    expect(est.factors).toEqual(['factor0', 'factor1', 'factor2']);
    expectRelative(est.scores.slice(0, 3), pooledReference(za, zb, factor, D, 3), 1e-12);
  });

  it('per-neuron equals SPEC §5.1 to 1e-12', () => {
    const est = estimateFromPairs(za, zb, factor, D, { names: ['shape', 'texture'] });
    const want = perNeuronReference(za, zb, factor, D, 2);
    expectRelative(est.scores.slice(0, 2), want, 1e-12);
  });

  it('estimateDimensions on an N×D matrix with index pairs equals estimateFromPairs on the gathered rows', () => {
    const rng = createRng(5);
    const N = 120, Dd = 6;
    const features = new Float32Array(N * Dd);
    for (let j = 0; j < features.length; j++) features[j] = rng.normal() + (j % Dd);
    // rows 0..N−1 with planted structure: unit 0 follows the row's "shape" (r mod 10)
    for (let r = 0; r < N; r++) features[r * Dd] = (r % 10) + 0.3 * rng.normal();
    const P = 400;
    const a = new Int32Array(P), b = new Int32Array(P), f = new Int32Array(P);
    for (let p = 0; p < P; p++) {
      f[p] = p < 250 ? 0 : 1;
      a[p] = rng.int(N);
      b[p] = f[p] === 0 ? (a[p]! + 10 * (1 + rng.int(11))) % N : rng.int(N);
    }
    const pairs: Pairs = { factors: ['shape', 'texture'], a, b, factor: f, counts: [250, 150], unpairable: [0, 0], rows: N, rule: 'factors', seed: 0, pairsPerFactor: null };
    const gather = (idx: Int32Array) => {
      const z = new Float32Array(P * Dd);
      idx.forEach((r, p) => z.set(features.subarray(r * Dd, r * Dd + Dd), p * Dd));
      return z;
    };
    for (const method of ['per-neuron', 'pooled'] as const) {
      const x = estimateDimensions(features, Dd, pairs, { method });
      const y = estimateFromPairs(gather(a), gather(b), f, Dd, { method });
      expectRelative(x.scores, y.scores, 1e-12);
      expect(x.dims).toEqual(y.dims);
      expect(x.pairs).toEqual([250, 150]);
    }
    expect(estimateDimensions(features, Dd, pairs).scores[0]).toBeGreaterThan(0.1);
  });
});
