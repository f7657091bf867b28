/** bias's own error classes below the analysis (AnalysisError lives with it in dynamics/errors.ts). */
import { UsageError } from '@shapetex/core';

/**
 * The features of one checkpoint cannot give an estimate: a factor with fewer than two pairs (no
 * correlation exists), a feature that is not finite, or sums that overflow float64. It is the
 * data's fault, not the caller's, so `bias-score` records it for that checkpoint in errors.jsonl
 * and goes on with the next one (exit 1 at the end). Bad option values are RangeErrors instead.
 */
export class EstimateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EstimateError';
  }
}

/**
 * A file of an existing `bias-score` output folder cannot be read as that file: a run.json,
 * results.jsonl line, `cue` field or phases.json that is not what this version writes, or
 * records of one folder whose factors disagree. The message names the file (and line or field).
 * It is found before any work on that folder starts (resuming, `merge`, `compare`, `report`),
 * so it is a usage error: exit 2, and nothing in the folder is changed.
 */
export class OutputFolderError extends UsageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OutputFolderError';
  }
}
