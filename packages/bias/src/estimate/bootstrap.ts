import { createRng } from '@shapetex/core';
import { accumulateMoments, type Moments, type PairSource } from './moments.js';
import { softmaxWithResidual } from './dims.js';
import type { Estimator } from './estimator.js';
import type { EstimateInterval } from './types.js';

/** B·P·D at or below which `auto` evaluates every resample exactly. */
export const EXACT_BOOTSTRAP_BUDGET = 2 ** 28;

/** Pair indices of each bucket, for resampling within buckets (pairs per factor stay fixed). */
function strata(src: PairSource): Int32Array[] {
  const lists: number[][] = Array.from({ length: src.K + 1 }, () => []);
  src.bucket.forEach((k, p) => lists[k]!.push(p));
  return lists.map((l) => Int32Array.from(l));
}

/** Percentile with linear interpolation between order statistics (NumPy's default, type 7). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h), hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function interval(samples: Float64Array[], B: number, method: 'exact' | 'linearized', seed: number): EstimateInterval {
  const low: number[] = [], high: number[] = [];
  for (const s of samples) {
    const sorted = Float64Array.from(s).sort();
    low.push(percentile(sorted, 0.025));
    high.push(percentile(sorted, 0.975));
  }
  return { low, high, B, method, seed };
}

/**
 * Bootstrap interval of each factor's fraction (docs/method.md): B resamples of the pairs with
 * replacement, within each factor (and within the no-factor pairs), each turned into fractions
 * by softmax([s*, 1]); the 2.5th and 97.5th percentiles of each factor's fraction. `exact`
 * recomputes the estimator's scores per resample, `linearized` resamples its influence.
 */
export function bootstrapInterval(
  src: PairSource, moments: Moments, estimator: Estimator,
  B: number, seed: number, mode: 'auto' | 'exact' | 'linearized',
): EstimateInterval {
  const P = src.bucket.length;
  const useExact = mode === 'exact' || (mode === 'auto' && B * P * src.D <= EXACT_BOOTSTRAP_BUDGET);
  const rng = createRng(seed);
  const groups = strata(src);
  const samples = Array.from({ length: src.K }, () => new Float64Array(B));
  const record = (b: number, scores: number[]): void => {
    const f = softmaxWithResidual(scores);
    for (let k = 0; k < src.K; k++) samples[k]![b] = f[k]!;
  };
  if (useExact) {
    const order = new Int32Array(P);
    for (let b = 0; b < B; b++) {
      let q = 0;
      for (const g of groups) for (let j = 0; j < g.length; j++) order[q++] = g[rng.int(g.length)]!;
      record(b, estimator.score(accumulateMoments(src, order)));
    }
    return interval(samples, B, 'exact', seed);
  }
  const lin = estimator.influence(src, moments);
  for (let b = 0; b < B; b++) record(b, lin.resample(rng, groups));
  return interval(samples, B, 'linearized', seed);
}
