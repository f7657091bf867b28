import { createRng } from '@shapetex/core';
import { ProbeSetError, type ProbeSet } from '@shapetex/svoc';
import type { PartnerRule } from './candidates.js';
import type { Pairs } from './types.js';

/**
 * The reference implementation's pairs (Islam et al.'s `StylizedVoc.__getitem__`): each record,
 * in record order, anchors exactly one pair. Its factor index f is drawn uniformly from
 * {0, …, K+1} — for SVOC (K = 2) that is Python's `random.randint(0, 3)` with the reference's
 * n_factors = 3 — and the partner is drawn with the rule of factor min(f, K−1): f = 0 a shape
 * pair, f ≥ 1 a texture pair (the reference's `else` branch). Only f < K is scored; rows with
 * f ≥ K still enter the pooled variance V, as the reference's `dim_est` pools every row.
 *
 * The draws come from shapetex's seeded generator (one stream: the factor, then the partner,
 * record by record), not Python's, so the pairs are the reference's in distribution, and the
 * written pairs.csv lets the reference's code run on exactly these. A record whose drawn rule
 * has no valid partner anchors nothing and is counted in `unpairable` under that factor.
 */
export function sampleReferencePairs(probeSet: ProbeSet, { rules, svoc }: { rules: PartnerRule[]; svoc: boolean }, seed: number): Pairs {
  const { records, factors } = probeSet;
  const K = factors.length;
  const rng = createRng(seed);
  const a: number[] = [], b: number[] = [], factor: number[] = [];
  const counts = new Array<number>(K).fill(0);
  const unpairable = new Array<number>(K).fill(0);
  for (let i = 0; i < records.length; i++) {
    const f = rng.int(K + 2);
    const k = Math.min(f, K - 1);
    const partner = rules[k]!.pick(i, rng);
    if (partner < 0) {
      unpairable[k]!++;
      continue;
    }
    a.push(i); b.push(partner); factor.push(f);
    if (f < K) counts[f]!++;
  }
  counts.forEach((n, k) => {
    if (n < 2) {
      throw new ProbeSetError(`samplePairs (reference pairing): factor '${factors[k]}' drew ${n} pair(s) over the ${records.length} records of the probe set at ${probeSet.root} (seed ${seed}); a correlation needs at least 2 (${rules[k]!.why}). About a quarter of the records draw each factor: use a larger probe set, another seed, or the balanced pairing`);
    }
  });
  return {
    factors: factors.slice(), a: Int32Array.from(a), b: Int32Array.from(b), factor: Int32Array.from(factor),
    counts, unpairable, rows: records.length, rule: svoc ? 'svoc' : 'factors', seed, pairsPerFactor: null,
    pairing: 'reference',
  };
}

