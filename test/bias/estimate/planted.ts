import { createRng } from '@shapetex/core';

/**
 * Pairs with planted latents whose per-unit correlations are known in closed form.
 * Units 0..Ds−1 ("shape units") are u + σ_s·ε with u ~ N(0, vu) shared by the two images of a
 * shape pair and drawn afresh for each image otherwise; units Ds..Ds+Dt−1 do the same with the
 * texture latent (var vt, noise σ_t²); the last Dn units are independent N(0, 1) noise. Every
 * unit carries a fixed offset, so means are not zero. So in factor k's pairs unit i has
 * ρ = var(latent)/(var(latent) + σ²) when it carries k's latent and 0 otherwise.
 */
export interface PlantedSpec {
  n: number; Ds: number; Dt: number; Dn: number;
  vu: number; s2: number; vt: number; t2: number;
  seed: number;
}

export interface PlantedPairs {
  D: number;
  za: Float32Array;
  zb: Float32Array;
  factor: Int32Array;
  /** Expected per-neuron scores [shape, texture]. */
  perNeuron: number[];
  /** Standard error of each per-neuron score: √(Σ_i (1 − ρ_i²)²/n)/D (Fisher's large-sample variance). */
  perNeuronSd: number[];
  /** Expected pooled scores [shape, texture] (to O(1/n)). */
  pooled: number[];
  /** Standard error of each pooled numerator over V: √(Σ_i (va·vb + c_i²)/n)/V. */
  pooledSd: number[];
}

export function planted(spec: PlantedSpec): PlantedPairs {
  const { n, Ds, Dt, Dn, vu, s2, vt, t2, seed } = spec;
  const D = Ds + Dt + Dn;
  const rng = createRng(seed);
  const P = 2 * n;
  const za = new Float32Array(P * D), zb = new Float32Array(P * D), factor = new Int32Array(P);
  const su = Math.sqrt(vu), ss = Math.sqrt(s2), st = Math.sqrt(vt), stt = Math.sqrt(t2);
  for (let p = 0; p < P; p++) {
    const k = p < n ? 0 : 1;
    factor[p] = k;
    for (let i = 0; i < D; i++) {
      const offset = 2 + 0.25 * i;
      let a: number, b: number;
      if (i < Ds) {
        const ua = su * rng.normal(), ub = k === 0 ? ua : su * rng.normal();
        a = ua + ss * rng.normal(); b = ub + ss * rng.normal();
      } else if (i < Ds + Dt) {
        const va = st * rng.normal(), vb = k === 1 ? va : st * rng.normal();
        a = va + stt * rng.normal(); b = vb + stt * rng.normal();
      } else {
        a = rng.normal(); b = rng.normal();
      }
      za[p * D + i] = a + offset;
      zb[p * D + i] = b + offset;
    }
  }
  const rs = vu / (vu + s2), rt = vt / (vt + t2);
  const sdOf = (rhos: number[]): number => Math.sqrt(rhos.reduce((s, r) => s + (1 - r * r) ** 2, 0) / n) / D;
  const rhoFor = (k: number): number[] => [
    ...new Array(Ds).fill(k === 0 ? rs : 0), ...new Array(Dt).fill(k === 1 ? rt : 0), ...new Array(Dn).fill(0),
  ];
  const V = Ds * (vu + s2) + Dt * (vt + t2) + Dn;
  const vars = [...new Array(Ds).fill(vu + s2), ...new Array(Dt).fill(vt + t2), ...new Array(Dn).fill(1)];
  const covFor = (k: number): number[] => [...new Array(Ds).fill(k === 0 ? vu : 0), ...new Array(Dt).fill(k === 1 ? vt : 0), ...new Array(Dn).fill(0)];
  const pooledSd = [0, 1].map((k) => Math.sqrt(vars.reduce((s, v, i) => s + v * v + covFor(k)[i]! ** 2, 0) / n) / V);
  return {
    D, za, zb, factor,
    perNeuron: [(Ds * rs) / D, (Dt * rt) / D],
    perNeuronSd: [sdOf(rhoFor(0)), sdOf(rhoFor(1))],
    pooled: [(Ds * vu) / V, (Dt * vt) / V],
    pooledSd,
  };
}

/** softmax([s..., 1]) written out independently of the library. */
export function expectedFractions(scores: number[]): number[] {
  const e = [...scores, 1].map(Math.exp);
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}
