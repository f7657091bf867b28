/**
 * The graph shape of the families with one tap (VGG, DenseNet, MobileNetV2, EfficientNet): the
 * input to the `final` map, and an optional classifier on it, run only when `logits` is asked for.
 */
import { LOGITS } from '../types.js';
import type { ZooGraph } from './ops.js';
import type { GraphStep } from './staged.js';

export interface FinalGraphParts {
  /** The input image to the `final` map. */
  final: GraphStep;
  /** The classifier's logits (a vector) from the `final` map, when the checkpoint has one. */
  logits?: GraphStep;
}

export function finalGraph(p: FinalGraphParts): ZooGraph {
  return {
    forward(ops, { x }, wanted) {
      const out: Record<string, ReturnType<typeof ops.relu>> = {};
      const logits = wanted.includes(LOGITS) && p.logits !== undefined;
      if (!wanted.includes('final') && !logits) return out;
      const final = p.final(ops, x);
      if (wanted.includes('final')) out.final = final;
      if (logits) out[LOGITS] = p.logits!(ops, final);
      return out;
    },
  };
}
