import type { EstimatorMethod } from './estimate/types.js';

/**
 * One line of `results.jsonl` (docs/formats.md): the estimate of one (checkpoint, tap, method).
 * Arrays of length K+1 hold the factors in the probe set's order, then the residual. With
 * `--cue-conflict`, every line of a checkpoint carries its decision-level summary in `cue`; a run
 * with `--cue-conflict` and no `--probe` writes one line per checkpoint with `tap: 'logits'`,
 * `method: 'decision'`, no factors and empty estimate arrays ({@link isEstimateRecord} tells them
 * apart).
 */
export interface ResultRecord {
  /** Epoch per docs/formats.md, or null when the checkpoint has none. */
  epoch: number | null;
  /** Checkpoint path relative to the checkpoints root given on the command line. */
  checkpoint: string;
  tap: string;
  method: EstimatorMethod | 'decision';
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

/** A checkpoint's decision-level summary on a cue-conflict set (`cue` of a results line). */
export interface CueSummary {
  /** The class map's name (or file). */
  classMap: string;
  /** Null when no image got a shape or texture decision. */
  shapeBias: number | null;
  shapeAccuracy: number | null;
  textureAccuracy: number | null;
  shapeDecisions: number;
  textureDecisions: number;
  /** Decisions for neither cue. */
  otherDecisions: number;
  /** Images that enter: shape ≠ texture, both categories mapped. */
  images: number;
  /** Images left out because shape = texture. */
  sameCategory: number;
  /** Images left out because the map has no class for their shape or texture category. */
  unmapped: number;
  /** Bootstrap interval of the shape bias; null when it is undefined. */
  ci: { low: number; high: number; B: number; seed: number } | null;
}
