import { describe, expect, it } from 'vitest';
import { createRng } from '@shapetex/core';
import { estimateDimensions, estimateFromPairs, type Pairs } from '@shapetex/bias';

function noisePairs(P: number, D: number, seed: number) {
  const rng = createRng(seed);
  const za = new Float32Array(P * D), zb = new Float32Array(P * D), factor = new Int32Array(P);
  for (let p = 0; p < P; p++) {
    factor[p] = p % 2;
    for (let i = 0; i < D; i++) {
      const s = rng.normal();
      za[p * D + i] = s + rng.normal();
      zb[p * D + i] = s + rng.normal();
    }
  }
  return { za, zb, factor };
}

describe('degenerate inputs', () => {
  it('counts all-zero units as dead, keeps them in D, and gives them ρ = 0', () => {
    const D = 6, P = 200;
    const { za, zb, factor } = noisePairs(P, D, 1);
    const zeroed = (z: Float32Array) => { const c = z.slice(); for (let p = 0; p < P; p++) { c[p * D + 1] = 0; c[p * D + 4] = 0; } return c; };
    const full = estimateFromPairs(za, zb, factor, D);
    const dead = estimateFromPairs(zeroed(za), zeroed(zb), factor, D);
    expect(full.deadUnits).toBe(0);
    expect(dead.deadUnits).toBe(2);
    expect(dead.D).toBe(D);
    // the live units' ρ are unchanged; the two dead ones contribute 0 to the mean over D
    const liveRho = (s: number) => s * D;
    const rhoUnit = (z1: Float32Array, z2: Float32Array, i: number, k: number) => {
      const ones = [...factor.keys()].filter((p) => factor[p] === k);
      const x = ones.map((p) => z1[p * D + i]!), y = ones.map((p) => z2[p * D + i]!);
      const mx = x.reduce((a, b) => a + b) / x.length, my = y.reduce((a, b) => a + b) / y.length;
      let c = 0, vx = 0, vy = 0;
      x.forEach((xi, j) => { c += (xi - mx) * (y[j]! - my); vx += (xi - mx) ** 2; vy += (y[j]! - my) ** 2; });
      return c / Math.sqrt(vx * vy);
    };
    for (const k of [0, 1]) {
      const removed = rhoUnit(za, zb, 1, k) + rhoUnit(za, zb, 4, k);
      expect(liveRho(dead.scores[k]!)).toBeCloseTo(liveRho(full.scores[k]!) - removed, 10);
    }
  });

  it('a unit constant within each factor but at different values is zero-ρ, not dead', () => {
    const D = 3, P = 100;
    const { za, zb, factor } = noisePairs(P, D, 2);
    for (let p = 0; p < P; p++) { za[p * D] = factor[p]!; zb[p * D] = factor[p]!; }
    const est = estimateFromPairs(za, zb, factor, D);
    expect(est.deadUnits).toBe(0);
    // same scores as with unit 0 zeroed (dead): both give it ρ = 0
    const za0 = za.slice(), zb0 = zb.slice();
    for (let p = 0; p < P; p++) { za0[p * D] = 0; zb0[p * D] = 0; }
    const zeroed = estimateFromPairs(za0, zb0, factor, D);
    expect(zeroed.deadUnits).toBe(1);
    est.scores.forEach((s, k) => expect(s).toBeCloseTo(zeroed.scores[k]!, 14));
    // and a unit constant on one side only has zero variance there: ρ = 0
    const one = za.slice();
    for (let p = 0; p < P; p++) one[p * D + 1] = 3.25;
    const e2 = estimateFromPairs(one, zb, factor, D);
    expect(e2.deadUnits).toBe(0);
    expect(Number.isFinite(e2.scores[0]!)).toBe(true);
  });

  it('constant features: every unit dead, per-neuron and pooled scores 0', () => {
    const D = 4, P = 50;
    const za = new Float32Array(P * D).fill(0.7), zb = new Float32Array(P * D).fill(0.7);
    const factor = Int32Array.from({ length: P }, (_, p) => p % 2);
    for (const method of ['per-neuron', 'pooled'] as const) {
      const est = estimateFromPairs(za, zb, factor, D, { method });
      expect(est.deadUnits).toBe(4);
      expect(est.scores).toEqual([0, 0, 1]);
      const e = Math.E;
      expect(est.fractions[0]).toBeCloseTo(1 / (2 + e), 14);
      expect(est.fractions[2]).toBeCloseTo(e / (2 + e), 14);
    }
  });

  it('D = 1 works and agrees with the Pearson correlation of the single unit', () => {
    // a = [1,2,3,4], b = [1,3,2,4]: ρ = 0.8 exactly
    const za = Float32Array.from([1, 2, 3, 4, 1, 2, 3, 4]);
    const zb = Float32Array.from([1, 3, 2, 4, 4, 3, 2, 1]);
    const factor = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
    const est = estimateFromPairs(za, zb, factor, 1, { mutualInformation: true });
    expect(est.scores[0]).toBeCloseTo(0.8, 14);
    expect(est.scores[1]).toBeCloseTo(-1, 14);
    expect(est.mi![0]).toBeCloseTo(-0.5 * Math.log(1 - 0.64), 14);
    expect(est.mi![1]).toBe(Infinity);
    expect(est.dims.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('NaN or Inf in the features is an error naming the unit and the row', () => {
    const D = 5, P = 40;
    const { za, zb, factor } = noisePairs(P, D, 3);
    const bad = za.slice(); bad[7 * D + 3] = NaN;
    expect(() => estimateFromPairs(bad, zb, factor, D)).toThrow(/unit 3 at row 7 of za is NaN/);
    const inf = zb.slice(); inf[12 * D + 0] = -Infinity;
    expect(() => estimateFromPairs(za, inf, factor, D)).toThrow(/unit 0 at row 12 of zb is -Infinity/);

    const features = new Float32Array(10 * D).fill(1);
    for (let j = 0; j < features.length; j++) features[j] = j % 7;
    features[6 * D + 2] = Infinity;
    const pairs: Pairs = { factors: ['shape', 'texture'], a: Int32Array.from([0, 1, 2, 3]), b: Int32Array.from([5, 6, 7, 8]), factor: Int32Array.from([0, 0, 1, 1]), counts: [2, 2], unpairable: [0, 0], rows: 10, rule: 'svoc', seed: 0, pairsPerFactor: null };
    expect(() => estimateDimensions(features, D, pairs)).toThrow(/unit 2 at row 6 \(pair 1, side b\) is Infinity/);
  });

  it('mismatched lengths and bad arguments are clear errors', () => {
    const D = 3, P = 10;
    const { za, zb, factor } = noisePairs(P, D, 4);
    expect(() => estimateFromPairs(za, zb.subarray(3), factor, D)).toThrow(/10 × 3 = 30 values, got 30 and 27/);
    expect(() => estimateFromPairs(za, zb, factor.subarray(1), D)).toThrow(/factor.length × D/);
    expect(() => estimateFromPairs(za, zb, factor, 0)).toThrow(/D must be a positive integer/);
    expect(() => estimateFromPairs(za, zb, factor, D, { method: 'mean' as never })).toThrow(/method must be one of per-neuron, pooled/);
    expect(() => estimateFromPairs(za, zb, factor, D, { bootstrap: -1 })).toThrow(/bootstrap must be a non-negative integer/);
    expect(() => estimateFromPairs(za, zb, factor, D, { K: 3 })).toThrow(/factor 'factor2' has 0 pair\(s\)/);
    expect(() => estimateFromPairs(za, zb, factor, D, { names: ['shape'] })).toThrow(/names has 1 entries but K = 2/);

    const features = new Float32Array(8 * D);
    const base: Pairs = { factors: ['shape', 'texture'], a: Int32Array.from([0, 1, 2, 3]), b: Int32Array.from([4, 5, 6, 7]), factor: Int32Array.from([0, 0, 1, 1]), counts: [2, 2], unpairable: [0, 0], rows: 8, rule: 'svoc', seed: 0, pairsPerFactor: null };
    expect(() => estimateDimensions(features.subarray(1), D, base)).toThrow(/not a multiple of D = 3/);
    expect(() => estimateDimensions(features.subarray(D), D, base)).toThrow(/7 rows of D = 3 but the pairs index a probe set of 8 records/);
    expect(() => estimateDimensions(features, D, { ...base, b: Int32Array.from([4, 5, 6, 9]), rows: NaN })).toThrow(/pair 3 = \(3, 9\) indexes outside the 8 feature rows/);
    expect(() => estimateDimensions(features, D, { ...base, factor: Int32Array.from([0, 0, 1, 2]) })).toThrow(/pair 3 has factor 2, outside 0..1/);
    expect(() => estimateDimensions(features, D, { ...base, b: Int32Array.from([4, 5, 6]) })).toThrow(/same length, got 4, 3, 4/);
  });
});

describe('invariances', () => {
  const D = 7, P = 300;
  const { za, zb, factor } = noisePairs(P, D, 8);
  // make the factors differ so the scores are not all alike
  for (let p = 0; p < P; p++) if (factor[p] === 1) for (let i = 0; i < 3; i++) zb[p * D + i] = createRng(p * 10 + i).normal();

  it('permuting the pairs changes nothing beyond rounding', () => {
    const perm = createRng(1).shuffle([...Array(P).keys()]);
    const permute = (z: Float32Array) => { const c = new Float32Array(z.length); perm.forEach((q, p) => c.set(z.subarray(q * D, q * D + D), p * D)); return c; };
    const f2 = Int32Array.from(perm.map((q) => factor[q]!));
    for (const method of ['per-neuron', 'pooled'] as const) {
      const x = estimateFromPairs(za, zb, factor, D, { method });
      const y = estimateFromPairs(permute(za), permute(zb), f2, D, { method });
      x.scores.forEach((s, k) => expect(Math.abs(s - y.scores[k]!)).toBeLessThan(1e-12 * Math.max(1, Math.abs(s))));
      expect(y.dims).toEqual(x.dims);
    }
  });

  it('scaling a unit by a positive constant leaves per-neuron unchanged (and pooled not)', () => {
    const scale = (z: Float32Array) => { const c = z.slice(); for (let p = 0; p < P; p++) { c[p * D + 2] *= 64; c[p * D + 5] *= 0.125; } return c; };
    const x = estimateFromPairs(za, zb, factor, D);
    const y = estimateFromPairs(scale(za), scale(zb), factor, D);
    x.scores.forEach((s, k) => expect(Math.abs(s - y.scores[k]!)).toBeLessThan(1e-12));
    const xp = estimateFromPairs(za, zb, factor, D, { method: 'pooled' });
    const yp = estimateFromPairs(scale(za), scale(zb), factor, D, { method: 'pooled' });
    expect(Math.abs(xp.scores[0]! - yp.scores[0]!)).toBeGreaterThan(1e-3);
  });

  it('shifting every unit by a constant leaves both methods unchanged', () => {
    const shift = (z: Float32Array) => z.map((v, j) => v + 1000 + (j % D));
    for (const method of ['per-neuron', 'pooled'] as const) {
      const x = estimateFromPairs(za, zb, factor, D, { method });
      const y = estimateFromPairs(shift(za), shift(zb), factor, D, { method });
      // float32 storage of the shifted values costs ~1e-4 absolute on values of order 1000
      x.scores.forEach((s, k) => expect(Math.abs(s - y.scores[k]!)).toBeLessThan(1e-3));
    }
  });
});
