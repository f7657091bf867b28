/**
 * Overlay plots of `bias-score compare`: the biases of one tap and the error curves of every
 * run on shared axes, each run's phase boundaries marked. Every run has one colour, the same in
 * every figure of the comparison (its position on the command line picks it). Pure: runs in,
 * Vega-Lite spec out.
 */
import type { TopLevelSpec } from 'vega-lite';
import { runScale } from '../report/palette.js';
import { EPOCH_X, FRAME, firstSeen } from '../report/specs.js';
import type { ResultRecord } from '../types.js';
import type { ComparedRun } from './types.js';

/**
 * The run colour encoding shared by every overlay: the scale holds every run, so a run keeps its
 * colour in every figure; the legend lists only the runs the figure draws.
 */
function runColour(runs: readonly ComparedRun[], shown: readonly string[]) {
  const labels = runs.map((r) => r.label);
  // swatches at full strength and width: the faded thin layer would otherwise set them
  const symbols = { update: { opacity: { value: 1 }, strokeWidth: { value: 2.5 } } };
  return { field: 'run', type: 'nominal', title: 'run', sort: labels, scale: runScale(labels), legend: { values: labels.filter((l) => shown.includes(l)), encode: { symbols } } };
}

/** One row per (run, boundary epoch) of the runs that have a phase split. */
export function boundaryRows(runs: readonly ComparedRun[]): { run: string; epoch: number; boundary: string }[] {
  return runs.flatMap((run) =>
    run.analysis?.phases ? run.analysis.phases.boundaries.map((epoch, i) => ({ run: run.label, epoch, boundary: `end of Phase ${i + 1}` })) : [],
  );
}

/**
 * Dashed vertical rules at the phase boundaries of each run the figure draws, in the run's colour. Each run's dashes
 * are offset so that runs sharing a boundary epoch alternate colours along one rule instead of
 * the last drawn hiding the others.
 */
function boundaryLayer(runs: readonly ComparedRun[], shown: readonly string[]): unknown[] {
  const rows = boundaryRows(runs);
  const dash = 6;
  const gap = dash * Math.max(1, runs.length - 1);
  return runs.flatMap((run, i) => {
    const values = rows.filter((r) => r.run === run.label);
    if (!values.length || !shown.includes(run.label)) return [];
    return [{
      data: { values },
      mark: { type: 'rule', strokeDash: [dash, gap], strokeDashOffset: -i * dash, strokeWidth: 1.5 },
      encoding: { x: EPOCH_X, color: runColour(runs, shown) },
    }];
  });
}

/** "dashed verticals: each run's phase boundaries" when any run has a split. */
function boundaryNote(runs: readonly ComparedRun[]): string[] {
  return boundaryRows(runs).length ? ["thin dashed verticals: each run's phase boundaries, in its colour"] : ['no run has a phase split'];
}

/**
 * The fractions of every factor of one (tap, method) of every run over epochs: colour = run,
 * dash = factor (in the probe set's order: shape solid, texture dashed, …), each run's phase
 * boundaries as rules in its colour.
 */
export function compareBiasSpec(runs: readonly ComparedRun[], tap: string, method: ResultRecord['method']): TopLevelSpec {
  const values: { epoch: number; run: string; bias: string; value: number }[] = [];
  for (const run of runs) {
    for (const r of run.records) {
      if (r.tap !== tap || r.method !== method || r.epoch === null) continue;
      r.factors.forEach((bias, i) => values.push({ epoch: r.epoch as number, run: run.label, bias, value: r.fractions[i]! }));
    }
  }
  values.sort((a, b) => a.epoch - b.epoch);
  const factors = firstSeen(values.map((v) => v.bias));
  const shown = firstSeen(values.map((v) => v.run));
  return {
    ...FRAME,
    title: { text: `Biases of every run (tap ${tap}, ${method})`, subtitle: ['colour: run; line style: factor', ...boundaryNote(runs)] },
    layer: [
      ...boundaryLayer(runs, shown),
      {
        data: { values },
        // no point markers: the legends would then show dots, and dash is what tells factors apart
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x: EPOCH_X,
          y: { field: 'value', type: 'quantitative', title: 'fraction of units' },
          color: runColour(runs, shown),
          strokeDash: { field: 'bias', type: 'nominal', title: 'factor', sort: factors, legend: { symbolType: 'stroke', symbolStrokeColor: '#444', symbolStrokeWidth: 2 } },
          detail: { field: 'bias', type: 'nominal' },
        },
      },
    ],
  } as TopLevelSpec;
}

/**
 * Test-error curves of every run with an analysis: thin = as measured, thick = the run's own
 * moving average; colour = run; each run's phase boundaries as rules in its colour.
 */
export function compareErrorsSpec(runs: readonly ComparedRun[]): TopLevelSpec {
  const values = runs.flatMap((run) => {
    const c = run.analysis?.curve;
    return c ? c.epochs.map((epoch, i) => ({ epoch, run: run.label, error: c.errors[i], smoothed: c.smoothed[i] })) : [];
  });
  const color = runColour(runs, firstSeen(values.map((v) => v.run)));
  const y = { type: 'quantitative', title: 'test error (%)', scale: { zero: false } } as const;
  return {
    ...FRAME,
    title: { text: 'Test error of every run', subtitle: ['thin: as measured; thick: moving average', ...boundaryNote(runs)] },
    layer: [
      ...boundaryLayer(runs, color.legend.values),
      // one colour scale for all three layers; its legend is drawn once, from the thick lines' symbols
      { data: { values }, mark: { type: 'line', strokeWidth: 1, opacity: 0.45 }, encoding: { x: EPOCH_X, color, y: { ...y, field: 'error' } } },
      { data: { values }, mark: { type: 'line', strokeWidth: 2.5 }, encoding: { x: EPOCH_X, color, y: { ...y, field: 'smoothed' } } },
    ],
  } as TopLevelSpec;
}
