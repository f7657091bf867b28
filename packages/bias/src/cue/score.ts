/**
 * The decision-level shape bias (Geirhos et al., ICLR 2019) of one checkpoint: over the
 * cue-conflict images whose shape and texture categories differ and are both in the class map,
 *
 *   shape bias = shape decisions / (shape decisions + texture decisions),
 *   shape accuracy = shape decisions / images, texture accuracy = texture decisions / images.
 *
 * Images with shape = texture are kept in the set but left out (as the authors do), and so are
 * images a category of which the map does not cover (counted in `unmapped`). Note: the
 * model-vs-human toolbox divides its "fraction correct shape/texture" by every image, the
 * same-category ones included; the bias is the same either way. The interval is a percentile
 * bootstrap over images (seeded; 2.5 and 97.5 percentiles of the resampled bias).
 */
import { createRng } from '@shapetex/core';
import { percentile } from '../estimate/bootstrap.js';
import type { ClassMap } from './class-map.js';
import type { CueSummary } from '../types.js';
import { BIAS_DEFAULTS } from '../defaults.js';

export type { CueSummary };

/** One checkpoint's decisions: the summary, and per image the decided category's name. */
export interface CueCheckpoint {
  summary: CueSummary;
  /** Category decided for each image of the set, in the set's order. */
  responses: string[];
  /** Head size K read from the logits. */
  numClasses: number;
}

export interface CueImageCategories {
  shape: string;
  texture: string;
}


/** What each image counts as: 0 shape decision, 1 texture decision, 2 other, −1 left out. */
export function cueOutcomes(images: readonly CueImageCategories[], decisions: Int32Array, map: ClassMap): Int8Array {
  if (decisions.length !== images.length) throw new RangeError(`cue-conflict: ${decisions.length} decisions for ${images.length} images`);
  const index = new Map(map.categories.map((c, i) => [c, i]));
  const out = new Int8Array(images.length);
  images.forEach((im, n) => {
    const s = index.get(im.shape);
    const t = index.get(im.texture);
    if (im.shape === im.texture || s === undefined || t === undefined) out[n] = -1;
    else out[n] = decisions[n] === s ? 0 : decisions[n] === t ? 1 : 2;
  });
  return out;
}

function biasOf(shape: number, texture: number): number | null {
  return shape + texture > 0 ? shape / (shape + texture) : null;
}

/** The summary of {@link cueOutcomes}, with a `B`-resample bootstrap (B = 0: no interval). */
export function cueSummary(
  images: readonly CueImageCategories[],
  decisions: Int32Array,
  map: ClassMap,
  opts: { bootstrap?: number; seed?: number } = {},
): CueSummary {
  const outcome = cueOutcomes(images, decisions, map);
  const mapped = new Set(map.categories);
  let shape = 0, texture = 0, other = 0, same = 0, unmapped = 0;
  const entering: number[] = [];
  outcome.forEach((o, n) => {
    if (o === -1) {
      if (images[n]!.shape === images[n]!.texture) same++;
      else if (!mapped.has(images[n]!.shape) || !mapped.has(images[n]!.texture)) unmapped++;
      return;
    }
    entering.push(o);
    if (o === 0) shape++;
    else if (o === 1) texture++;
    else other++;
  });
  const n = entering.length;
  const B = opts.bootstrap ?? BIAS_DEFAULTS.bootstrap;
  const seed = opts.seed ?? BIAS_DEFAULTS.seed;
  let ci: CueSummary['ci'] = null;
  if (B > 0 && shape + texture > 0) {
    const rng = createRng(seed);
    const samples = new Float64Array(B);
    let kept = 0;
    for (let b = 0; b < B; b++) {
      let s = 0, t = 0;
      for (let i = 0; i < n; i++) {
        const o = entering[rng.int(n)]!;
        if (o === 0) s++;
        else if (o === 1) t++;
      }
      // a resample without any cue decision has no bias; it is left out of the percentiles
      const v = biasOf(s, t);
      if (v !== null) samples[kept++] = v;
    }
    const sorted = samples.subarray(0, kept).sort();
    ci = { low: percentile(sorted, 0.025), high: percentile(sorted, 0.975), B, seed };
  }
  return {
    classMap: map.name,
    shapeBias: biasOf(shape, texture),
    shapeAccuracy: n > 0 ? shape / n : null,
    textureAccuracy: n > 0 ? texture / n : null,
    shapeDecisions: shape, textureDecisions: texture, otherDecisions: other,
    images: n, sameCategory: same, unmapped, ci,
  };
}
