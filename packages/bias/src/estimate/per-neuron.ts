/**
 * The per-neuron estimator (the method's definition, and the default). For factor k with pairs
 * (a_p, b_p), p = 1..n_k, and unit i = 1..D:
 *
 *   ρ_i^k = Σ_p (a_pi − ā_i)(b_pi − b̄_i) / √(Σ_p (a_pi − ā_i)² · Σ_p (b_pi − b̄_i)²),
 *   s_k   = (1/D)·Σ_i ρ_i^k,
 *
 * each column with its own mean, and ρ_i^k = 0 where either column is constant. Every unit
 * weighs the same and the score is invariant to rescaling any unit.
 */
import { columnVariance, type Moments, type PairSource } from './moments.js';
import { resampledShift, type Linearized } from './estimator.js';

/** ρ_i^k of every unit i for factor k (clamped to [−1, 1] against rounding). */
export function unitCorrelations(m: Moments, k: number): Float64Array {
  const { D } = m;
  const n = m.n[k];
  const rho = new Float64Array(D);
  const o = k * D;
  for (let i = 0; i < D; i++) {
    const sa = m.sa[o + i], sb = m.sb[o + i];
    const va = columnVariance(sa, m.saa[o + i], n);
    const vb = columnVariance(sb, m.sbb[o + i], n);
    if (va === 0 || vb === 0) continue;
    const c = (m.sab[o + i] - (sa * sb) / n) / n;
    const r = c / Math.sqrt(va * vb);
    rho[i] = r > 1 ? 1 : r < -1 ? -1 : r;
  }
  return rho;
}

/** s_k = (1/D)·Σ_i ρ_i^k. */
export function perNeuronScore(rho: Float64Array): number {
  let s = 0;
  for (let i = 0; i < rho.length; i++) s += rho[i];
  return s / rho.length;
}

/** s_1..s_K from one pass's moments. */
export function perNeuronScores(m: Moments): number[] {
  return Array.from({ length: m.K }, (_, k) => perNeuronScore(unitCorrelations(m, k)));
}

/** Mutual-information lower bound Σ_i −½·log(1 − ρ_i²) in nats (Gaussian channel); ∞ where |ρ_i| = 1. */
export function mutualInformationBound(rho: Float64Array): number {
  let s = 0;
  for (let i = 0; i < rho.length; i++) s += -0.5 * Math.log1p(-rho[i] * rho[i]);
  return s;
}

/**
 * Per-neuron scores linearized around the data: the empirical influence of pair p on ρ_i is
 * x̃ỹ − ½ρ_i(x̃² + ỹ²) with x̃, ỹ the pair's standardized a and b values, so a resample moves
 * s_k by (1/n_k)·Σ_p (w_p − 1)·ψ_p, ψ_p = (1/D)·Σ_i influence_i(p). Units of zero variance
 * stay at ρ = 0.
 */
export function perNeuronInfluence(src: PairSource, m: Moments): Linearized {
  const { D, K, za, zb, aRow, bRow, bucket } = src;
  const size = K * D;
  const mua = new Float64Array(size), mub = new Float64Array(size);
  const isa = new Float64Array(size), isb = new Float64Array(size), halfRho = new Float64Array(size);
  const base: number[] = [];
  for (let k = 0; k < K; k++) {
    const n = m.n[k]!;
    const rho = unitCorrelations(m, k);
    let s = 0;
    for (let i = 0; i < D; i++) {
      const o = k * D + i;
      mua[o] = m.ca[o]! + m.sa[o]! / n;
      mub[o] = m.cb[o]! + m.sb[o]! / n;
      const va = columnVariance(m.sa[o]!, m.saa[o]!, n), vb = columnVariance(m.sb[o]!, m.sbb[o]!, n);
      if (va > 0 && vb > 0) { isa[o] = 1 / Math.sqrt(va); isb[o] = 1 / Math.sqrt(vb); }
      halfRho[o] = 0.5 * rho[i]!;
      s += rho[i]!;
    }
    base.push(s / D);
  }
  const psi = new Float64Array(bucket.length);
  for (let p = 0; p < bucket.length; p++) {
    const k = bucket[p]!;
    if (k >= K) continue;
    const o = k * D, oa = aRow[p]! * D, ob = bRow[p]! * D;
    let s = 0;
    for (let i = 0; i < D; i++) {
      const x = (za[oa + i]! - mua[o + i]!) * isa[o + i]!;
      const y = (zb[ob + i]! - mub[o + i]!) * isb[o + i]!;
      s += x * y - halfRho[o + i]! * (x * x + y * y);
    }
    psi[p] = s / D;
  }
  return {
    resample(rng, groups) {
      return base.map((s, k) => s + resampledShift(psi, groups[k]!, rng));
    },
  };
}
