/**
 * Per-phase correlation of test error with the shape and texture biases (docs/method.md; thesis
 * Table 5.1).
 */
import { sampleCorrelation } from 'simple-statistics';
import { movingAverage } from './smooth.js';
import { bootstrapScoreInterval, fisherInterval } from './interval.js';
import type { BiasNoise, PhaseCorrelation, PhaseCorrelationOptions, PhaseName, PhaseSplit } from './types.js';
import { AnalysisError } from './errors.js';
import { BIAS_DEFAULTS } from '../defaults.js';

/**
 * Pearson r = Σ(x−x̄)(y−ȳ) / √(Σ(x−x̄)² Σ(y−ȳ)²), or null (N/A) when there are fewer than 3
 * points or either series is constant. Constancy is tested on the values themselves (not on a
 * computed variance, which float rounding can leave a hair above zero).
 */
export function pearsonOrNull(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new AnalysisError(`pearsonOrNull: series lengths differ (${x.length} vs ${y.length})`);
  if (x.length < 3) return null;
  if (x.every((v) => v === x[0]) || y.every((v) => v === y[0])) return null;
  const r = sampleCorrelation(x as number[], y as number[]);
  if (!Number.isFinite(r)) return null;
  // rounding can push |r| a hair past 1 for exactly affine series
  return Math.max(-1, Math.min(1, r));
}

const NAMES: PhaseName[] = ['1', '2', '3', '1+2'];

/** The noise width assumed for a bias fraction when the run has no bootstrap intervals. */
export const NOISE_WIDTH_DEFAULT = 0.01;

/** Range of the smoothed values over the phase against the mean interval width there. */
function biasNoise(values: readonly number[], widths: readonly number[] | undefined): BiasNoise | null {
  if (values.length === 0) return null;
  const range = Math.max(...values) - Math.min(...values);
  const width = widths ? widths.reduce((a, b) => a + b, 0) / widths.length : NOISE_WIDTH_DEFAULT;
  return { range, width, basis: widths ? 'bootstrap' : 'fixed', restsOnNoise: range < width };
}

/**
 * For Phases 1, 2, 3 and 1+2: r_shape = Pearson(error, shape bias), r_texture = Pearson(error,
 * texture bias) over the points of the phase, and Score = (|r_shape| + |r_texture|)/2, each
 * with a 95% interval (Fisher's z for r, a bootstrap over the phase's epochs for Score; see
 * `interval.ts`) and the noise check of {@link BiasNoise}.
 *
 * The shape and texture series are smoothed with a centred moving average of `smooth` points
 * (default 5) over the whole series before being cut into phases, so a phase's end points see
 * their neighbours across the boundary as the curve itself does. Boundary points belong to both
 * phases they separate. `phases` null (no split) gives every row N/A.
 */
export function phaseCorrelations(
  errors: readonly number[],
  shape: readonly number[],
  texture: readonly number[],
  phases: PhaseSplit | null,
  opts: PhaseCorrelationOptions = {},
): PhaseCorrelation[] {
  const n = errors.length;
  if (shape.length !== n || texture.length !== n) {
    throw new AnalysisError(`phaseCorrelations: ${n} errors, ${shape.length} shape and ${texture.length} texture values; expected equal lengths`);
  }
  if (opts.epochs && opts.epochs.length !== n) {
    throw new AnalysisError(`phaseCorrelations: ${n} errors but ${opts.epochs.length} epochs; expected one epoch per point`);
  }
  const w = opts.ciWidth;
  if (w && (w.shape.length !== n || w.texture.length !== n)) {
    throw new AnalysisError(`phaseCorrelations: ${n} errors but ${w.shape.length} shape and ${w.texture.length} texture interval widths; expected one per point`);
  }
  const e = movingAverage(errors, opts.smoothErrors ?? 1);
  const s = movingAverage(shape, opts.smooth ?? BIAS_DEFAULTS.smooth);
  const t = movingAverage(texture, opts.smooth ?? BIAS_DEFAULTS.smooth);
  return NAMES.map((name, k) => {
    if (!phases) {
      return { phase: name, startEpoch: null, endEpoch: null, n: 0, shapeR: null, textureR: null, score: null, shapeCi: null, textureCi: null, scoreCi: null, noise: { shape: null, texture: null } };
    }
    const [p1, p2, p3] = phases.phases;
    const range = name === '1' ? p1 : name === '2' ? p2 : name === '3' ? p3 : { ...p1, end: p2.end, endEpoch: p2.endEpoch };
    const members: number[] = [];
    for (let i = 0; i < n; i++) {
      const inside = opts.epochs
        ? opts.epochs[i] >= range.startEpoch && opts.epochs[i] <= range.endEpoch
        : i >= range.start && i <= range.end;
      if (inside) members.push(i);
    }
    const pick = (xs: readonly number[]) => members.map((i) => xs[i]);
    const [pe, ps, pt] = [pick(e), pick(s), pick(t)];
    const shapeR = pearsonOrNull(pe, ps);
    const textureR = pearsonOrNull(pe, pt);
    const score = shapeR === null || textureR === null ? null : (Math.abs(shapeR) + Math.abs(textureR)) / 2;
    const m = members.length;
    // one seed per phase, so a phase's interval does not depend on which other phases exist
    const boot = { resamples: opts.scoreResamples ?? BIAS_DEFAULTS.scoreResamples, seed: (opts.seed ?? BIAS_DEFAULTS.seed) * NAMES.length + k };
    return {
      phase: name,
      startEpoch: range.startEpoch,
      endEpoch: range.endEpoch,
      n: m,
      shapeR,
      textureR,
      score,
      shapeCi: fisherInterval(shapeR, m),
      textureCi: fisherInterval(textureR, m),
      scoreCi: score === null ? null : bootstrapScoreInterval(pe, ps, pt, pearsonOrNull, boot),
      noise: { shape: biasNoise(ps, w && pick(w.shape)), texture: biasNoise(pt, w && pick(w.texture)) },
    };
  });
}
