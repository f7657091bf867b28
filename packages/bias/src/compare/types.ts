import type { DynamicsAnalysis } from '../dynamics/analyze.js';
import type { RunInfo } from '../score/outputs.js';
import type { ResultRecord } from '../types.js';

/** One `bias-score` output folder, as `compare` reads it. */
export interface ComparedRun {
  /** Name of the run in tables and legends. */
  label: string;
  /** Absolute path of the output folder. */
  dir: string;
  info: RunInfo;
  records: ResultRecord[];
  /** The run's `phases.json`; null when it was scored without `--errors`. */
  analysis: DynamicsAnalysis | null;
}

/** Pearson r of error against each bias over one phase, and Score; null = N/A (docs/method.md). */
export interface PhaseFigures {
  shapeR: number | null;
  textureR: number | null;
  score: number | null;
  /** Checkpoints in the phase. */
  n: number;
  startEpoch: number | null;
  endEpoch: number | null;
}

/** One run's line of an ablation table. */
export interface CompareRow {
  run: string;
  dir: string;
  /** Phase boundaries of the run's error curve (epochs); null when it has no split or no analysis. */
  boundaries: [number, number] | null;
  /** Phase 1+2 and Phase 3; null when the run cannot have them (see `note`). */
  early: PhaseFigures | null;
  late: PhaseFigures | null;
  /** Why the row is N/A, when it is. */
  note?: string;
}

/** The thesis's ablation table for one (tap, estimator): one row per run. */
export interface CompareTable {
  tap: string;
  method: ResultRecord['method'];
  rows: CompareRow[];
}

/** What `compare.json` holds. */
export interface Comparison {
  runs: {
    label: string;
    dir: string;
    checkpoints: number;
    taps: string[];
    methods: ResultRecord['method'][];
    errors: string | null;
    phaseMethod: string | null;
    boundaries: [number, number] | null;
    /** run.json's status as read (a killed run reads as `interrupted`). */
    status: string;
  }[];
  tables: CompareTable[];
}
