/**
 * `plots/cue.svg|png`: the decision-level shape bias over epochs (thick, with its bootstrap
 * band), the shape and texture accuracies (thin), and the humans' ≈ 0.96 of Geirhos et al. as
 * a reference rule. A figure of its own, beside `bias.png`.
 */
import type { TopLevelSpec } from 'vega-lite';
import { FRAME } from './specs.js';
import type { ResultRecord } from '../types.js';
import { cueByCheckpoint } from '../cue/records.js';

export interface CuePoint {
  epoch: number;
  series: 'shape bias' | 'shape accuracy' | 'texture accuracy';
  value: number;
  low?: number;
  high?: number;
}

/** The points of the figure: one per checkpoint with an epoch and per defined value. */
export function cuePoints(records: readonly ResultRecord[]): CuePoint[] {
  const out: CuePoint[] = [];
  for (const { epoch, cue } of cueByCheckpoint(records)) {
    if (epoch === null) continue;
    if (cue.shapeBias !== null) out.push({ epoch, series: 'shape bias', value: cue.shapeBias, ...(cue.ci ? { low: cue.ci.low, high: cue.ci.high } : {}) });
    if (cue.shapeAccuracy !== null) out.push({ epoch, series: 'shape accuracy', value: cue.shapeAccuracy });
    if (cue.textureAccuracy !== null) out.push({ epoch, series: 'texture accuracy', value: cue.textureAccuracy });
  }
  return out.sort((a, b) => a.epoch - b.epoch);
}

/** Humans' decision-level shape bias on the same stimuli (Geirhos et al. 2019: about 96%). */
export const HUMAN_SHAPE_BIAS = 0.96;

export function cueSpec(points: readonly CuePoint[], title = 'Decision-level shape bias on cue-conflict images'): TopLevelSpec {
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch' } as const;
  const y = { field: 'value', type: 'quantitative', title: 'fraction', scale: { domain: [0, 1] } } as const;
  const color = { field: 'series', type: 'nominal', title: '', sort: ['shape bias', 'shape accuracy', 'texture accuracy'] } as const;
  const layers: unknown[] = [
    {
      data: { values: [{ human: HUMAN_SHAPE_BIAS, label: 'humans ≈ 0.96' }] },
      layer: [
        { mark: { type: 'rule', strokeDash: [2, 3], color: '#999' }, encoding: { y: { field: 'human', type: 'quantitative' } } },
        { mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#777' }, encoding: { y: { field: 'human', type: 'quantitative' }, x: { value: 0 }, text: { field: 'label' } } },
      ],
    },
  ];
  if (points.some((p) => p.low !== undefined)) {
    layers.push({
      transform: [{ filter: 'isValid(datum.low)' }],
      mark: { type: 'area', opacity: 0.18 },
      encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color: { ...color, legend: null } },
    });
  }
  layers.push({
    mark: { type: 'line', point: true },
    encoding: {
      x, y, color,
      strokeWidth: { condition: { test: "datum.series === 'shape bias'", value: 2.5 }, value: 1.2 },
    },
  });
  return {
    ...FRAME,
    title: { text: title, subtitle: 'shape bias = shape / (shape + texture decisions); band: bootstrap 95% interval' },
    data: { values: points as unknown as Record<string, unknown>[] },
    layer: layers,
  } as TopLevelSpec;
}
