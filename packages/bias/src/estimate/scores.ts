import { columnVariance, type Moments } from './moments.js';

/**
 * Per-unit Pearson correlation of factor k's a and b columns (docs/method.md), each column with its
 * own mean:
 *   ρ_i = Σ(a−ā)(b−b̄) / √(Σ(a−ā)² · Σ(b−b̄)²),
 * and ρ_i = 0 where either column has zero variance.
 */
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

/** Per-neuron score s_k = (1/D)·Σ_i ρ_i^k (docs/method.md). */
export function perNeuronScore(rho: Float64Array): number {
  let s = 0;
  for (let i = 0; i < rho.length; i++) s += rho[i];
  return s / rho.length;
}

/** Mutual-information lower bound Σ_i −½·log(1 − ρ_i²) in nats (Gaussian channel); ∞ where |ρ_i| = 1. */
export function mutualInformationBound(rho: Float64Array): number {
  let s = 0;
  for (let i = 0; i < rho.length; i++) s += -0.5 * Math.log1p(-rho[i] * rho[i]);
  return s;
}

/**
 * Pooled variance of docs/method.md: V = Σ_i mean over every a and b row of every pair (all buckets)
 * of (z_i − m_i)², with m the column means over those rows. Combined from the per-(bucket, side)
 * sums with Chan et al.'s parallel update: M2 = Σ_g [M2_g + n_g·(μ_g − μ)²].
 */
export function pooledVariance(m: Moments): number {
  const mean = pooledMeans(m);
  const { D, K } = m;
  const total = 2 * m.n.reduce((a, b) => a + b, 0);
  let V = 0;
  for (let i = 0; i < D; i++) {
    let M2 = 0;
    for (let k = 0; k <= K; k++) {
      const n = m.n[k];
      if (n === 0) continue;
      const o = k * D + i;
      const da = m.ca[o] + m.sa[o] / n - mean[i], db = m.cb[o] + m.sb[o] / n - mean[i];
      M2 += columnVariance(m.sa[o], m.saa[o], n) * n + n * da * da;
      M2 += columnVariance(m.sb[o], m.sbb[o], n) * n + n * db * db;
    }
    V += M2 / total;
  }
  return V;
}

/** Column means m_i over every a and b row of every pair (docs/method.md's m). */
export function pooledMeans(m: Moments): Float64Array {
  const { D, K } = m;
  const total = 2 * m.n.reduce((a, b) => a + b, 0);
  const mean = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    let s = 0;
    for (let k = 0; k <= K; k++) {
      const n = m.n[k];
      if (n === 0) continue;
      const o = k * D + i;
      s += n * (m.ca[o] + m.cb[o]) + m.sa[o] + m.sb[o];
    }
    mean[i] = s / total;
  }
  return mean;
}

/**
 * Numerator of the pooled score for factor k (docs/method.md):
 *   Σ_i mean_p((a_pi − m_k,i)(b_pi − m_k,i)),  m_k = ½(colmean(Za_k) + colmean(Zb_k)),
 * which equals Σ_i [cov(a_i, b_i) − ¼(ā_i − b̄_i)²] with population covariance.
 */
export function pooledNumerator(m: Moments, k: number): number {
  const { D } = m;
  const n = m.n[k];
  const o = k * D;
  let s = 0;
  for (let i = 0; i < D; i++) {
    const sa = m.sa[o + i], sb = m.sb[o + i];
    const cov = (m.sab[o + i] - (sa * sb) / n) / n;
    const half = 0.5 * (m.ca[o + i] - m.cb[o + i] + (sa - sb) / n);
    s += cov - half * half;
  }
  return s;
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
