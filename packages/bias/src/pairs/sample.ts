import { createRng } from '@shapetex/core';
import { ProbeSetError, type ProbeSet } from '@shapetex/svoc';
import { factorRule, factorValues, svocShapeRule, svocTextureRule, type PartnerRule } from './candidates.js';
import { sampleReferencePairs } from './reference.js';
import type { Pairs, SamplePairsOptions } from './types.js';
import { BIAS_DEFAULTS } from '../defaults.js';

/**
 * Whether a probe set is paired with SVOC semantics (docs/method.md): its manifest says `kind: 'svoc'`,
 * or it has no manifest (a folder of `{textureId}_{classId}_{contentId}.jpg` files) and its
 * factors are exactly `['shape', 'texture']`. SVOC texture pairs must differ in class
 * (`classId`), not merely in content; every other set uses the generic K-factor rule.
 */
export function isSvocPairing(probeSet: ProbeSet): boolean {
  const kind = probeSet.manifest?.kind;
  if (kind === 'svoc') return true;
  if (kind !== undefined) return false;
  const f = probeSet.factors;
  return f.length === 2 && f[0] === 'shape' && f[1] === 'texture';
}

function checkSvocRecords(probeSet: ProbeSet): void {
  const f = probeSet.factors;
  if (f.length !== 2 || f[0] !== 'shape' || f[1] !== 'texture') {
    throw new ProbeSetError(`samplePairs: an SVOC probe set must have factors [shape, texture], got [${f.join(', ')}]`);
  }
  probeSet.records.forEach((r, i) => {
    if (typeof r.contentId !== 'string' || r.contentId === '' || !Number.isInteger(r.textureId) || !Number.isInteger(r.classId)) {
      throw new ProbeSetError(`samplePairs: SVOC record ${i} (${r.file}) needs a contentId string and integer textureId and classId, got contentId=${JSON.stringify(r.contentId)} textureId=${String(r.textureId)} classId=${String(r.classId)}`);
    }
  });
}

/** The partner rule of each factor of a probe set (SVOC semantics or the generic rule). */
export function partnerRules(probeSet: ProbeSet): { rules: PartnerRule[]; svoc: boolean } {
  const svoc = isSvocPairing(probeSet);
  if (svoc) {
    checkSvocRecords(probeSet);
    return { rules: [svocShapeRule(probeSet.records), svocTextureRule(probeSet.records)], svoc };
  }
  const values = factorValues(probeSet);
  return { rules: probeSet.factors.map((_, k) => factorRule(values, k)), svoc };
}

/**
 * Draws the pairs of docs/method.md: for each factor k, pairs (a, b) that share factor k and differ in
 * the others, as row indices into the records.
 *
 * - SVOC ({@link isSvocPairing}): shape pair = same contentId, b's textureId uniform among the
 *   other textures present for that content; texture pair = same textureId, b's classId uniform
 *   among the other classes with that texture, then b uniform among those images.
 * - Otherwise, for K factors: b uniform among the records sharing a's value of k and differing
 *   from a in every other factor.
 *
 * Anchors: every record that has a valid partner, in record order (default), or
 * `pairsPerFactor` of them drawn without replacement (then sorted). Records without a valid
 * partner are counted in `unpairable`; a factor where no record has one is an error.
 * The pairs depend only on (records, factors, seed, pairsPerFactor): one generator is seeded
 * with `seed` and forked once per factor, in factor order.
 *
 * `pairing: 'reference'` draws the reference implementation's pairs instead (see
 * {@link sampleReferencePairs}); `pairsPerFactor` does not apply to it.
 */
