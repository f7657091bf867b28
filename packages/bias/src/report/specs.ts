/**
 * Vega-Lite specs of the bias, errors and per-layer plots, and the pieces the other figures
 * share (epoch axis, phase marks, bias layers). Pure functions: data in, spec out, so tests can
 * inspect a spec without rendering it. A single-panel spec fills exactly PLOT_WIDTH ×
 * PLOT_HEIGHT pixels (autosize `fit`, padding included); multi-panel ones size to their panels.
 * White background throughout.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { DynamicsAnalysis, DynamicsGroup } from '../dynamics/analyze.js';
import { DEFAULT_ESTIMATOR } from '../estimate/estimators.js';
import type { ResultRecord } from '../types.js';
import { factorScale, phaseScale } from './palette.js';

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

/** The epoch axis of every figure over training. */
export const EPOCH_X = {
  field: 'epoch',
  type: 'quantitative',
  title: 'epoch',
  // the run's own epochs, a few pixels of air at each end (a nice domain would start at 0)
  scale: { zero: false, nice: false, padding: 8 },
  axis: { format: 'd', tickMinStep: 1 },
} as const;

/** One point of the bias plot: one factor's fraction of one (tap, method) at one epoch. */
export interface BiasPoint {
  epoch: number;
  tap: string;
  method: ResultRecord['method'];
  /** The tap, with the method appended when several methods were run. */
  series: string;
  /** Factor name (`shape`, `texture`, `color`, …) or `residual`. */
  bias: string;
  value: number;
  /** Bootstrap 95% interval of the fraction, when the run was bootstrapped (never for the residual). */
  low?: number;
  high?: number;
}

export interface BiasPointOptions {
  /** Factors to plot (default: every factor of the records, in the probe set's order). */
  factors?: readonly string[];
  /** Also the residual fraction (default false: it is 1 minus the others and dwarfs them). */
  residual?: boolean;
}

/** Items in order of first appearance. */
export function firstSeen<T>(xs: Iterable<T>): T[] {
  return [...new Set(xs)];
}

/**
 * The fraction of every factor (and the residual on request) of every record with an epoch,
 * one series per tap (and per method when more than one was run), with the bootstrap interval
 * when the record has one. Sorted by epoch, stably, so taps keep the order they were scored in.
 */
export function biasPoints(records: readonly ResultRecord[], options: BiasPointOptions | readonly string[] = {}): BiasPoint[] {
  // a list of factor names is the older form of `{ factors }`
  const opts: BiasPointOptions = Array.isArray(options) ? { factors: options } : (options as BiasPointOptions);
  const methods = new Set(records.map((r) => r.method));
  const factors = opts.factors ?? firstSeen(records.flatMap((r) => r.factors));
  const out: BiasPoint[] = [];
  for (const r of records) {
    if (r.epoch === null || r.epoch === undefined) continue;
    const series = methods.size > 1 ? `${r.tap} (${r.method})` : r.tap;
    const base = { epoch: r.epoch, tap: r.tap, method: r.method, series };
    for (const f of factors) {
      const i = r.factors.indexOf(f);
      if (i < 0) continue;
      out.push({ ...base, bias: f, value: r.fractions[i], ...(r.ci ? { low: r.ci.low[i], high: r.ci.high[i] } : {}) });
    }
    if (opts.residual) out.push({ ...base, bias: 'residual', value: r.fractions[r.factors.length] });
  }
  return out.sort((a, b) => a.epoch - b.epoch);
}

/** Columns of the bias plot's grid of tap panels. */
function panelColumns(taps: number): number {
  return taps <= 3 ? taps : taps === 4 ? 2 : 3;
}

/**
 * The layers of one bias panel: a bootstrap band per factor where present (under the lines),
 * then one line per factor (and method: dashed for the second), a dot at each checkpoint.
 */
export function biasLayers(points: readonly BiasPoint[]): unknown[] {
  const factors = firstSeen(points.map((p) => p.bias));
  const methods = firstSeen(points.map((p) => p.method));
  // full-strength swatches: the bands' 20% opacity would otherwise carry into the shared legend
  const legend = { encode: { symbols: { update: { opacity: { value: 1 } } } } };
  const color = { field: 'bias', type: 'nominal', title: 'factor', scale: factorScale(factors), sort: factors, legend };
  const dash = methods.length > 1 ? { strokeDash: { field: 'method', type: 'nominal', title: 'estimator', sort: methods } } : {};
  const line = {
    mark: { type: 'line', strokeWidth: 2, point: { filled: true, size: 22 } },
    encoding: { x: EPOCH_X, y: { field: 'value', type: 'quantitative', title: 'fraction of units' }, color, ...dash },
  };
  const band = {
    transform: [{ filter: 'isValid(datum.low)' }],
    mark: { type: 'area', opacity: 0.2 },
    // no `legend: null` here: the line layer shares this scale, and a null would hide its legend
    encoding: { x: EPOCH_X, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color, detail: { field: 'method', type: 'nominal' } },
  };
  return points.some((p) => p.low !== undefined) ? [band, line] : [line];
}

/**
 * `bias.svg`: the fraction of units of every factor over epochs, each factor in its own colour
 * (the same in every figure), bootstrap 95% bands where the run has them. One tap fills the
 * plot; several taps get one panel each, in the order they were scored (shallow to deep), on
 * shared axes.
 */
