/**
 * The decisions of one checkpoint on a cue-conflict set: every prepared image forwarded once
 * with the reserved output `logits`, the logits mapped to the set's categories, the summary
 * computed. The cue images are prepared once per run, like the probe set.
 */
import { CheckpointError, extractFeatures, LOGITS } from '@shapetex/core';
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


/**
 * Row-major N×K logits of every prepared image, through core's extraction like the probe's
 * features (the same batches and checks: K read from the rows, the same in every batch). A model
 * that does not say whether it has logits is asked for them; one that says it has none is refused.
 */
export async function forwardLogits(model: ScoringModel, prepared: PreparedProbe): Promise<{ K: number; logits: Float32Array }> {
  if (model.hasLogits === false) throw new CheckpointError(null, `${model.arch}: the cue-conflict decisions need the classifier's output: ${model.noLogitsReason ?? 'this model has none'}`);
  const { [LOGITS]: out } = await extractFeatures({ arch: model.arch, taps: model.taps, features: (x, taps) => model.features(x, taps), hasLogits: true }, prepared.batches(), { taps: [LOGITS] });
  return { K: out!.D, logits: out!.data };
}

export async function scoreCue(model: ScoringModel, cue: CueRun): Promise<CueCheckpoint> {
  const { K, logits } = await forwardLogits(model, cue.prepared);
  const map = classMapFor(cue.classMap, K, model.arch);
  const decisions = decideCategories(logits, K, map);
  const summary = cueSummary(cue.set.images, decisions, map, { bootstrap: cue.bootstrap, seed: cue.seed });
  return { summary, responses: Array.from(decisions, (d) => map.categories[d]!), numClasses: K };
}
