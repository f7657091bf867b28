/**
 * The decisions of one checkpoint on a cue-conflict set: every prepared image forwarded once
 * with the reserved output `logits`, the logits mapped to the set's categories, the summary
 * computed. The cue images are prepared once per run, like the probe set.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LOGITS } from '@shapetex/core';
import type { CueConflictSet } from '@shapetex/svoc';
import type { PreparedProbe } from './probe-cache.js';
import type { ScoringModel } from './types.js';
import { classMapFor, type ClassMap } from '../cue/class-map.js';
import { decideCategories } from '../cue/decide.js';
import { cueSummary, type CueCheckpoint, type CueSummary } from '../cue/score.js';

export type { CueCheckpoint };

export interface CueRun {
  set: CueConflictSet;
  /** The map named on the command line; undefined = the default for each head's size. */
  classMap?: ClassMap;
  prepared: PreparedProbe;
  bootstrap: number;
  seed: number;
}


/** Row-major N×K logits of every prepared image, K read from the first batch. */
export async function forwardLogits(model: ScoringModel, prepared: PreparedProbe): Promise<{ K: number; logits: Float32Array }> {
  if (model.hasLogits === false) throw new Error(`${model.arch}: the cue-conflict decisions need the classifier's output: ${model.noLogitsReason ?? 'this model has none'}`);
  let K = 0;
  let logits = new Float32Array(0);
  for await (const b of prepared.batches()) {
    const x = tf.tensor4d(b.data, b.shape);
    let rows: Float32Array | undefined;
    try {
      rows = (await model.features(x, [LOGITS]))[LOGITS];
    } finally {
      x.dispose();
    }
    const n = b.shape[0];
    if (!rows || rows.length === 0 || rows.length % n !== 0) throw new Error(`${model.arch}: logits returned ${rows?.length ?? 0} values for ${n} images`);
    if (K === 0) {
      K = rows.length / n;
      logits = new Float32Array(prepared.count * K);
    } else if (rows.length / n !== K) {
      throw new Error(`${model.arch}: logits have ${rows.length / n} classes in one batch and ${K} in another`);
    }
    logits.set(rows, b.start * K);
  }
  return { K, logits };
}

export async function scoreCue(model: ScoringModel, cue: CueRun): Promise<CueCheckpoint> {
  const { K, logits } = await forwardLogits(model, cue.prepared);
  const map = classMapFor(cue.classMap, K, model.arch);
  const decisions = decideCategories(logits, K, map);
  const summary = cueSummary(cue.set.images, decisions, map, { bootstrap: cue.bootstrap, seed: cue.seed });
  return { summary, responses: Array.from(decisions, (d) => map.categories[d]!), numClasses: K };
}
