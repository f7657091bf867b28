/**
 * Phase split of a test-error curve (docs/method.md; thesis chapters 4–6): Phase 1 the first descent,
 * Phase 2 the rise of epoch-wise double descent, Phase 3 the second descent and plateau.
 */
import { movingAverage } from './smooth.js';
import type { Phase, PhaseSplit, SplitPhasesOptions } from './types.js';
import { AnalysisError } from './errors.js';
import { BIAS_DEFAULTS } from '../defaults.js';

/**
 * Splits a curve of errors in percent into three phases with shared boundaries.
 *
 * `threshold` (default): with Δ_i = |e_i − e_{i+w}| for i = 0 … n−1−w,
 *   i1 = min{i : Δ_i ≤ θ}, j = min{i > i1 : Δ_i > θ}, i2 = min{i > j : Δ_i ≤ θ};
 * the curve first flattens at i1, starts moving again at j and flattens for good at i2.
 * `extrema`: on the moving average of `smooth` points, i1 = the first interior local minimum,
 * i2 = the first local maximum after it (a flat run counts once, at its first point).
 *
 * Phase 1 = [0, i1], Phase 2 = [i1, i2], Phase 3 = [i2, n−1], reported as indices and epochs.
 * Returns null when any of i1, (j,) i2 does not exist: there is no split, and every figure that
 * depends on it is N/A.
 */
export function splitPhases(errors: readonly number[], opts: SplitPhasesOptions = {}): PhaseSplit | null {
  const method = opts.method ?? BIAS_DEFAULTS.phaseMethod;
  const n = errors.length;
  const epochs = opts.epochs ?? errors.map((_, i) => i);
  if (epochs.length !== n) {
    throw new AnalysisError(`splitPhases: ${n} errors but ${epochs.length} epochs; expected one epoch per error`);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(errors[i])) throw new AnalysisError(`splitPhases: error ${i} (epoch ${epochs[i]}) is ${errors[i]}, expected a finite number`);
    if (i > 0 && !(epochs[i] > epochs[i - 1])) {
      throw new AnalysisError(`splitPhases: epochs must increase strictly, got ${epochs[i - 1]} then ${epochs[i]} at index ${i}`);
    }
  }
  let found: { i1: number; j?: number; i2: number } | null;
  if (method === 'threshold') {
    const w = opts.window ?? BIAS_DEFAULTS.window;
    const theta = opts.theta ?? BIAS_DEFAULTS.theta;
    if (!Number.isInteger(w) || w < 1) throw new RangeError(`splitPhases: window must be a positive integer, got ${w}`);
    if (!(theta >= 0)) throw new RangeError(`splitPhases: theta must be ≥ 0 percentage points, got ${theta}`);
    const e = movingAverage(errors, opts.smooth ?? BIAS_DEFAULTS.splitSmooth);
    found = thresholdIndices(e, w, theta);
  } else if (method === 'extrema') {
    const e = movingAverage(errors, opts.smooth ?? BIAS_DEFAULTS.smooth);
    found = extremaIndices(e);
  } else {
    throw new RangeError(`splitPhases: unknown method '${String(method)}', expected 'threshold' or 'extrema'`);
  }
  if (!found) return null;
  const { i1, i2 } = found;
  const phase = (name: Phase['name'], start: number, end: number): Phase => ({
    name,
    start,
    end,
    startEpoch: epochs[start],
    endEpoch: epochs[end],
  });
  return {
    method,
    indices: found,
    boundaries: [epochs[i1], epochs[i2]],
    phases: [phase('1', 0, i1), phase('2', i1, i2), phase('3', i2, n - 1)],
  };
}

/** i1, j, i2 of the threshold rule, or null when one of them does not exist. */
export function thresholdIndices(e: readonly number[], w: number, theta: number): { i1: number; j: number; i2: number } | null {
  const last = e.length - 1 - w; // Δ_i needs e_{i+w}
  const delta = (i: number) => Math.abs(e[i] - e[i + w]);
  let i1 = -1;
  for (let i = 0; i <= last; i++) if (delta(i) <= theta) { i1 = i; break; }
  if (i1 < 0) return null;
  let j = -1;
  for (let i = i1 + 1; i <= last; i++) if (delta(i) > theta) { j = i; break; }
  if (j < 0) return null;
  let i2 = -1;
  for (let i = j + 1; i <= last; i++) if (delta(i) <= theta) { i2 = i; break; }
  if (i2 < 0) return null;
  return { i1, j, i2 };
}

/**
 * First interior local minimum and the local maximum after it. Values within a relative
 * 1e-12 of each other count as equal, so float noise of the moving average on a flat stretch
 * makes no extremum; a flat run is one point, placed at its first index.
 */
export function extremaIndices(s: readonly number[]): { i1: number; i2: number } | null {
  const scale = Math.max(1, ...s.map(Math.abs));
  const tol = 1e-12 * scale;
  // collapse flat runs: keep each run's first index and its value
  const runs: { index: number; value: number }[] = [];
  for (let i = 0; i < s.length; i++) {
    const prev = runs[runs.length - 1];
    if (prev && Math.abs(s[i] - prev.value) <= tol) continue;
    runs.push({ index: i, value: s[i] });
  }
  let i1 = -1;
  let r = 1;
  for (; r < runs.length - 1; r++) {
    if (runs[r].value < runs[r - 1].value && runs[r].value < runs[r + 1].value) { i1 = runs[r].index; break; }
  }
  if (i1 < 0) return null;
  for (r = r + 1; r < runs.length - 1; r++) {
    if (runs[r].value > runs[r - 1].value && runs[r].value > runs[r + 1].value) return { i1, i2: runs[r].index };
  }
  return null;
}