export function samplePairs(probeSet: ProbeSet, options: SamplePairsOptions = {}): Pairs {
  const seed = options.seed ?? BIAS_DEFAULTS.seed;
  if (!Number.isInteger(seed)) throw new RangeError(`samplePairs: seed must be an integer, got ${seed}`);
  const pairing = options.pairing ?? BIAS_DEFAULTS.pairing;
  if (pairing !== 'balanced' && pairing !== 'reference') throw new RangeError(`samplePairs: pairing must be balanced or reference, got ${JSON.stringify(pairing)}`);
  if (pairing === 'reference') {
    if (options.pairsPerFactor !== undefined) throw new RangeError('samplePairs: pairsPerFactor does not apply to the reference pairing (one pair per record)');
    checkSetShape(probeSet);
    return sampleReferencePairs(probeSet, partnerRules(probeSet), seed);
  }
  const perFactor = options.pairsPerFactor ?? null;
  if (perFactor !== null && !(Number.isInteger(perFactor) && perFactor >= 1)) {
    throw new RangeError(`samplePairs: pairsPerFactor must be a positive integer, got ${perFactor}`);
  }
  checkSetShape(probeSet);
  const { records, factors } = probeSet;
  const { rules, svoc } = partnerRules(probeSet);

  const rng = createRng(seed);
  const as: number[][] = [], bs: number[][] = [];
  const unpairable: number[] = [];
  for (let k = 0; k < factors.length; k++) {
    const frng = rng.fork();
    const rule = rules[k]!;
    // A dry draw decides pairability; it uses its own generator so pairability checks never
    // shift the draws of the real partners.
    const probe = createRng(0);
    const pool: number[] = [];
    for (let i = 0; i < records.length; i++) if (rule.pick(i, probe) >= 0) pool.push(i);
    unpairable.push(records.length - pool.length);
    if (pool.length === 0) {
      throw new ProbeSetError(`samplePairs: factor '${factors[k]}' cannot be paired in the probe set at ${probeSet.root}: no record has a valid partner (${rule.why}; ${describeValues(probeSet, k, svoc)})`);
    }
    let anchors = pool;
    if (perFactor !== null) {
      if (perFactor > pool.length) {
        throw new RangeError(`samplePairs: pairsPerFactor = ${perFactor} but factor '${factors[k]}' has only ${pool.length} records that can anchor a pair`);
      }
      const drawn = frng.fork();
      // Partial Fisher–Yates: the first perFactor entries are a uniform draw without replacement.
      anchors = pool.slice();
      for (let i = 0; i < perFactor; i++) {
        const j = i + drawn.int(anchors.length - i);
        const t = anchors[i]!; anchors[i] = anchors[j]!; anchors[j] = t;
      }
      anchors = anchors.slice(0, perFactor).sort((x, y) => x - y);
    }
    as.push(anchors);
    bs.push(anchors.map((i) => rule.pick(i, frng)));
  }

  const P = as.reduce((s, x) => s + x.length, 0);
  const a = new Int32Array(P), b = new Int32Array(P), factor = new Int32Array(P);
  let p = 0;
  as.forEach((anchors, k) => {
    anchors.forEach((i, j) => { a[p] = i; b[p] = bs[k]![j]!; factor[p] = k; p++; });
  });
  return {
    factors: factors.slice(), a, b, factor, counts: as.map((x) => x.length), unpairable,
    rows: records.length, rule: svoc ? 'svoc' : 'factors', seed, pairsPerFactor: perFactor, pairing: 'balanced',
  };
}

function checkSetShape(probeSet: ProbeSet): void {
  const { records, factors } = probeSet;
  if (!Array.isArray(records) || records.length < 2) {
    throw new ProbeSetError(`samplePairs: the probe set at ${probeSet.root} needs at least 2 records, got ${records?.length ?? 0}`);
  }
  if (!Array.isArray(factors) || factors.length < 1) {
    throw new ProbeSetError(`samplePairs: the probe set at ${probeSet.root} names no factors`);
  }
}

/** A short account of the values present, so an unpairable-factor error says why. */
export function describeValues(probeSet: ProbeSet, k: number, svoc: boolean): string {
  const count = (f: (i: number) => string): number => new Set(probeSet.records.map((_, i) => f(i))).size;
  const r = probeSet.records;
  if (svoc) {
    return k === 0
      ? `${count((i) => String(r[i]!.textureId))} distinct textureId over ${count((i) => r[i]!.contentId)} contents`
      : `${count((i) => String(r[i]!.classId))} distinct classId over ${count((i) => String(r[i]!.textureId))} textures`;
  }
  return probeSet.factors
    .map((f) => `${count((i) => String(r[i]!.factors[f]))} distinct '${f}'`)
    .join(', ');
}
