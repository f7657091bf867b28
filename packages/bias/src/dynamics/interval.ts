/**
 * 95% intervals for the per-phase correlations: Fisher's z for each Pearson r, a bootstrap over
 * the phase's epochs for Score (whose sampling distribution has no closed form: it is a mean of
 * two absolute values of dependent correlations).
 */
import { createRng } from '@shapetex/core';
import { percentile } from '../estimate/bootstrap.js';
import { BIAS_DEFAULTS } from '../defaults.js';

/** z_{0.975}: the standard normal's 97.5th percentile, for two-sided 95% intervals. */
export const Z_95 = 1.959963984540054;

/**
 * Fisher's interval for a Pearson r over n points: z = atanh(r), se = 1/√(n − 3),
 * [tanh(z − z_{0.975}·se), tanh(z + z_{0.975}·se)]. Null (N/A) when r is N/A or n ≤ 3 (no
 * standard error); [r, r] when |r| = 1, where atanh is infinite and every resample agrees.
 */
export function fisherInterval(r: number | null, n: number, zCrit = Z_95): [number, number] | null {
  if (r === null || !(n > 3)) return null;
  if (Math.abs(r) === 1) return [r, r];
  const z = Math.atanh(r);
  const se = 1 / Math.sqrt(n - 3);
  return [Math.tanh(z - zCrit * se), Math.tanh(z + zCrit * se)];
}

export interface ScoreBootstrapOptions {
  /** Resamples (default 1000). */
  resamples?: number;
  /** Seed of the resampling (default 0), so the same phase always gets the same interval. */
  seed?: number;
}

/**
 * Percentile bootstrap of Score over epochs: the phase's n (error, shape, texture) triples are
 * resampled n at a time with replacement, Score = (|r_shape| + |r_texture|)/2 recomputed on each
 * resample, and the 2.5th and 97.5th percentiles taken (linear interpolation). Resamples on
 * which either r is N/A (a repeated single point, a constant series) are dropped. Null (N/A)
 * for n ≤ 3, as for Fisher's interval, or when fewer than half the resamples give a Score.
 */
export function bootstrapScoreInterval(
  errors: readonly number[],
  shape: readonly number[],
  texture: readonly number[],
  corr: (x: readonly number[], y: readonly number[]) => number | null,
  opts: ScoreBootstrapOptions = {},
): [number, number] | null {
  const n = errors.length;
  if (!(n > 3)) return null;
  const B = opts.resamples ?? BIAS_DEFAULTS.scoreResamples;
  const rng = createRng(opts.seed ?? BIAS_DEFAULTS.seed);
  const e = new Array<number>(n), s = new Array<number>(n), t = new Array<number>(n);
  const scores: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n; i++) {
      const k = rng.int(n);
      e[i] = errors[k]!; s[i] = shape[k]!; t[i] = texture[k]!;
    }
    const rs = corr(e, s), rt = corr(e, t);
    if (rs !== null && rt !== null) scores.push((Math.abs(rs) + Math.abs(rt)) / 2);
  }
  if (scores.length < B / 2) return null;
  const sorted = Float64Array.from(scores).sort();
  return [percentile(sorted, 0.025), percentile(sorted, 0.975)];
}
