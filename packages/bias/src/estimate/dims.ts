/**
 * From scores to dimensions (docs/method.md).
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

import type { PercentRounding } from './types.js';

export const ROUNDINGS: readonly PercentRounding[] = ['half-up', 'python'];

/**
 * percent_k = round(100·dims_k/D, 1).
 * - `half-up` (default): computed on the exact rational so that ties (e.g. 0.05) round up, not
 *   wherever binary rounding of 100·dims/D happens to land.
 * - `python`: what the reference's `round(100*(dims[i] / sum(dims)), 1)` gives: the double
 *   x = 100·(d/D) (two roundings, as Python does them), rounded to one decimal half-to-even on
 *   x's exact binary value ({@link roundHalfEven1}).
 */
export function percentFromDims(dims: number[], D: number, rounding: PercentRounding = 'half-up'): number[] {
  if (rounding === 'python') return dims.map((d) => roundHalfEven1(100 * (d / D)));
  // round(1000·d/D) = ⌊(2000·d + D) / (2D)⌋, integers throughout
  return dims.map((d) => Math.floor((2000 * d + D) / (2 * D)) / 10);
}

/**
 * Python's `round(x, 1)` for a finite double: the exact binary value of x times 10, rounded to
 * an integer n half-to-even (exact BigInt arithmetic: x = m·2^e), then n/10 as the nearest
 * double, which is what CPython returns (it rounds through a correctly rounded decimal string).
 */
export function roundHalfEven1(x: number): number {
  if (!Number.isFinite(x)) return x;
  if (x === 0) return x;
  const { mantissa, exponent } = decompose(Math.abs(x));
  const ten = mantissa * 10n;
  let n: bigint;
  if (exponent >= 0) n = ten << BigInt(exponent);
  else {
    const shift = BigInt(-exponent);
    const q = ten >> shift;
    const r = ten - (q << shift);
    const twice = r << 1n, unit = 1n << shift;
    n = twice > unit || (twice === unit && (q & 1n) === 1n) ? q + 1n : q;
  }
  // Decimal text to double is correctly rounded in JS, for any size of n.
  const v = Number(`${n}e-1`);
  return x < 0 ? -v : v;
}

/** x = mantissa·2^exponent exactly, for a positive finite double. */
function decompose(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  return biased === 0
    ? { mantissa: frac, exponent: -1074 }
    : { mantissa: frac | (1n << 52n), exponent: biased - 1075 };
}
