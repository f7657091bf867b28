/** `compare`'s overlay of the runs' decision-level shape bias over epochs (`plots/cue.*`). */
import type { TopLevelSpec } from 'vega-lite';
import type { ComparedRun } from './types.js';
import { FRAME } from '../report/specs.js';
import { cuePoints } from '../report/cue-plot.js';

export interface CompareCuePoint { run: string; epoch: number; value: number; low?: number; high?: number }

export function compareCuePoints(runs: readonly ComparedRun[]): CompareCuePoint[] {
  return runs.flatMap((r) => cuePoints(r.records)
    .filter((p) => p.series === 'shape bias')
    .map((p) => ({ run: r.label, epoch: p.epoch, value: p.value, ...(p.low !== undefined ? { low: p.low, high: p.high! } : {}) })));
}

export function compareCueSpec(points: readonly CompareCuePoint[]): TopLevelSpec {
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch' } as const;
  const color = { field: 'run', type: 'nominal', title: 'run' } as const;
  const layers: unknown[] = [];
  if (points.some((p) => p.low !== undefined)) {
    layers.push({ transform: [{ filter: 'isValid(datum.low)' }], mark: { type: 'area', opacity: 0.15 }, encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color } });
  }
  layers.push({ mark: { type: 'line', point: true, strokeWidth: 2 }, encoding: { x, y: { field: 'value', type: 'quantitative', title: 'cue shape bias', scale: { domain: [0, 1] } }, color } });
  return { ...FRAME, title: 'Decision-level shape bias over training, every run', data: { values: points as unknown as Record<string, unknown>[] }, layer: layers } as TopLevelSpec;
}
