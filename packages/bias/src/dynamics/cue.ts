/**
 * The decision-level shape bias in the learning-dynamics analysis:
 *
 * - per phase, Pearson r between the test error and the (smoothed) cue shape bias, with the
 *   same phases, smoothing and N/A rules as the representational biases. The decision-level
 *   texture bias is 1 − shape bias (the other share of the cue decisions), so its r is −r and
 *   Score = |r|;
 * - per (tap, method), Pearson r over epochs between the cue shape bias and the shape dimension
 *   fraction (unsmoothed, every checkpoint with an epoch and a defined cue bias): does the
 *   decision follow the representation?
 */
import { phaseCorrelations, pearsonOrNull } from './correlate.js';
import type { PhaseCorrelation, PhaseSplit } from './types.js';
import { isEstimateRecord, type ResultRecord } from '../types.js';
import { cueByCheckpoint } from '../cue/records.js';

export interface CueDynamics {
  classMap: string;
  /** Checkpoints on the error curve with a defined cue shape bias, by ascending epoch. */
  epochs: number[];
  checkpoints: string[];
  errors: number[];
  shapeBias: number[];
  /** `shapeR` = r(error, cue shape bias); `textureR` = r(error, 1 − cue shape bias). */
  correlations: PhaseCorrelation[];
  /** r over epochs between cue shape bias and the shape fraction, per (tap, method). */
  versusShapeFraction: { tap: string; method: ResultRecord['method']; n: number; r: number | null }[];
}

/** Epoch → cue shape bias for the checkpoints that have both (first checkpoint of an epoch wins). */
function cueSeries(records: readonly ResultRecord[]): Map<number, { checkpoint: string; bias: number }> {
  const out = new Map<number, { checkpoint: string; bias: number }>();
  for (const c of cueByCheckpoint(records)) {
    if (c.epoch === null || c.cue.shapeBias === null || out.has(c.epoch)) continue;
    out.set(c.epoch, { checkpoint: c.checkpoint, bias: c.cue.shapeBias });
  }
  return out;
}

/** r over epochs between the cue shape bias and each (tap, method)'s shape fraction. */
export function cueVersusShapeFraction(records: readonly ResultRecord[], shapeFactor = 'shape'): CueDynamics['versusShapeFraction'] {
  const cue = cueSeries(records);
  const groups = new Map<string, { tap: string; method: ResultRecord['method']; x: number[]; y: number[]; seen: Set<number> }>();
  for (const r of records) {
    if (!isEstimateRecord(r) || r.epoch === null) continue;
    const c = cue.get(r.epoch);
    const i = r.factors.indexOf(shapeFactor);
    if (!c || i < 0) continue;
    const key = `${r.tap}\u0000${r.method}`;
    const g = groups.get(key) ?? { tap: r.tap, method: r.method, x: [], y: [], seen: new Set<number>() };
    if (g.seen.has(r.epoch)) continue;
    g.seen.add(r.epoch);
    g.x.push(c.bias);
    g.y.push(r.fractions[i]!);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ tap: g.tap, method: g.method, n: g.x.length, r: pearsonOrNull(g.x, g.y) }));
}

/** The cue part of the analysis; null when no checkpoint has a cue summary. */
export function analyzeCueDynamics(
  records: readonly ResultRecord[],
  curve: { epochs: readonly number[]; errors: readonly number[] },
  phases: PhaseSplit | null,
  smooth: number,
): CueDynamics | null {
  const first = records.find((r) => r.cue);
  if (!first) return null;
  const series = cueSeries(records);
  const errorAt = new Map(curve.epochs.map((e, i) => [e, curve.errors[i]!]));
  const epochs = [...series.keys()].filter((e) => errorAt.has(e)).sort((a, b) => a - b);
  const shapeBias = epochs.map((e) => series.get(e)!.bias);
  const errors = epochs.map((e) => errorAt.get(e)!);
  return {
    classMap: first.cue!.classMap,
    epochs,
    checkpoints: epochs.map((e) => series.get(e)!.checkpoint),
    errors,
    shapeBias,
    correlations: phaseCorrelations(errors, shapeBias, shapeBias.map((b) => 1 - b), phases, { epochs, smooth }),
    versusShapeFraction: cueVersusShapeFraction(records),
  };
}
