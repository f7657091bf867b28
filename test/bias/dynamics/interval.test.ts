import { describe, expect, it } from 'vitest';
import { createRng } from '@shapetex/core';
import { bootstrapScoreInterval, fisherInterval, pearsonOrNull, Z_95 } from '@shapetex/bias';
import { pearson } from '../oracle-stats.js';

describe("Fisher's z interval for r", () => {
  it('matches tanh(atanh(r) ± 1.959964/√(n − 3)) computed outside the library', () => {
    // Python's math module: z = atanh(r), se = 1/sqrt(n-3), tanh(z ∓ 1.959963984540054·se).
    // r = 0.5, n = 28 is the textbook case: se = 0.2, interval (0.156, 0.736).
    const cases: [number, number, number, number][] = [
      [0.5, 28, 0.15602836252908595, 0.7358184794439376],
      [-0.902, 8, -0.9823050942052174, -0.5415345349511527],
      [0.3, 103, 0.11303802922252022, 0.4664441315320444],
      [0.8, 4, -0.6969534452993225, 0.9956002504665856],
    ];
    for (const [r, n, lo, hi] of cases) {
      const ci = fisherInterval(r, n)!;
      expect(ci[0]).toBeCloseTo(lo, 13);
      expect(ci[1]).toBeCloseTo(hi, 13);
    }
    expect(Z_95).toBeCloseTo(1.959963984540054, 15);
  });

  it('is N/A without r or with 3 points or fewer, and [r, r] at |r| = 1', () => {
    expect(fisherInterval(null, 30)).toBeNull();
    expect(fisherInterval(0.7, 3)).toBeNull();
    expect(fisherInterval(0.7, 2)).toBeNull();
    expect(fisherInterval(1, 10)).toEqual([1, 1]);
    expect(fisherInterval(-1, 10)).toEqual([-1, -1]);
  });

  it('covers the true correlation about 95% of the time on bivariate normal samples', () => {
    // ρ = 0.6, n = 30, 2000 samples: coverage within 3 standard errors (√(.95·.05/2000) ≈ 0.005) of 0.95
    const rng = createRng(11);
    const rho = 0.6, n = 30, reps = 2000;
    let covered = 0;
    for (let k = 0; k < reps; k++) {
      const x: number[] = [], y: number[] = [];
      for (let i = 0; i < n; i++) {
        const a = rng.normal(), b = rng.normal();
        x.push(a);
        y.push(rho * a + Math.sqrt(1 - rho * rho) * b);
      }
      const ci = fisherInterval(pearson(x, y), n)!;
      if (ci[0] <= rho && rho <= ci[1]) covered++;
    }
    expect(Math.abs(covered / reps - 0.95)).toBeLessThan(0.015);
  });
});

/** Every one of the n^n equally likely resamples of n points, as index lists. */
function* allResamples(n: number): Generator<number[]> {
  const idx = new Array<number>(n).fill(0);
  for (;;) {
    yield idx.slice();
    let d = 0;
    while (d < n && ++idx[d]! === n) idx[d++] = 0;
    if (d === n) return;
  }
}

/** Type-7 quantile of a sorted list, written out. */
function quantile(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!);
}

describe("Score's bootstrap interval over epochs", () => {
  const errors = [30, 24, 19, 21, 15, 12];
  const shape = [0.20, 0.23, 0.22, 0.26, 0.27, 0.30];
  const texture = [0.15, 0.16, 0.13, 0.12, 0.14, 0.11];

  it('agrees with the exact bootstrap distribution, enumerated over all 6^6 resamples', () => {
    const scores: number[] = [];
    for (const ix of allResamples(6)) {
      const e = ix.map((i) => errors[i]!), s = ix.map((i) => shape[i]!), t = ix.map((i) => texture[i]!);
      const constant = (xs: number[]) => xs.every((v) => v === xs[0]);
      if (constant(e) || constant(s) || constant(t)) continue;
      scores.push((Math.abs(pearson(e, s)) + Math.abs(pearson(e, t))) / 2);
    }
    scores.sort((a, b) => a - b);
    const exact = [quantile(scores, 0.025), quantile(scores, 0.975)];
    const mc = bootstrapScoreInterval(errors, shape, texture, pearsonOrNull, { resamples: 20000, seed: 3 })!;
    // Monte Carlo error of a tail quantile at B = 20000 is a few thousandths here
    expect(Math.abs(mc[0] - exact[0]!)).toBeLessThan(0.01);
    expect(Math.abs(mc[1] - exact[1]!)).toBeLessThan(0.01);
    const score = (Math.abs(pearson(errors, shape)) + Math.abs(pearson(errors, texture))) / 2;
    expect(mc[0]).toBeLessThan(score);
    expect(mc[1]).toBeGreaterThan(score);
  });

  it('is [1, 1] for biases affine in the error, the same for the same seed, N/A for n ≤ 3', () => {
    const s = errors.map((e) => 0.5 - 0.01 * e), t = errors.map((e) => 0.1 + 0.002 * e);
    const ci = bootstrapScoreInterval(errors, s, t, pearsonOrNull)!;
    expect(ci[0]).toBeCloseTo(1, 12);
    expect(ci[1]).toBeCloseTo(1, 12);
    expect(bootstrapScoreInterval(errors, shape, texture, pearsonOrNull, { seed: 5 })).toEqual(bootstrapScoreInterval(errors, shape, texture, pearsonOrNull, { seed: 5 }));
    expect(bootstrapScoreInterval(errors.slice(0, 3), shape.slice(0, 3), texture.slice(0, 3), pearsonOrNull)).toBeNull();
  });
});
