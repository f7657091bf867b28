/**
 * The graph shape shared by the ResNet-like families (graph/ops.ts): a stem, four stages whose
 * outputs are the taps `stage1..stage4`, a `final` map derived from the last stage, and an
 * optional classifier on it. Only the stages the deepest requested output needs are run.
 */
import type { StateDict } from '../../io/types.js';
import { LOGITS } from '../types.js';
import { STAGE_TAPS } from '../staged.js';
import type { Ops, ZooGraph } from './ops.js';
import { linearWeights, type LinearWeights } from './weights.js';

/** One step of a graph: a value in, a value out, against any lowering. */
export type GraphStep = <V>(ops: Ops<V>, x: V) => V;

export interface StagedGraphParts {
  stem: GraphStep;
  stages: GraphStep[];
  /** The `final` map from the last stage's output. */
  final: GraphStep;
  /** The classifier's logits (a vector) from the `final` map, when the checkpoint has one. */
  logits?: GraphStep;
}

export function stagedGraph(p: StagedGraphParts): ZooGraph {
  const n = p.stages.length;
  return {
    forward(ops, { x }, wanted) {
      const out: Record<string, ReturnType<typeof ops.relu>> = {};
      const needsFinal = wanted.includes('final') || (wanted.includes(LOGITS) && p.logits !== undefined);
      const depth = needsFinal ? n : Math.max(0, ...wanted.map((t) => STAGE_TAPS.indexOf(t as (typeof STAGE_TAPS)[number]) + 1));
      if (depth === 0) return out;
      let h = p.stem(ops, x);
      for (let s = 0; s < depth; s++) {
        h = p.stages[s]!(ops, h);
        const name = STAGE_TAPS[s]!;
        if (wanted.includes(name)) out[name] = h;
      }
      if (!needsFinal) return out;
      const final = p.final(ops, h);
      if (wanted.includes('final')) out.final = final;
      if (p.logits && wanted.includes(LOGITS)) out[LOGITS] = p.logits(ops, final);
      return out;
    },
  };
}

/**
 * The Linear `${prefix}.weight` [out, in] (+ `${prefix}.bias` [out] when present), or a sentence
 * saying why it cannot be used (absent, wrong rank, input width not `inFeatures`): a checkpoint
 * may lack its classifier and still be scored.
 */
export function readLinearWeights(sd: StateDict, prefix: string, inFeatures?: number): LinearWeights | string {
  const wKey = `${prefix}.weight`;
  const w = sd.get(wKey);
  if (!w) return `the checkpoint has no classifier weights (${wKey})`;
  if (w.shape.length !== 2) return `${wKey} has shape [${w.shape.join(', ')}], expected [classes, ${inFeatures ?? 'features'}]`;
  const [O, I] = w.shape as [number, number];
  if (inFeatures !== undefined && I !== inFeatures) return `${wKey} has shape [${O}, ${I}], but the layer before it gives ${inFeatures} features`;
  const b = sd.get(`${prefix}.bias`);
  if (b && (b.shape.length !== 1 || b.shape[0] !== O)) return `${prefix}.bias has shape [${b.shape.join(', ')}], expected [${O}]`;
  return linearWeights('classifier', sd, wKey, b ? `${prefix}.bias` : null);
}

/** The Network fields a classifier (or the reason there is none) gives. */
export function headMeta(head: LinearWeights | string): { hasLogits: boolean; noLogitsReason?: string; numClasses?: number } {
  return typeof head === 'string' ? { hasLogits: false, noLogitsReason: head } : { hasLogits: true, numClasses: head.out };
}