export function biasSpec(points: readonly BiasPoint[], title = 'Fraction of units per factor over training'): TopLevelSpec {
  const taps = firstSeen(points.map((p) => p.tap));
  const hasCi = points.some((p) => p.low !== undefined);
  const sub = hasCi ? 'bands: bootstrap 95% intervals' : 'no bootstrap (run with --bootstrap B for 95% bands)';
  const data = { values: points as unknown as Record<string, unknown>[] };
  if (taps.length <= 1) {
    return { ...FRAME, title: { text: taps.length ? `${title} (tap ${taps[0]})` : title, subtitle: sub }, data, layer: biasLayers(points) } as TopLevelSpec;
  }
  const columns = panelColumns(taps.length);
  const rows = Math.ceil(taps.length / columns);
  return {
    padding: FRAME.padding,
    background: FRAME.background,
    config: FRAME.config,
    title: { text: `${title}, ${taps.length} taps`, subtitle: `${sub}; panels from shallow to deep` },
    data,
    facet: { field: 'tap', type: 'nominal', title: null, sort: taps, header: { labelFontSize: 12, labelFontWeight: 'bold' } },
    columns,
    spec: { width: Math.floor(880 / columns) - 50, height: Math.max(120, Math.floor(560 / rows) - 50), layer: biasLayers(points) },
  } as TopLevelSpec;
}

/** Phase intervals for shading, from the analysis's split (none when there is no split). */
export function phaseBands(analysis: DynamicsAnalysis): { phase: string; start: number; end: number; mid: number }[] {
  return analysis.phases
    ? analysis.phases.phases.map((p) => ({ phase: `Phase ${p.name}`, start: p.startEpoch, end: p.endEpoch, mid: (p.startEpoch + p.endEpoch) / 2 }))
    : [];
}

/**
 * Layers that mark the phases on an epoch axis: shaded bands (the `fill` channel, so a panel's
 * `color` stays free for its lines), the boundaries as dashed rules and, with `labels`, the
 * phase names along the top. Nothing when there is no split.
 */
export function phaseLayers(analysis: DynamicsAnalysis, opts: { labels?: boolean } = {}): unknown[] {
  const bands = phaseBands(analysis);
  if (!bands.length) return [];
  const layers: unknown[] = [
    {
      data: { values: bands },
      mark: { type: 'rect', opacity: 0.15 },
      encoding: { x: { ...EPOCH_X, field: 'start' }, x2: { field: 'end' }, fill: { field: 'phase', type: 'nominal', scale: phaseScale(), legend: null } },
    },
    {
      data: { values: analysis.phases!.boundaries.map((epoch) => ({ epoch })) },
      mark: { type: 'rule', color: '#444', strokeDash: [5, 3], strokeWidth: 1.2 },
      encoding: { x: EPOCH_X },
    },
  ];
  if (opts.labels) {
    layers.push({
      data: { values: bands },
      mark: { type: 'text', baseline: 'top', dy: 3, fontSize: 11, fontWeight: 'bold' },
      encoding: { x: { ...EPOCH_X, field: 'mid' }, y: { value: 0 }, text: { field: 'phase' }, color: { field: 'phase', type: 'nominal', scale: phaseScale(), legend: null } },
    });
  }
  return layers;
}

/** The test error as measured (thin grey) and its moving average (thick black). */
export function errorLayers(analysis: DynamicsAnalysis): unknown[] {
  const c = analysis.curve;
  const values = c.epochs.map((epoch, i) => ({ epoch, error: c.errors[i], smoothed: c.smoothed[i] }));
  const y = { type: 'quantitative', title: 'test error (%)', scale: { zero: false } } as const;
  return [
    { data: { values }, mark: { type: 'line', stroke: '#8a8a8a', strokeWidth: 1.2, point: { filled: true, size: 14, color: '#8a8a8a' } }, encoding: { x: EPOCH_X, y: { ...y, field: 'error' } } },
    { data: { values }, mark: { type: 'line', stroke: '#1f1f1f', strokeWidth: 2.5 }, encoding: { x: EPOCH_X, y: { ...y, field: 'smoothed' } } },
  ];
}

/** "phases end at epochs 12 and 41", or "no phase split". */
export function splitText(analysis: DynamicsAnalysis): string {
  return analysis.phases ? `phases end at epochs ${analysis.phases.boundaries.join(' and ')}` : 'no phase split';
}

/**
 * `errors.svg`: test error (thin) and its moving average (thick) over epochs, phases shaded and
 * named, boundaries dashed.
 */
export function errorsSpec(analysis: DynamicsAnalysis): TopLevelSpec {
  return {
    ...FRAME,
    title: {
      text: `Test error (${splitText(analysis)})`,
      subtitle: [`thin grey: as measured; thick: centred ${analysis.options.smooth}-point moving average`, 'dashed: phase boundaries'],
    },
    layer: [...phaseLayers(analysis, { labels: true }), ...errorLayers(analysis)],
  } as TopLevelSpec;
}

/** The group a single-panel plot shows: tap `final` per-neuron when present, else the first. */
export function primaryGroup(analysis: DynamicsAnalysis): DynamicsGroup | undefined {
  return (
    analysis.groups.find((g) => g.tap === 'final' && g.method === DEFAULT_ESTIMATOR) ??
    analysis.groups.find((g) => g.method === DEFAULT_ESTIMATOR) ??
    analysis.groups[0]
  );
}

/** Phase of an epoch for colouring; a shared boundary goes to the earlier phase. */
export function phaseOf(analysis: DynamicsAnalysis, epoch: number): string {
  if (!analysis.phases) return 'no split';
  const [b1, b2] = analysis.phases.boundaries;
  return epoch <= b1 ? 'Phase 1' : epoch <= b2 ? 'Phase 2' : 'Phase 3';
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
  const method = methods.includes(DEFAULT_ESTIMATOR) ? DEFAULT_ESTIMATOR : (methods[0] ?? null);
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
      x: EPOCH_X,
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
