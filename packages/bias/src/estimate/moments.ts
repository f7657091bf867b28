/**
 * One streaming pass over the pairs: per bucket (factor 0..K−1, and bucket K for pairs that
 * belong to no factor) and per unit, float64 sums of the shifted a and b values, their squares
 * and their cross products. Everything the estimators need is a function of these sums.
 *
 * Each (bucket, side, unit) is shifted by its first value in the pass, which keeps the
 * one-pass variance well conditioned and makes a constant column's sums exactly zero, so
 * zero variance is detected exactly rather than up to rounding.
 */
import { EstimateError } from '../errors.js';

export type FeatureArray = Float32Array | Float64Array;

/** Where pair p's rows live: row `aRow[p]` of `za` and row `bRow[p]` of `zb`, D units each. */
export interface PairSource {
  za: FeatureArray;
  zb: FeatureArray;
  aRow: Int32Array;
  bRow: Int32Array;
  /** 0..K−1 for the factors, K for pairs of no factor. */
  bucket: Int32Array;
  D: number;
  K: number;
  /** Names a row for error messages, e.g. `row 12 (pair 3, side a)`. */
  describeRow(p: number, side: 'a' | 'b'): string;
}

export interface Moments {
  D: number;
  K: number;
  /** Pairs per bucket (K+1). */
  n: Float64Array;
  /** Shifts and sums, (K+1)·D each, bucket-major. */
  ca: Float64Array;
  cb: Float64Array;
  sa: Float64Array;
  sb: Float64Array;
  saa: Float64Array;
  sbb: Float64Array;
  sab: Float64Array;
}

/**
 * Accumulates the moments over the pairs listed in `order` (pair indices, repeats allowed, as in
 * a bootstrap resample), or over every pair once when `order` is omitted.
 */
export function accumulateMoments(src: PairSource, order?: Int32Array): Moments {
  const { za, zb, aRow, bRow, bucket, D, K } = src;
  const len = order ? order.length : bucket.length;
  const size = (K + 1) * D;
  const m: Moments = {
    D, K, n: new Float64Array(K + 1),
    ca: new Float64Array(size), cb: new Float64Array(size),
    sa: new Float64Array(size), sb: new Float64Array(size),
    saa: new Float64Array(size), sbb: new Float64Array(size), sab: new Float64Array(size),
  };
  const { ca, cb, sa, sb, saa, sbb, sab, n } = m;
  for (let q = 0; q < len; q++) {
    const p = order ? order[q]! : q;
    const k = bucket[p]!;
    const o = k * D, oa = aRow[p]! * D, ob = bRow[p]! * D;
    if (n[k] === 0) {
      for (let i = 0; i < D; i++) { ca[o + i] = za[oa + i]!; cb[o + i] = zb[ob + i]!; }
    }
    n[k]++;
    for (let i = 0; i < D; i++) {
      const x = za[oa + i]! - ca[o + i]!;
      const y = zb[ob + i]! - cb[o + i]!;
      sa[o + i] += x;
      sb[o + i] += y;
      saa[o + i] += x * x;
      sbb[o + i] += y * y;
      sab[o + i] += x * y;
    }
  }
  checkFinite(src, m, order);
  return m;
}

/** Non-finite features poison the sums; find the first offending unit and row and name them. */
function checkFinite(src: PairSource, m: Moments, order?: Int32Array): void {
  let bad = false;
  for (let j = 0; j < m.saa.length && !bad; j++) {
    if (!Number.isFinite(m.saa[j]!) || !Number.isFinite(m.sbb[j]!) || !Number.isFinite(m.ca[j]!) || !Number.isFinite(m.cb[j]!)) bad = true;
  }
  if (!bad) return;
  const { za, zb, aRow, bRow, D } = src;
  const len = order ? order.length : src.bucket.length;
  for (let q = 0; q < len; q++) {
    const p = order ? order[q]! : q;
    for (const [z, row, side] of [[za, aRow[p]!, 'a'], [zb, bRow[p]!, 'b']] as const) {
      for (let i = 0; i < D; i++) {
        const v = z[row * D + i]!;
        if (!Number.isFinite(v)) {
          throw new EstimateError(`estimate: feature of unit ${i} at ${src.describeRow(p, side)} is ${v}; features must be finite (check the checkpoint and tap)`);
        }
      }
    }
  }
  // Finite inputs whose squares overflow float64 (|x| > ~1e154) land here.
  throw new EstimateError('estimate: feature sums overflowed float64; features must be of moderate magnitude');
}

/** Population variance of one (bucket, unit) column from its shifted sums; 0 for a constant column. */
export function columnVariance(s: number, ss: number, n: number): number {
  const v = (ss - (s * s) / n) / n;
  return v > 0 ? v : 0;
}

/**
 * Units constant over every row of every pair in the pass: within each non-empty bucket both
 * sides are constant (all shifted values exactly 0) and all those constants are equal.
 */
export function countDeadUnits(m: Moments): number {
  const { D, K } = m;
  let dead = 0;
  for (let i = 0; i < D; i++) {
    let value = NaN, constant = true;
    for (let k = 0; k <= K && constant; k++) {
      if (m.n[k] === 0) continue;
      const o = k * D + i;
      if (m.saa[o] !== 0 || m.sbb[o] !== 0 || m.ca[o] !== m.cb[o]) constant = false;
      else if (Number.isNaN(value)) value = m.ca[o];
      else if (m.ca[o] !== value) constant = false;
    }
    if (constant) dead++;
  }
  return dead;
}
