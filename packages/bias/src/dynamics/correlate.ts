/**
 * Per-phase correlation of test error with the shape and texture biases (SPEC §7; thesis
 * Table 5.1).
 */
import { sampleCorrelation } from 'simple-statistics';
import { movingAverage } from './smooth.js';
import type { PhaseCorrelation, PhaseCorrelationOptions, PhaseName, PhaseSplit } from './types.js';

/**
 * Pearson r = Σ(x−x̄)(y−ȳ) / √(Σ(x−x̄)² Σ(y−ȳ)²), or null (N/A) when there are fewer than 3
 * points or either series is constant. Constancy is tested on the values themselves (not on a
 * computed variance, which float rounding can leave a hair above zero).
 */
export function pearsonOrNull(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new Error(`pearsonOrNull: series lengths differ (${x.length} vs ${y.length})`);
  if (x.length < 3) return null;
  if (x.every((v) => v === x[0]) || y.every((v) => v === y[0])) return null;
  const r = sampleCorrelation(x as number[], y as number[]);
  if (!Number.isFinite(r)) return null;
  // rounding can push |r| a hair past 1 for exactly affine series
  return Math.max(-1, Math.min(1, r));
}

const NAMES: PhaseName[] = ['1', '2', '3', '1+2'];

/**
 * For Phases 1, 2, 3 and 1+2: r_shape = Pearson(error, shape bias), r_texture = Pearson(error,
 * texture bias) over the points of the phase, and Score = (|r_shape| + |r_texture|)/2.
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
    throw new Error(`phaseCorrelations: ${n} errors, ${shape.length} shape and ${texture.length} texture values; expected equal lengths`);
  }
  if (opts.epochs && opts.epochs.length !== n) {
    throw new Error(`phaseCorrelations: ${n} errors but ${opts.epochs.length} epochs; expected one epoch per point`);
  }
  const e = movingAverage(errors, opts.smoothErrors ?? 1);
  const s = movingAverage(shape, opts.smooth ?? 5);
  const t = movingAverage(texture, opts.smooth ?? 5);
  return NAMES.map((name) => {
    if (!phases) return { phase: name, startEpoch: null, endEpoch: null, n: 0, shapeR: null, textureR: null, score: null };
    const [p1, p2, p3] = phases.phases;
    const range = name === '1' ? p1 : name === '2' ? p2 : name === '3' ? p3 : { ...p1, end: p2.end, endEpoch: p2.endEpoch };
    const members: number[] = [];
    for (let i = 0; i < n; i++) {
      const inside = opts.epochs
        ? opts.epochs[i] >= range.startEpoch && opts.epochs[i] <= range.endEpoch
        : i >= range.start && i <= range.end;
      if (inside) members.push(i);
    }
    const pick = (xs: number[]) => members.map((i) => xs[i]);
    const shapeR = pearsonOrNull(pick(e), pick(s));
    const textureR = pearsonOrNull(pick(e), pick(t));
    const score = shapeR === null || textureR === null ? null : (Math.abs(shapeR) + Math.abs(textureR)) / 2;
    return { phase: name, startEpoch: range.startEpoch, endEpoch: range.endEpoch, n: members.length, shapeR, textureR, score };
  });
}
