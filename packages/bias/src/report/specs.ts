/**
 * Vega-Lite specs for the three plots of SPEC §8. Pure functions: data in, spec out, so tests
 * can inspect a spec without rendering it. Every spec fills exactly PLOT_WIDTH × PLOT_HEIGHT
 * pixels (autosize `fit`, padding included), on a white background.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { DynamicsAnalysis, DynamicsGroup } from '../dynamics/analyze.js';
import type { ResultRecord } from '../types.js';

export const PLOT_WIDTH = 720;
export const PLOT_HEIGHT = 400;

/** Size, padding, background and font shared by every plot. */
export const FRAME = {
  width: PLOT_WIDTH,
  height: PLOT_HEIGHT,
  autosize: { type: 'fit', contains: 'padding' },
  padding: 8,
  background: 'white',
  config: { font: 'DejaVu Sans, sans-serif', view: { stroke: '#ddd' } },
} as const;

/** One point of the bias plot: a bias (shape or texture) of one series at one epoch. */
export interface BiasPoint {
  epoch: number;
  /** The tap, with the method appended when several methods were run. */
  series: string;
  bias: string;
  value: number;
  low?: number;
  high?: number;
}

/**
 * The shape and texture fractions of every record with an epoch, one series per tap (and per
 * method when more than one was run), with the bootstrap interval when the record has one.
 */
export function biasPoints(records: readonly ResultRecord[], factors: readonly string[] = ['shape', 'texture']): BiasPoint[] {
  const methods = new Set(records.map((r) => r.method));
  const out: BiasPoint[] = [];
  for (const r of records) {
    if (r.epoch === null || r.epoch === undefined) continue;
    const series = methods.size > 1 ? `${r.tap} (${r.method})` : r.tap;
    for (const f of factors) {
      const i = r.factors.indexOf(f);
      if (i < 0) continue;
      out.push({
        epoch: r.epoch,
        series,
        bias: f,
        value: r.fractions[i],
        ...(r.ci ? { low: r.ci.low[i], high: r.ci.high[i] } : {}),
      });
    }
  }
  return out.sort((a, b) => a.epoch - b.epoch);
}

/**
 * `bias.svg`: fraction of units over epochs; colour = series (tap), dash = bias (shape solid,
 * texture dashed), shaded band = bootstrap 95% interval where present.
 */
export function biasSpec(points: readonly BiasPoint[], title = 'Shape and texture fractions over training'): TopLevelSpec {
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch' } as const;
  const color = { field: 'series', type: 'nominal', title: 'tap' } as const;
  const hasCi = points.some((p) => p.low !== undefined);
  const line = {
    mark: { type: 'line', point: false, strokeWidth: 2 },
    encoding: {
      x,
      y: { field: 'value', type: 'quantitative', title: 'fraction of units' },
      color,
      strokeDash: { field: 'bias', type: 'nominal', title: 'bias', sort: ['shape', 'texture'] },
    },
  } as const;
  const band = {
    transform: [{ filter: 'isValid(datum.low)' }],
    mark: { type: 'area', opacity: 0.18 },
    encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color, detail: { field: 'bias', type: 'nominal' } },
  } as const;
  return {
    ...FRAME,
    title,
    data: { values: points as unknown as Record<string, unknown>[] },
    layer: hasCi ? [band, line] : [line],
  } as TopLevelSpec;
}

/** Phase intervals for shading, from the analysis's split (none when there is no split). */
function phaseBands(analysis: DynamicsAnalysis): { phase: string; start: number; end: number }[] {
  return analysis.phases ? analysis.phases.phases.map((p) => ({ phase: `Phase ${p.name}`, start: p.startEpoch, end: p.endEpoch })) : [];
}

/**
 * `errors.svg`: test error (thin) and its moving average (thick) over epochs, phases shaded.
 */
export function errorsSpec(analysis: DynamicsAnalysis): TopLevelSpec {
  const c = analysis.curve;
  const values = c.epochs.map((epoch, i) => ({ epoch, error: c.errors[i], smoothed: c.smoothed[i] }));
  const bands = phaseBands(analysis);
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch' } as const;
  const y = { type: 'quantitative', title: 'test error (%)', scale: { zero: false } } as const;
  const layers: unknown[] = [];
  if (bands.length) {
    layers.push({
      data: { values: bands },
      mark: { type: 'rect', opacity: 0.18 },
      encoding: {
        x: { field: 'start', type: 'quantitative' },
        x2: { field: 'end' },
        color: { field: 'phase', type: 'nominal', title: 'phase', scale: { scheme: 'set2' } },
      },
    });
  }
  layers.push(
    { data: { values }, mark: { type: 'line', stroke: '#8a8a8a', strokeWidth: 1.2 }, encoding: { x, y: { ...y, field: 'error' } } },
    { data: { values }, mark: { type: 'line', stroke: '#1f1f1f', strokeWidth: 2.5 }, encoding: { x, y: { ...y, field: 'smoothed' } } },
  );
  const split = analysis.phases ? `phases end at epochs ${analysis.phases.boundaries.join(' and ')}` : 'no phase split';
  return {
    ...FRAME,
    title: {
      text: `Test error (${split})`,
      subtitle: `thin grey: as measured; thick: centred ${analysis.options.smooth}-point moving average`,
    },
    layer: layers,
  } as TopLevelSpec;
}

