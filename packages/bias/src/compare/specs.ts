/**
 * Overlay plots of `bias-score compare`: the biases of one tap and the error curves of every
 * run on shared axes. Pure: runs in, Vega-Lite spec out.
 */
import type { TopLevelSpec } from 'vega-lite';
import { FRAME } from '../report/specs.js';
import type { ResultRecord } from '../types.js';
import type { ComparedRun } from './types.js';

/**
 * Shape and texture fractions of one (tap, method) of every run over epochs: colour = run,
 * dash = bias (shape solid, texture dashed).
 */
export function compareBiasSpec(runs: readonly ComparedRun[], tap: string, method: ResultRecord['method']): TopLevelSpec {
  const values: { epoch: number; run: string; bias: string; value: number }[] = [];
  for (const run of runs) {
    for (const r of run.records) {
      if (r.tap !== tap || r.method !== method || r.epoch === null) continue;
      for (const bias of ['shape', 'texture']) {
        const i = r.factors.indexOf(bias);
        if (i >= 0) values.push({ epoch: r.epoch, run: run.label, bias, value: r.fractions[i] });
      }
    }
  }
  values.sort((a, b) => a.epoch - b.epoch);
  return {
    ...FRAME,
    title: `Shape and texture fractions of every run (tap ${tap}, ${method})`,
    data: { values },
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
      y: { field: 'value', type: 'quantitative', title: 'fraction of units' },
      color: { field: 'run', type: 'nominal', title: 'run', sort: runs.map((r) => r.label) },
      strokeDash: { field: 'bias', type: 'nominal', title: 'bias', sort: ['shape', 'texture'] },
    },
  } as TopLevelSpec;
}

/**
 * Test-error curves of every run with an analysis: thin = as measured, thick = the run's own
 * moving average; colour = run.
 */
export function compareErrorsSpec(runs: readonly ComparedRun[]): TopLevelSpec {
  const values = runs.flatMap((run) => {
    const c = run.analysis?.curve;
    return c ? c.epochs.map((epoch, i) => ({ epoch, run: run.label, error: c.errors[i], smoothed: c.smoothed[i] })) : [];
  });
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch' } as const;
  const color = { field: 'run', type: 'nominal', title: 'run', sort: runs.map((r) => r.label) } as const;
  const y = { type: 'quantitative', title: 'test error (%)', scale: { zero: false } } as const;
  return {
    ...FRAME,
    title: { text: 'Test error of every run', subtitle: 'thin: as measured; thick: moving average' },
    data: { values },
    layer: [
      // the legend comes from the thick lines: a faded swatch would misstate the colours
      { mark: { type: 'line', strokeWidth: 1, opacity: 0.45 }, encoding: { x, color: { ...color, legend: null }, y: { ...y, field: 'error' } } },
      { mark: { type: 'line', strokeWidth: 2.5 }, encoding: { x, color, y: { ...y, field: 'smoothed' } } },
    ],
  } as TopLevelSpec;
}
