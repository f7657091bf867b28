/**
 * Decisions of a classifier on cue-conflict images: softmax over the head's classes (float64),
 * each category's probability the mean of its classes' probabilities, the decision the
 * category with the highest one (the model-vs-human toolbox's 16-class decision mapping).
 */
import type { ClassMap } from './class-map.js';

/**
 * Category probabilities of one row of logits: p_c = mean_{i ∈ c} softmax(z)_i, for the map's
 * categories in order. Softmax with the row maximum subtracted, so large logits do not overflow.
 */
export function categoryProbabilities(logits: ArrayLike<number>, offset: number, K: number, map: ClassMap): number[] {
  let max = -Infinity;
  for (let k = 0; k < K; k++) max = Math.max(max, logits[offset + k]!);
  let sum = 0;
  for (let k = 0; k < K; k++) sum += Math.exp(logits[offset + k]! - max);
  return map.indices.map((idx) => {
    let s = 0;
    for (const i of idx) s += Math.exp(logits[offset + i]! - max);
    return s / sum / idx.length;
  });
}

/**
 * The decision of every image: row n of the row-major N×K `logits` → the index into
 * `map.categories` of the most probable category (ties to the earlier category).
 */
export function decideCategories(logits: ArrayLike<number>, K: number, map: ClassMap): Int32Array {
  if (K <= 0 || logits.length % K !== 0) throw new RangeError(`decisions: ${logits.length} logits is not a whole number of ${K}-class rows`);
  const N = logits.length / K;
  const out = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    const p = categoryProbabilities(logits, n * K, K, map);
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
    out[n] = best;
  }
  return out;
}
