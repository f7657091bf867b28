/**
 * The learning-dynamics driver: joins scoring results with a test-error curve, splits the
 * curve into phases and correlates error with the biases per (tap, method). Its result is what
 * `phases.json` holds and what the report and plots are drawn from.
 */
import { BIAS_DEFAULTS } from '../defaults.js';
import type { ResultRecord } from '../types.js';
import type { CueDynamics } from './cue.js';
import { phaseCorrelations } from './correlate.js';
import { splitPhases } from './phases.js';
import { movingAverage } from './smooth.js';
import type { ErrorCurve, PhaseCorrelation, PhaseMethod, PhaseSplit } from './types.js';
import { AnalysisError } from './errors.js';

export interface AnalyzeOptions {
  /** Phase split method (default `threshold`). */
  method?: PhaseMethod;
  /** threshold: lag w (default 5) and θ in percentage points (default 0.1). */
  window?: number;
  theta?: number;
  /**
   * Moving-average window of docs/method.md (default 5): used on the biases before correlating, and
   * on the error curve for the `extrema` split and for the smoothed curve in plots.
   */
  smooth?: number;
  /** Moving-average window applied before a `threshold` split (default 1: the raw curve). */
  splitSmooth?: number;
  /** Factor names taken as the shape and texture biases (default `shape`, `texture`). */
  shapeFactor?: string;
  textureFactor?: string;
}

/** One (tap, method): the checkpoints whose epoch is also on the error curve, and their r's. */
export interface DynamicsGroup {
  tap: string;
  method: ResultRecord['method'];
  factors: string[];
  /** Aligned series, by ascending epoch. */
  epochs: number[];
  checkpoints: string[];
  errors: number[];
  /** Shape and texture fractions (unrounded), as measured; smoothing happens when correlating. */
  shape: number[];
  texture: number[];
  /** Bootstrap intervals of the two fractions, where every aligned record has them. */
  ci?: { shape: [number, number][]; texture: [number, number][] };
  /** Epochs on one side of the join only. */
  missing: { inErrors: number[]; inRecords: number[] };
  /** Checkpoints left out because an earlier checkpoint of the group has the same epoch. */
  duplicates: string[];
  correlations: PhaseCorrelation[];
}

export interface DynamicsAnalysis {
  /** The whole error curve (percent) and its moving average, for plots and phases. */
  curve: { source?: string; column?: string; epochs: number[]; errors: number[]; smoothed: number[] };
  options: { method: PhaseMethod; window: number; theta: number; smooth: number; splitSmooth: number };
  /** How the 95% intervals of the correlations were made (what the report states). */
  intervals: typeof INTERVALS;
  /** Split of the whole error curve, boundaries in epochs; null when there is none. */
  phases: PhaseSplit | null;
  groups: DynamicsGroup[];
  /** Checkpoints with no epoch: they cannot be placed on the curve. */
  noEpoch: string[];
  /** The decision-level shape bias against the error curve, when a cue-conflict set was scored. */
  cue?: CueDynamics;
}

/**
 * Splits the whole error curve (every epoch of the CSV) into phases, then for each (tap,
 * method) takes the checkpoints whose epoch the curve also has and computes
 * {@link phaseCorrelations} over them, a phase holding the checkpoints whose epoch lies within
 * its boundaries. Epochs present on one side only are listed in `missing`, never an error; a
 * curve without a split gives N/A everywhere.
 */
export function analyzeDynamics(records: readonly ResultRecord[], curve: ErrorCurve, opts: AnalyzeOptions = {}): DynamicsAnalysis {
  const d = BIAS_DEFAULTS;
  const options = {
    method: opts.method ?? d.phaseMethod,
    window: opts.window ?? d.window,
    theta: opts.theta ?? d.theta,
    smooth: opts.smooth ?? d.smooth,
    splitSmooth: opts.splitSmooth ?? d.splitSmooth,
  } satisfies DynamicsAnalysis['options'];
  const phases = splitPhases(curve.errors, {
    method: options.method,
    epochs: curve.epochs,
    window: options.window,
    theta: options.theta,
    smooth: options.method === 'extrema' ? options.smooth : options.splitSmooth,
  });
  const { noEpoch, byGroup } = groupByTapAndMethod(records);
  const names = { shape: opts.shapeFactor ?? 'shape', texture: opts.textureFactor ?? 'texture' };
  const groups = [...byGroup.values()].map((list) => analyzeGroup(list, curve, phases, names, options.smooth));
  return {
    curve: {
      ...(curve.source !== undefined ? { source: curve.source } : {}),
      ...(curve.column !== undefined ? { column: curve.column } : {}),
      epochs: curve.epochs.slice(),
      errors: curve.errors.slice(),
      smoothed: movingAverage(curve.errors, options.smooth),
    },
    options,
    intervals: INTERVALS,
    phases,
    groups,
    noEpoch,
  };
}

