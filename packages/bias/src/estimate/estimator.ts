import type { Rng } from '@shapetex/core';
import type { Moments, PairSource } from './moments.js';

/** Scores s_1..s_K of the K factors from one pass's moments. */
export type ScoreFn = (m: Moments) => number[];

/**
 * An estimator linearized around the data for the bootstrap: each pair's first-order influence
 * on the scores is computed once, and a resample is the scores moved by the resampled
 * influences (B·P work instead of B·P·D).
 */
export interface Linearized {
  resample(rng: Rng, groups: Int32Array[]): number[];
}

/** One estimator: its name (the `method` option and the `method` column), scores and influence. */
export interface Estimator {
  readonly name: string;
  readonly score: ScoreFn;
  readonly influence: (src: PairSource, m: Moments) => Linearized;
}

/** Mean over a within-group resample of `values`, minus the group's own mean: (1/n)·Σ_p (w_p − 1)·v_p. */
export function resampledShift(values: Float64Array, g: Int32Array, rng: Rng): number {
  const n = g.length;
  let s = 0, s0 = 0;
  for (let j = 0; j < n; j++) { s += values[g[rng.int(n)]!]!; s0 += values[g[j]!]!; }
  return (s - s0) / n;
}
