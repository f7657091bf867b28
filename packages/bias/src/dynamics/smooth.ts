/**
 * Centred moving average (docs/method.md), the smoothing used by the phase split's `extrema` method
 * and for the bias series before correlating.
 */
import { AnalysisError } from './errors.js';

/**
 * Centred moving average over a window of `k` points, truncated at the ends.
 *
 * out_i = mean(xs[lo_i .. hi_i]) with lo_i = max(0, i − ⌊k/2⌋), hi_i = min(n − 1, i + ⌈k/2⌉ − 1).
 *
 * For odd k the window is symmetric (⌊k/2⌋ points each side). For even k it holds one more
 * point before i than after (k = 4: i−2 … i+1). Near the ends the window keeps only the points
 * that exist, so the first and last values average fewer points ("shrinking at the ends") and
 * the output has the input's length. k = 1 returns a copy.
 */
export function movingAverage(xs: readonly number[], k: number): number[] {
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`movingAverage: window k must be a positive integer, got ${k}`);
  }
  const n = xs.length;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(xs[i])) throw new AnalysisError(`movingAverage: value ${i} is ${xs[i]}, expected a finite number`);
  }
  const before = Math.floor(k / 2);
  const after = Math.ceil(k / 2) - 1;
  // direct sums (not prefix differences) so a flat stretch stays exactly flat, which the
  // extrema split relies on; n·k is tiny for epoch series
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - before);
    const hi = Math.min(n - 1, i + after);
    let sum = 0;
    for (let t = lo; t <= hi; t++) sum += xs[t];
    out[i] = sum / (hi - lo + 1);
  }
  return out;
}
