import { createRng, type Rng } from '@shapetex/core';
import { accumulateMoments, columnVariance, type Moments, type PairSource } from './moments.js';
import { pooledMeans, unitCorrelations } from './scores.js';
import { softmaxWithResidual } from './dims.js';
import type { EstimateInterval, EstimatorMethod } from './types.js';

/** Scores of the K factors from a pass's moments (the estimator being bootstrapped). */
export type ScoreFn = (m: Moments) => number[];

/** B·P·D at or below which `auto` evaluates every resample exactly. */
export const EXACT_BOOTSTRAP_BUDGET = 2 ** 28;

/** Pair indices of each bucket, for resampling within buckets (pairs per factor stay fixed). */
function strata(src: PairSource): Int32Array[] {
  const lists: number[][] = Array.from({ length: src.K + 1 }, () => []);
  src.bucket.forEach((k, p) => lists[k]!.push(p));
  return lists.map((l) => Int32Array.from(l));
}

/** Percentile with linear interpolation between order statistics (NumPy's default, type 7). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h), hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function interval(samples: Float64Array[], B: number, method: 'exact' | 'linearized', seed: number): EstimateInterval {
  const low: number[] = [], high: number[] = [];
  for (const s of samples) {
    const sorted = Float64Array.from(s).sort();
    low.push(percentile(sorted, 0.025));
    high.push(percentile(sorted, 0.975));
  }
  return { low, high, B, method, seed };
}

/**
 * Bootstrap interval of each factor's fraction (docs/method.md): B resamples of the pairs with
 * replacement, within each factor (and within the no-factor pairs), each turned into fractions
 * by softmax([s*, 1]); the 2.5th and 97.5th percentiles of each factor's fraction.
 */
export function bootstrapInterval(
  src: PairSource, moments: Moments, method: EstimatorMethod, scoreFn: ScoreFn,
  B: number, seed: number, mode: 'auto' | 'exact' | 'linearized',
): EstimateInterval {
  const P = src.bucket.length;
  const useExact = mode === 'exact' || (mode === 'auto' && B * P * src.D <= EXACT_BOOTSTRAP_BUDGET);
  const rng = createRng(seed);
  const groups = strata(src);
  const samples = Array.from({ length: src.K }, () => new Float64Array(B));
  const record = (b: number, scores: number[]): void => {
    const f = softmaxWithResidual(scores);
    for (let k = 0; k < src.K; k++) samples[k]![b] = f[k]!;
  };
  if (useExact) {
    const order = new Int32Array(P);
    for (let b = 0; b < B; b++) {
      let q = 0;
      for (const g of groups) for (let j = 0; j < g.length; j++) order[q++] = g[rng.int(g.length)]!;
      record(b, scoreFn(accumulateMoments(src, order)));
    }
    return interval(samples, B, 'exact', seed);
  }
  const lin = method === 'pooled' ? pooledInfluence(src, moments) : perNeuronInfluence(src, moments);
  for (let b = 0; b < B; b++) record(b, lin.resample(rng, groups));
  return interval(samples, B, 'linearized', seed);
}

interface Linearized {
  resample(rng: Rng, groups: Int32Array[]): number[];
}

/** Mean over a within-group resample of `values`, minus the group's own mean: (1/n)·Σ_p (w_p − 1)·v_p. */
function resampledShift(values: Float64Array, g: Int32Array, rng: Rng): number {
  const n = g.length;
  let s = 0, s0 = 0;
  for (let j = 0; j < n; j++) { s += values[g[rng.int(n)]!]!; s0 += values[g[j]!]!; }
  return (s - s0) / n;
}

/**
 * Per-neuron scores linearized around the data: the empirical influence of pair p on ρ_i is
 * x̃ỹ − ½ρ_i(x̃² + ỹ²) with x̃, ỹ the pair's standardized a and b values, so a resample moves
 * s_k by (1/n_k)·Σ_p (w_p − 1)·ψ_p, ψ_p = (1/D)·Σ_i influence_i(p). Units of zero variance
 * stay at ρ = 0.
 */
function perNeuronInfluence(src: PairSource, m: Moments): Linearized {
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

/**
 * Pooled scores s_k = N_k / V linearized: pair p of factor k moves N_k by its influence
 * η_p = Σ_i [(a−ā_i)(b−b̄_i) − cov_i − h_i((a−ā_i) − (b−b̄_i))], h_i = ½(ā_i − b̄_i), and every
 * pair moves V by φ_p = Σ_i ½[(a−m_i)² + (b−m_i)²] (m the pooled means; a shift of m has no
 * first-order effect on V). Resampled: N*_k = N_k + (1/n_k)·Σ(w−1)η, V* = V + (1/P)·Σ(w−1)φ.
 */
function pooledInfluence(src: PairSource, m: Moments): Linearized {
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
