import type { CueSummary } from './cue/score.js';

/**
 * One line of `results.jsonl`: the estimate of one (checkpoint, tap, method). Arrays of length
 * K+1 hold the factors in the probe set's order, then the residual. With `--cue-conflict`, every
 * line of a checkpoint carries its decision-level summary in `cue`; a run with `--cue-conflict`
 * and no `--probe` writes one line per checkpoint with `tap: 'logits'`, `method: 'decision'`,
 * no factors and empty estimate arrays ({@link isEstimateRecord} tells them apart).
 */
export interface ResultRecord {
  /** Epoch per SPEC §6, or null when the checkpoint has none. */
  epoch: number | null;
  /** Checkpoint path relative to the checkpoints root given on the command line. */
  checkpoint: string;
  tap: string;
  method: 'per-neuron' | 'pooled' | 'decision';
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
  /** The checkpoint's decision-level shape bias on the cue-conflict set, when one was given. */
  cue?: CueSummary;
}

/** A representational estimate (not a decision-only line). */
export function isEstimateRecord(r: ResultRecord): boolean {
  return r.method !== 'decision';
}
