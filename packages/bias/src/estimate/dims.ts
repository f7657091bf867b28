/**
 * From scores to dimensions (SPEC §5.3).
 *
 * The residual factor's score is 1: a unit entirely determined by the image (the residual
 * "factor" is the whole image, whose pairs are identical) correlates perfectly with itself, so
 * per unit ρ = 1 and the score (1/D)·Σ_i ρ_i = 1; the pooled form gives V/V = 1 likewise.
 */

/** fractions = softmax([s_1, …, s_K, 1]), residual last; shifted by the maximum for stability. */
export function softmaxWithResidual(scores: number[]): number[] {
  const all = [...scores, 1];
  const top = Math.max(...all);
  const e = all.map((s) => Math.exp(s - top));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

/** dims_k = ⌊fraction_k·D⌋ for the K factors; the residual takes D − Σ_k dims_k. */
export function dimsFromFractions(fractions: number[], D: number): number[] {
  const dims = fractions.slice(0, -1).map((f) => Math.floor(f * D));
  const used = dims.reduce((a, b) => a + b, 0);
  return [...dims, D - used];
}

/**
 * percent_k = round(100·dims_k/D, 1), computed on the exact rational so that ties (e.g. 0.05)
 * round up, not wherever binary rounding of 100·dims/D happens to land.
 */
export function percentFromDims(dims: number[], D: number): number[] {
  // round(1000·d/D) = ⌊(2000·d + D) / (2D)⌋, integers throughout
  return dims.map((d) => Math.floor((2000 * d + D) / (2 * D)) / 10);
}
