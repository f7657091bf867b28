import type { EstimatorMethod } from './estimate/types.js';

/**
 * One line of `results.jsonl` (docs/formats.md): the estimate of one (checkpoint, tap, method).
 * Arrays of length K+1 hold the factors in the probe set's order, then the residual.
 */
export interface ResultRecord {
  /** Epoch per docs/formats.md, or null when the checkpoint has none. */
  epoch: number | null;
  /** Checkpoint path relative to the checkpoints root given on the command line. */
  checkpoint: string;
  tap: string;
  method: EstimatorMethod;
  /** Units in the tap. */
  D: number;
  /** Factor names, residual excluded (SVOC: `['shape', 'texture']`). */
  factors: string[];
  dims: number[];
  fractions: number[];
  scores: number[];
  percent: number[];
  deadUnits: number;
  /** Pairs used per factor (K numbers). */
  pairs: number[];
  /** Bootstrap 2.5 / 97.5 percentiles of each factor's fraction (K numbers each), when asked. */
  ci?: { low: number[]; high: number[] };
  /**
   * Globals the checkpoint names that were not decoded (kept inert, never run), e.g.
   * `posix.system`; present only when there are some.
   */
  refusedGlobals?: string[];
}