/** The group a single-panel plot shows: tap `final` per-neuron when present, else the first. */
export function primaryGroup(analysis: DynamicsAnalysis): DynamicsGroup | undefined {
  return (
    analysis.groups.find((g) => g.tap === 'final' && g.method === 'per-neuron') ??
    analysis.groups.find((g) => g.method === 'per-neuron') ??
    analysis.groups[0]
  );
}

/** Phase of an epoch for colouring; a shared boundary goes to the earlier phase. */
export function phaseOf(analysis: DynamicsAnalysis, epoch: number): string {
  if (!analysis.phases) return 'no split';
  const [b1, b2] = analysis.phases.boundaries;
  return epoch <= b1 ? 'Phase 1' : epoch <= b2 ? 'Phase 2' : 'Phase 3';
}

/**
 * `scatter.svg`: test error (x) against the shape and texture fractions (y) of one group's
 * checkpoints; colour = phase, point shape = bias.
 */
export function scatterSpec(analysis: DynamicsAnalysis, group: DynamicsGroup | undefined = primaryGroup(analysis)): TopLevelSpec {
  const values = group
    ? group.epochs.flatMap((epoch, i) => [
        { epoch, error: group.errors[i], bias: 'shape', value: group.shape[i], phase: phaseOf(analysis, epoch) },
        { epoch, error: group.errors[i], bias: 'texture', value: group.texture[i], phase: phaseOf(analysis, epoch) },
      ])
    : [];
  const title = group ? `Test error vs biases (tap ${group.tap}, ${group.method})` : 'Test error vs biases (no checkpoint on the error curve)';
  return {
    ...FRAME,
    title,
    data: { values },
    mark: { type: 'point', filled: true, size: 60, opacity: 0.85 },
    encoding: {
      x: { field: 'error', type: 'quantitative', title: 'test error (%)', scale: { zero: false } },
      y: { field: 'value', type: 'quantitative', title: 'fraction of units' },
      color: { field: 'phase', type: 'nominal', title: 'phase', scale: { scheme: 'set2' } },
      shape: { field: 'bias', type: 'nominal', title: 'bias', sort: ['shape', 'texture'] },
    },
  } as TopLevelSpec;
}

/** One point of the per-layer figure: one bias of one tap at one epoch. */
export interface LayerPoint {
  epoch: number;
  tap: string;
  /** Position of the tap in the network, 0 = shallowest (the order the run scored them in). */
  depth: number;
  bias: string;
  value: number;
}

/**
 * The shape and texture fractions of every tap over epochs, for one estimator (`per-neuron` when
 * the run has it). Taps keep the order of their first appearance in the records, which is the
 * model's order from input to output (scoring writes a checkpoint's taps in that order).
 */
export function layerPoints(records: readonly ResultRecord[], factors: readonly string[] = ['shape', 'texture']): { method: ResultRecord['method'] | null; taps: string[]; points: LayerPoint[] } {
  const methods = [...new Set(records.map((r) => r.method))];
  const method = methods.includes('per-neuron') ? 'per-neuron' : (methods[0] ?? null);
  const taps: string[] = [];
  const points: LayerPoint[] = [];
  for (const r of records) {
    if (r.method !== method || r.epoch === null || r.epoch === undefined) continue;
    if (!taps.includes(r.tap)) taps.push(r.tap);
    for (const f of factors) {
      const i = r.factors.indexOf(f);
      if (i >= 0) points.push({ epoch: r.epoch, tap: r.tap, depth: taps.indexOf(r.tap), bias: f, value: r.fractions[i] });
    }
  }
  points.sort((a, b) => a.epoch - b.epoch || a.depth - b.depth);
  return { method, taps, points };
}

/**
 * `layers.svg` (the thesis's Fig. 6.1): the shape bias (left panel) and the texture bias (right
 * panel) of every tap over epochs, one line per tap, coloured from shallow (dark) to deep
 * (light) so depth reads at a glance. Each panel is half the plot's width.
 */
export function layersSpec(data: ReturnType<typeof layerPoints>, title = 'Shape and texture fractions of every tap over training'): TopLevelSpec {
  const panel = (bias: string) => ({
    title: `${bias} bias`,
    width: PLOT_WIDTH / 2 - 110,
    height: PLOT_HEIGHT - 110,
    transform: [{ filter: { field: 'bias', equal: bias } }],
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
      y: { field: 'value', type: 'quantitative', title: 'fraction of units' },
      color: { field: 'tap', type: 'ordinal', title: 'tap (shallow → deep)', sort: data.taps, scale: { scheme: 'viridis' } },
    },
  });
  return {
    padding: 8,
    background: 'white',
    config: FRAME.config,
    title: data.method ? `${title} (${data.method})` : title,
    data: { values: data.points as unknown as Record<string, unknown>[] },
    hconcat: [panel('shape'), panel('texture')],
  } as TopLevelSpec;
}
