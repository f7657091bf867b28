import type { Pairs } from '../pairs/types.js';
import { accumulateMoments, countDeadUnits, type FeatureArray, type PairSource } from './moments.js';
import { mutualInformationBound, unitCorrelations } from './per-neuron.js';
import { DEFAULT_ESTIMATOR, ESTIMATOR_METHODS, estimatorOf, isEstimatorMethod } from './estimators.js';
import { dimsFromFractions, percentFromDims, ROUNDINGS, softmaxWithResidual } from './dims.js';
import { bootstrapInterval } from './bootstrap.js';
import type { Estimate, EstimateFromPairsOptions, EstimateOptions } from './types.js';
import { BIAS_DEFAULTS } from '../defaults.js';
import { EstimateError } from '../errors.js';

function checkOptions(options: EstimateOptions): Required<Pick<EstimateOptions, 'method' | 'bootstrap' | 'seed' | 'bootstrapMethod' | 'rounding'>> {
  const method = options.method ?? DEFAULT_ESTIMATOR;
  if (!isEstimatorMethod(method)) throw new RangeError(`estimate: method must be one of ${ESTIMATOR_METHODS.join(', ')}, got ${JSON.stringify(method)}`);
  const bootstrap = options.bootstrap ?? BIAS_DEFAULTS.bootstrap;
  if (!(Number.isInteger(bootstrap) && bootstrap >= 0)) throw new RangeError(`estimate: bootstrap must be a non-negative integer (resamples), got ${bootstrap}`);
  const seed = options.seed ?? BIAS_DEFAULTS.seed;
  if (!Number.isInteger(seed)) throw new RangeError(`estimate: seed must be an integer, got ${seed}`);
  const bootstrapMethod = options.bootstrapMethod ?? 'auto';
  if (!['auto', 'exact', 'linearized'].includes(bootstrapMethod)) {
    throw new RangeError(`estimate: bootstrapMethod must be auto, exact or linearized, got ${JSON.stringify(bootstrapMethod)}`);
  }
  const rounding = options.rounding ?? BIAS_DEFAULTS.rounding;
  if (!ROUNDINGS.includes(rounding)) throw new RangeError(`estimate: rounding must be one of ${ROUNDINGS.join(', ')}, got ${JSON.stringify(rounding)}`);
  return { method, bootstrap, seed, bootstrapMethod, rounding };
}

function checkD(D: number): void {
  if (!(Number.isInteger(D) && D >= 1)) throw new RangeError(`estimate: D must be a positive integer (units per row), got ${D}`);
}

function estimateFromSource(src: PairSource, names: string[], options: EstimateOptions): Estimate {
  const opts = checkOptions(options);
  const m = accumulateMoments(src);
  names.forEach((f, k) => {
    if (m.n[k]! < 2) throw new EstimateError(`estimate: factor '${f}' has ${m.n[k]} pair(s); a correlation needs at least 2`);
  });
  const estimator = estimatorOf(opts.method);
  const scores = [...estimator.score(m), 1];
  const fractions = softmaxWithResidual(scores.slice(0, -1));
  const dims = dimsFromFractions(fractions, src.D);
  const est: Estimate = {
    method: opts.method, D: src.D, factors: names.slice(), scores, fractions, dims,
    percent: percentFromDims(dims, src.D, opts.rounding), deadUnits: countDeadUnits(m),
    pairs: names.map((_, k) => m.n[k]!),
  };
  if (options.mutualInformation) est.mi = names.map((_, k) => mutualInformationBound(unitCorrelations(m, k)));
  if (opts.bootstrap > 0) {
    est.ci = bootstrapInterval(src, m, estimator, opts.bootstrap, opts.seed, opts.bootstrapMethod);
  }
  return est;
}

/**
 * Splits a tap's D units among the probe set's factors and the residual (docs/method.md) from the
 * features of the probe set's unique images: `features` is N×D row-major (row r = record r),
 * `pairs` from {@link samplePairs} index its rows.
 *
 * - `per-neuron` (default): s_k = (1/D)·Σ_i ρ_i^k, ρ_i^k the Pearson correlation of unit i over
 *   factor k's pairs (0 where a column is constant).
 * - `pooled`: s_k = Σ_i mean((Za_k,i − m_k,i)(Zb_k,i − m_k,i)) / V, m_k = ½(colmean Za_k +
 *   colmean Zb_k), V = Σ_i var(Z_all,i) over every row of every pair.
 * Then fractions = softmax([s_1..s_K, 1]), dims_k = ⌊fraction_k·D⌋, residual dims the rest,
 * percent = round(100·dims/D, 1) (ties up, or `rounding: 'python'`). One float64 pass over the pairs; `bootstrap: B` adds the
 * 2.5/97.5 percentiles of each factor's fraction over B within-factor resamples of the pairs.
 */
