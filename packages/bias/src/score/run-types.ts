/**
 * The options and the summary of `runBiasScore` (`bias-score` as a function): what a caller
 * passes and gets back, apart from the code that runs it.
 */
import type { OnnxDevice } from '@shapetex/core';
import type { PhaseMethod } from '../dynamics/types.js';
import type { AnalysisOutputs } from './analysis.js';
import type { RunInfo } from './outputs.js';
import type { Shard } from './shard.js';
import type { CheckpointFailure, RunFailure, ScoreOptions } from './types.js';

export interface RunOptions extends Omit<ScoreOptions, 'checkpoints' | 'probe' | 'skip' | 'shard'> {
  /** Checkpoint folder or file. */
  checkpoints: string;
  /** Probe-set folder; optional when `cueConflict` is given. */
  probe?: string;
  /** Cue-conflict set folder (published stimuli layout or `svoc cue-conflict` output). */
  cueConflict?: string;
  /** `imagenet16`, `cifar10-voc`, `voc` or a JSON file; default by the head's size. */
  classMap?: string;
  /** Output folder; default `./bias-score-out`. */
  out?: string;
  /** Test-error CSV for the learning-dynamics analysis. */
  errors?: string;
  /** Phase-split method of the analysis (docs/method.md); default `threshold`. */
  phaseMethod?: PhaseMethod;
  /** Centred moving-average window of the analysis; default 5. */
  smooth?: number;
  /** Draw the residual fraction in the bias plots too (default false). */
  plotResidual?: boolean;
  /** Compute backend; default `auto`. */
  backend?: string;
  /** ONNX Runtime device with backend `onnx` or `auto` (core's initBackend option); default cpu. */
  device?: OnnxDevice;
  /** ONNX Runtime threads per session (per worker); default 1. */
  threads?: number;
  /**
   * Worker threads for the forward passes (core's feature pool); default 1 = in this thread.
   * Ignored when `loadModel` is given.
   */
  workers?: number;
  shard?: Shard;
  /**
   * A probe folder without manifest holding images whose names do not parse is a
   * core `UsageError` instead of a warning; default false.
   */
  strictProbe?: boolean;
  /** Status lines (backend choice, resume, no-epoch checkpoints, skipped images, refused globals); default none. */
  log?: (line: string) => void;
  /** Stops the run after the checkpoint in progress; run.json then ends `interrupted`. */
  signal?: AbortSignal;
}

export interface RunSummary {
  out: string;
  version: string;
  backend: RunInfo['backend'];
  settingsHash: string;
  checkpoints: { found: number; inShard: number; scored: number; resumed: number; failed: number; noEpoch: string[] };
  /** Rows in results.jsonl after the run. */
  records: number;
  /** Checkpoint failures that stand: this run's and those of earlier runs not retried (other shards). */
  failures: CheckpointFailure[];
  /** This run's failures of its own inputs, analysis or plots. */
  runFailures: RunFailure[];
  analysis: AnalysisOutputs;
  /** The final status written to run.json. */
  status: 'complete' | 'failed' | 'interrupted';
  /** 0 success, 1 something failed (recorded in errors.jsonl), 130 stopped by a signal. */
  exitCode: 0 | 1 | 130;
  startTime: string;
  endTime: string;
}

