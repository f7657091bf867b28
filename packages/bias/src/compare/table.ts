/**
 * The ablation tables of `bias-score compare`: pure functions from the runs' results and
 * analyses to one table per (tap, estimator), in the form of the thesis's Tables 6.x (run;
 * Phase 1+2 shape r, texture r, Score; Phase 3 shape r, texture r, Score).
 */
import type { PhaseCorrelation } from '../dynamics/types.js';
import { firstSeen } from '../report/specs.js';
import { isEstimateRecord, type ResultRecord } from '../types.js';
import type { ComparedRun, CompareRow, CompareTable, Comparison, PhaseFigures } from './types.js';

function figures(c: PhaseCorrelation | undefined): PhaseFigures | null {
  if (!c) return null;
  return { shapeR: c.shapeR, textureR: c.textureR, score: c.score, n: c.n, startEpoch: c.startEpoch, endEpoch: c.endEpoch };
}


/** The row of one run for one (tap, method); N/A with a note where the run cannot give it. */
export function compareRow(run: ComparedRun, tap: string, method: ResultRecord['method']): CompareRow {
  if (method === 'decision') return cueCompareRow(run);
  const base = { run: run.label, dir: run.dir };
  const a = run.analysis;
  const boundaries = a?.phases ? ([...a.phases.boundaries] as [number, number]) : null;
  if (!run.records.some((r) => r.tap === tap && r.method === method)) {
    return { ...base, boundaries, early: null, late: null, note: `tap ${tap} was not scored with ${method}` };
  }
  if (!a) return { ...base, boundaries, early: null, late: null, note: 'scored without --errors: no learning-dynamics analysis' };
  const g = a.groups.find((x) => x.tap === tap && x.method === method);
  if (!g) return { ...base, boundaries, early: null, late: null, note: 'no checkpoint on the error curve' };
  const row: CompareRow = {
    ...base,
    boundaries,
    early: figures(g.correlations.find((c) => c.phase === '1+2')),
    late: figures(g.correlations.find((c) => c.phase === '3')),
  };
  if (!a.phases) row.note = 'no phase split on the error curve';
  return row;
}

/**
 * One table per (tap, method) present in any run, taps in the order the runs scored them;
 * each table has one row per run, in the order given.
 */
export function compareTables(runs: readonly ComparedRun[]): CompareTable[] {
  const estimates = runs.flatMap((r) => r.records.filter(isEstimateRecord));
  const taps = firstSeen(estimates.map((x) => x.tap));
  const methods = firstSeen(estimates.map((x) => x.method));
  const tables: CompareTable[] = [];
  // the decision-level shape bias: one more table, tap `logits`, method `decision`
  if (runs.some((r) => r.records.some((x) => x.cue))) tables.push({ tap: 'logits', method: 'decision', rows: runs.map(cueCompareRow) });
  for (const tap of taps) {
    for (const method of methods) {
      if (!runs.some((r) => r.records.some((x) => x.tap === tap && x.method === method))) continue;
      tables.push({ tap, method, rows: runs.map((r) => compareRow(r, tap, method)) });
    }
  }
  return tables;
}

/** The whole comparison: a summary of each run and the tables. */
export function compareData(runs: readonly ComparedRun[]): Comparison {
  return {
    runs: runs.map((r) => ({
      label: r.label,
      dir: r.dir,
      checkpoints: new Set(r.records.map((x) => x.checkpoint)).size,
      taps: firstSeen(r.records.map((x) => x.tap)),
      methods: firstSeen(r.records.map((x) => x.method)),
      errors: typeof r.info.options.errors === 'string' ? r.info.options.errors : null,
      phaseMethod: r.analysis?.options.method ?? null,
      boundaries: r.analysis?.phases ? ([...r.analysis.phases.boundaries] as [number, number]) : null,
      status: r.info.killed ? 'interrupted (its process was killed)' : r.info.status,
    })),
    tables: compareTables(runs),
  };
}

/**
 * The decision-level row of a run: r between its test error and its cue shape bias over Phase
 * 1+2 and Phase 3 (`shapeR`; `textureR` = r against 1 − shape bias; Score = |r|).
 */
export function cueCompareRow(run: ComparedRun): CompareRow {
  const base = { run: run.label, dir: run.dir };
  const a = run.analysis;
  const boundaries = a?.phases ? ([...a.phases.boundaries] as [number, number]) : null;
  if (!run.records.some((r) => r.cue)) return { ...base, boundaries, early: null, late: null, note: 'scored without --cue-conflict' };
  if (!a) return { ...base, boundaries, early: null, late: null, note: 'scored without --errors: no learning-dynamics analysis' };
  if (!a.cue) return { ...base, boundaries, early: null, late: null, note: 'no decision-level analysis in phases.json' };
  const row: CompareRow = {
    ...base,
    boundaries,
    early: figures(a.cue.correlations.find((c) => c.phase === '1+2')),
    late: figures(a.cue.correlations.find((c) => c.phase === '3')),
  };
  if (!a.phases) row.note = 'no phase split on the error curve';
  return row;
}