/** The records with an epoch by (tap, method), in first-seen order; the checkpoints without one. */
function groupByTapAndMethod(records: readonly ResultRecord[]): { noEpoch: string[]; byGroup: Map<string, ResultRecord[]> } {
  const noEpoch: string[] = [];
  const byGroup = new Map<string, ResultRecord[]>();
  for (const r of records) {
    if (r.epoch === null || r.epoch === undefined) {
      if (!noEpoch.includes(r.checkpoint)) noEpoch.push(r.checkpoint);
      continue;
    }
    const key = `${r.tap}\u0000${r.method}`;
    const list = byGroup.get(key) ?? [];
    list.push(r);
    byGroup.set(key, list);
  }
  return { noEpoch, byGroup };
}

/**
 * One (tap, method): its checkpoints by epoch (the first of equal epochs kept), joined with the
 * error curve, and the phase correlations of the aligned series.
 */
function analyzeGroup(
  list: ResultRecord[],
  curve: ErrorCurve,
  phases: PhaseSplit | null,
  names: { shape: string; texture: string },
  smooth: number,
): DynamicsGroup {
  const errorAt = new Map(curve.epochs.map((e, i) => [e, curve.errors[i]]));
  const first = list[0];
  const si = factorIndex(first, names.shape);
  const ti = factorIndex(first, names.texture);
  // stable sort keeps the caller's order (scoring's epoch-then-name order) among equal epochs
  const sorted = list.slice().sort((a, b) => (a.epoch as number) - (b.epoch as number));
  const duplicates: string[] = [];
  const kept: ResultRecord[] = [];
  for (const r of sorted) {
    if (kept.length && kept[kept.length - 1].epoch === r.epoch) duplicates.push(r.checkpoint);
    else kept.push(r);
  }
  const aligned = kept.filter((r) => errorAt.has(r.epoch as number));
  const recordEpochs = new Set(kept.map((r) => r.epoch as number));
  const epochs = aligned.map((r) => r.epoch as number);
  const errors = epochs.map((e) => errorAt.get(e) as number);
  const shape = aligned.map((r) => fraction(r, si, names.shape));
  const texture = aligned.map((r) => fraction(r, ti, names.texture));
  const withCi = aligned.length > 0 && aligned.every((r) => r.ci);
  return {
    tap: first.tap,
    method: first.method,
    factors: first.factors,
    epochs,
    checkpoints: aligned.map((r) => r.checkpoint),
    errors,
    shape,
    texture,
    ...(withCi
      ? {
          ci: {
            shape: aligned.map((r) => [r.ci!.low[si], r.ci!.high[si]] as [number, number]),
            texture: aligned.map((r) => [r.ci!.low[ti], r.ci!.high[ti]] as [number, number]),
          },
        }
      : {}),
    missing: {
      inErrors: kept.filter((r) => !errorAt.has(r.epoch as number)).map((r) => r.epoch as number),
      inRecords: curve.epochs.filter((e) => !recordEpochs.has(e)),
    },
    duplicates,
    correlations: phaseCorrelations(errors, shape, texture, phases, {
      epochs,
      smooth,
      ...(withCi ? { ciWidth: ciWidths(aligned, si, ti) } : {}),
    }),
  };
}

/** The interval methods of {@link phaseCorrelations} with its defaults, as phases.json states them. */
export const INTERVALS = {
  level: 0.95,
  r: 'Fisher z over the phase\'s epochs: tanh(atanh(r) ± 1.959964/√(n − 3))',
  score: `percentile bootstrap over the phase's epochs (${BIAS_DEFAULTS.scoreResamples} resamples of the (error, shape, texture) triples, seed ${BIAS_DEFAULTS.seed})`,
  noise: 'range of the smoothed bias over the phase < mean width of its bootstrap interval (0.01 without --bootstrap)',
} as const;

/** Bootstrap interval width of the shape and texture fraction at each aligned record. */
function ciWidths(aligned: readonly ResultRecord[], si: number, ti: number): { shape: number[]; texture: number[] } {
  return {
    shape: aligned.map((r) => r.ci!.high[si] - r.ci!.low[si]),
    texture: aligned.map((r) => r.ci!.high[ti] - r.ci!.low[ti]),
  };
}

function factorIndex(r: ResultRecord, name: string): number {
  const i = r.factors.indexOf(name);
  if (i < 0) {
    throw new AnalysisError(
      `learning dynamics: checkpoint ${r.checkpoint} (tap ${r.tap}, ${r.method}) has no factor '${name}'; factors: ${r.factors.join(', ')}`,
    );
  }
  return i;
}

function fraction(r: ResultRecord, i: number, name: string): number {
  const v = r.fractions?.[i];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new AnalysisError(`learning dynamics: checkpoint ${r.checkpoint} (tap ${r.tap}, ${r.method}) has ${name} fraction ${String(v)}, expected a finite number`);
  }
  return v;
}
