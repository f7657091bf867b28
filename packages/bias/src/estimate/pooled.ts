/**
 * The pooled estimator (the reference implementation's `dim_est`). With m_i the column means
 * over every a and b row of every pair (all factors, and the rows of no factor):
 *
 *   V     = Σ_i mean over all those rows of (z_i − m_i)²,
 *   m_k,i = ½(colmean(Za_k)_i + colmean(Zb_k)_i),
 *   s_k   = Σ_i mean_p((a_pi − m_k,i)(b_pi − m_k,i)) / V,
 *
 * a ratio of summed covariances, so high-variance units dominate it. s_k = 0 when V = 0.
 */
import { columnVariance, type Moments, type PairSource } from './moments.js';
import type { Linearized } from './estimator.js';

/**
 * V, combined from the per-(bucket, side) sums with Chan et al.'s parallel update:
 * M2 = Σ_g [M2_g + n_g·(μ_g − μ)²].
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

/** The column means m_i over every a and b row of every pair. */
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
 * The numerator of s_k, Σ_i mean_p((a_pi − m_k,i)(b_pi − m_k,i)), which equals
 * Σ_i [cov(a_i, b_i) − ¼(ā_i − b̄_i)²] with population covariance.
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

/** s_1..s_K from one pass's moments. */
export function pooledScores(m: Moments): number[] {
  const V = pooledVariance(m);
  // V = 0 means every unit is constant on every row; the numerators are then 0 too and the
  // factor carries nothing, as per-neuron's zero-variance rule says.
  return Array.from({ length: m.K }, (_, k) => (V > 0 ? pooledNumerator(m, k) / V : 0));
}

/**
 * Pooled scores s_k = N_k / V linearized: pair p of factor k moves N_k by its influence
 * η_p = Σ_i [(a−ā_i)(b−b̄_i) − cov_i − h_i((a−ā_i) − (b−b̄_i))], h_i = ½(ā_i − b̄_i), and every
 * pair moves V by φ_p = Σ_i ½[(a−m_i)² + (b−m_i)²] (m the pooled means; a shift of m has no
 * first-order effect on V). Resampled: N*_k = N_k + (1/n_k)·Σ(w−1)η, V* = V + (1/P)·Σ(w−1)φ.
 */
export function pooledInfluence(src: PairSource, m: Moments): Linearized {
  const { D, K, za, zb, aRow, bRow, bucket } = src;
  const size = K * D;
  const mua = new Float64Array(size), mub = new Float64Array(size), cov = new Float64Array(size), h = new Float64Array(size);
  const N: number[] = [];
  for (let k = 0; k < K; k++) {
    const n = m.n[k]!;
    let s = 0;
    for (let i = 0; i < D; i++) {
      const o = k * D + i;
      mua[o] = m.ca[o]! + m.sa[o]! / n;
      mub[o] = m.cb[o]! + m.sb[o]! / n;
      cov[o] = (m.sab[o]! - (m.sa[o]! * m.sb[o]!) / n) / n;
      h[o] = 0.5 * (m.ca[o]! - m.cb[o]! + (m.sa[o]! - m.sb[o]!) / n);
      s += cov[o]! - h[o]! * h[o]!;
    }
    N.push(s);
  }
  const mean = pooledMeans(m);
  const P = bucket.length;
  const eta = new Float64Array(P), phi = new Float64Array(P);
  let V = 0;
  for (let p = 0; p < P; p++) {
    const k = bucket[p]!;
    const oa = aRow[p]! * D, ob = bRow[p]! * D;
    let f = 0;
    for (let i = 0; i < D; i++) {
      const da = za[oa + i]! - mean[i]!, db = zb[ob + i]! - mean[i]!;
      f += 0.5 * (da * da + db * db);
    }
    phi[p] = f;
    V += f;
    if (k >= K) continue;
    const o = k * D;
    let e = 0;
    for (let i = 0; i < D; i++) {
      const x = za[oa + i]! - mua[o + i]!, y = zb[ob + i]! - mub[o + i]!;
      e += x * y - cov[o + i]! - h[o + i]! * (x - y);
    }
    eta[p] = e;
  }
  V /= P;
  return {
    resample(rng, groups) {
      // One draw of each group's pairs moves both that factor's N and the shared V.
      let dV = 0;
      const dN = new Array<number>(K).fill(0);
      groups.forEach((g, k) => {
        const n = g.length;
        let sf = 0, se = 0;
        for (let j = 0; j < n; j++) {
          const p = g[rng.int(n)]!, p0 = g[j]!;
          sf += phi[p]! - phi[p0]!;
          se += eta[p]! - eta[p0]!;
        }
        dV += sf / P;
        if (k < K) dN[k] = se / n;
      });
      const Vs = V + dV;
      return N.map((n, k) => (Vs > 0 ? (n + dN[k]!) / Vs : 0));
    },
  };
}
