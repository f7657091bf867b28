import { describe, expect, it } from 'vitest';
import { createRng } from '@shapetex/core';
import { estimateDimensions, samplePairs } from '@shapetex/bias';
import { gridSet } from '../pairs/records.js';

/**
 * samplePairs → estimateDimensions on a synthetic 3-factor set with planted latents. Each
 * factor's value carries a latent L (per unit, drawn once per value); unit value = L + σ·ε.
 * With S the population variance of the realized latents over the V values of a factor:
 * - in factor k's pairs, a unit carrying k has ρ = S/(S + σ²);
 * - a unit carrying another factor j sees b's value uniform among the other V_j − 1 values,
 *   so cov = −S/(V_j − 1) and ρ = −S/((V_j − 1)(S + σ²));
 * - noise units have ρ = 0.
 */
describe('samplePairs + estimateDimensions on planted synthetic factors', () => {
  const names = ['shape', 'texture', 'color'];
  const sizes = [6, 5, 4];
  const replicas = 20, perFactor = 8, noise = 8, sigma2 = 0.5;
  const D = perFactor * names.length + noise;

  const grid = gridSet(names, sizes);
  const records = Array.from({ length: replicas }, (_, r) => grid.records.map((rec) => ({ ...rec, file: `r${r}_${rec.file}` }))).flat();
  const set = { ...grid, records };
  const N = records.length;

  const rng = createRng(42);
  // latent[k][value][u] for the perFactor units of factor k
  const latent = sizes.map((V) => Array.from({ length: V }, () => Array.from({ length: perFactor }, () => rng.normal())));
  const valueIndex = (k: number, r: number) => Number(String(records[r]!.factors[names[k]!]).slice(names[k]!.length));
  const features = new Float32Array(N * D);
  for (let r = 0; r < N; r++) {
    for (let k = 0; k < names.length; k++) {
      for (let u = 0; u < perFactor; u++) features[r * D + k * perFactor + u] = latent[k]![valueIndex(k, r)]![u]! + Math.sqrt(sigma2) * rng.normal();
    }
    for (let u = 0; u < noise; u++) features[r * D + names.length * perFactor + u] = rng.normal();
  }

  it('per-neuron scores match the closed form from the realized latents', () => {
    const pairs = samplePairs(set, { seed: 1 });
    expect(pairs.counts).toEqual([N, N, N]);
    const est = estimateDimensions(features, D, pairs);
    expect(est.factors).toEqual(names);
    const S = latent.map((vals) => Array.from({ length: perFactor }, (_, u) => {
      const xs = vals.map((v) => v[u]!);
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
    }));
    for (let k = 0; k < names.length; k++) {
      const rhos: number[] = [];
      for (let j = 0; j < names.length; j++) {
        for (const s of S[j]!) rhos.push(j === k ? s / (s + sigma2) : -s / ((sizes[j]! - 1) * (s + sigma2)));
      }
      for (let u = 0; u < noise; u++) rhos.push(0);
      const want = rhos.reduce((a, b) => a + b, 0) / D;
      // Fisher's sd per unit (1 − ρ²)/√n, independent units; pairs reuse images, so allow 5 sd
      const sd = Math.sqrt(rhos.reduce((a, r) => a + (1 - r * r) ** 2, 0) / N) / D;
      expect(Math.abs(est.scores[k]! - want)).toBeLessThan(5 * sd);
      // ignoring the finite-population term (ρ = 0 for other factors' units) would miss by > 5 sd
      const naive = S[k]!.reduce((a, s) => a + s / (s + sigma2), 0) / D;
      expect(Math.abs(est.scores[k]! - naive)).toBeGreaterThan(5 * sd);
    }
    expect(est.dims.reduce((a, b) => a + b, 0)).toBe(D);
  });

  it('pairsPerFactor subsamples anchors and still estimates the same quantity', () => {
    const all = estimateDimensions(features, D, samplePairs(set, { seed: 1 }));
    const some = estimateDimensions(features, D, samplePairs(set, { seed: 2, pairsPerFactor: 1200 }));
    expect(some.pairs).toEqual([1200, 1200, 1200]);
    some.scores.forEach((s, k) => expect(Math.abs(s - all.scores[k]!)).toBeLessThan(0.03));
  });
});
