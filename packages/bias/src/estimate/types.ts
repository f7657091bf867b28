import type { EstimatorMethod } from './estimators.js';

/**
 * Rounding of percent = 100·dims/D to one decimal. `half-up`: on the exact rational, ties up.
 * `python`: Python's `round(100 * (d / D), 1)` as the reference implementation computes it,
 * i.e. ties to even on the binary double 100·(d/D), which is rarely the exact tie.
 */
export type PercentRounding = 'half-up' | 'python';

/** An estimator's name, from the one table of estimators (estimators.ts). */
export type { EstimatorMethod };

/**
 * How bootstrap resamples are evaluated. `exact` recomputes the estimator on every resample
 * (B·P·D work); `linearized` resamples each pair's first-order influence on the scores
 * (one extra pass over P·D, then B·P); `auto` picks `exact` when B·P·D ≤ 2^28, else `linearized`.
 */
export type BootstrapMethod = 'auto' | 'exact' | 'linearized';

export interface EstimateOptions {
  /** Default `per-neuron`. */
  method?: EstimatorMethod;
  /** Bootstrap resamples B; default 0 (off). */
  bootstrap?: number;
  /** Bootstrap generator seed; default 0. */
  seed?: number;
  /** Default `auto`. */
  bootstrapMethod?: BootstrapMethod;
  /** How percentages are rounded to one decimal; default `half-up` (see dims.ts). */
  rounding?: PercentRounding;
  /** Also report the per-unit mutual-information lower bound summed per factor. */
  mutualInformation?: boolean;
}

export interface EstimateFromPairsOptions extends EstimateOptions {
  /** Number of factors; default 2 (shape, texture). */
  K?: number;
  /** Factor names; default `['shape', 'texture']` for K = 2, else `factor0..`. */
  names?: string[];
}

/** Bootstrap interval of each factor's fraction. */
export interface EstimateInterval {
  /** 2.5th percentile of each factor's fraction over the resamples (K numbers). */
  low: number[];
  /** 97.5th percentile (K numbers). */
  high: number[];
  B: number;
  method: 'exact' | 'linearized';
  seed: number;
}

/**
 * The split of a tap's D units among K factors and the residual (docs/method.md). `scores`,
 * `fractions`, `dims` and `percent` hold K+1 numbers, the residual last.
 */
export interface Estimate {
  method: EstimatorMethod;
  D: number;
  factors: string[];
  scores: number[];
  fractions: number[];
  dims: number[];
  percent: number[];
  /** Units constant over every row of every pair given. */
  deadUnits: number;
  /** Pairs per factor (K numbers). */
  pairs: number[];
  ci?: EstimateInterval;
  /** Σ_i −½·log(1 − ρ_i²) per factor, in nats (K numbers), when asked. */
  mi?: number[];
}