export function estimateDimensions(features: FeatureArray, D: number, pairs: Pairs, options: EstimateOptions = {}): Estimate {
  checkD(D);
  if (!(features instanceof Float32Array || features instanceof Float64Array)) {
    throw new TypeError('estimateDimensions: features must be a Float32Array (N×D, row-major)');
  }
  if (features.length % D !== 0) {
    throw new RangeError(`estimateDimensions: features hold ${features.length} values, not a multiple of D = ${D}`);
  }
  const N = features.length / D;
  if (Number.isInteger(pairs.rows) && pairs.rows !== N) {
    throw new RangeError(`estimateDimensions: features hold ${N} rows of D = ${D} but the pairs index a probe set of ${pairs.rows} records`);
  }
  const { a, b, factor } = pairs;
  if (a.length !== b.length || a.length !== factor.length) {
    throw new RangeError(`estimateDimensions: pairs.a, pairs.b and pairs.factor must have the same length, got ${a.length}, ${b.length}, ${factor.length}`);
  }
  const K = pairs.factors.length;
  // Only the reference pairing has rows of no factor (index ≥ K: they enter only V).
  const top = pairs.pairing === 'reference' ? Infinity : K - 1;
  for (let p = 0; p < a.length; p++) {
    if (a[p]! < 0 || a[p]! >= N || b[p]! < 0 || b[p]! >= N) {
      throw new RangeError(`estimateDimensions: pair ${p} = (${a[p]}, ${b[p]}) indexes outside the ${N} feature rows`);
    }
    if (factor[p]! < 0 || factor[p]! > top) {
      throw new RangeError(`estimateDimensions: pair ${p} has factor ${factor[p]}, outside 0..${K - 1} (factors [${pairs.factors.join(', ')}])`);
    }
  }
  const bucket = top === Infinity ? factor.map((f) => Math.min(f, K)) : factor;
  const src: PairSource = {
    za: features, zb: features, aRow: a, bRow: b, bucket, D, K,
    describeRow: (p, side) => `row ${side === 'a' ? a[p] : b[p]} (pair ${p}, side ${side})`,
  };
  return estimateFromSource(src, pairs.factors, options);
}

/**
 * The same estimate from the reference implementation's input form: `za`, `zb` hold one row of D
 * units per pair (P×D row-major), `factor[p]` is pair p's factor index 0..K−1 (K default 2:
 * shape, texture); rows whose factor lies outside 0..K−1 belong to no factor and enter only the
 * pooled variance V (and the dead-unit count).
 */
export function estimateFromPairs(za: FeatureArray, zb: FeatureArray, factor: Int32Array, D: number, options: EstimateFromPairsOptions = {}): Estimate {
  checkD(D);
  const K = options.K ?? 2;
  if (!(Number.isInteger(K) && K >= 1)) throw new RangeError(`estimateFromPairs: K must be a positive integer, got ${K}`);
  const names = options.names ?? (K === 2 ? ['shape', 'texture'] : Array.from({ length: K }, (_, k) => `factor${k}`));
  if (names.length !== K) throw new RangeError(`estimateFromPairs: names has ${names.length} entries but K = ${K}`);
  const P = factor.length;
  if (za.length !== P * D || zb.length !== P * D) {
    throw new RangeError(`estimateFromPairs: za and zb must hold factor.length × D = ${P} × ${D} = ${P * D} values, got ${za.length} and ${zb.length}`);
  }
  const bucket = new Int32Array(P);
  for (let p = 0; p < P; p++) bucket[p] = factor[p]! >= 0 && factor[p]! < K ? factor[p]! : K;
  const rows = new Int32Array(P);
  for (let p = 0; p < P; p++) rows[p] = p;
  const src: PairSource = {
    za, zb, aRow: rows, bRow: rows, bucket, D, K,
    describeRow: (p, side) => `row ${p} of z${side}`,
  };
  return estimateFromSource(src, names, options);
}
