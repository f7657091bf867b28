/**
 * `scatter.svg`: test error against the biases the correlation uses, per phase (the thesis's
 * Figs. 5.x). Pure: analysis in, Vega-Lite spec out.
 */
import { linearRegression } from 'simple-statistics';
import type { TopLevelSpec } from 'vega-lite';
import type { DynamicsAnalysis, DynamicsGroup } from '../dynamics/analyze.js';
import { movingAverage } from '../dynamics/smooth.js';
import type { PhaseCorrelation } from '../dynamics/types.js';
import { formatEpochRange, formatWithInterval } from './markdown.js';
import { PHASE_COLOURS } from './palette.js';
import { FRAME, primaryGroup } from './specs.js';

type Bias = 'shape' | 'texture';

/** One point of a scatter panel: one checkpoint as a member of one phase. */
export interface ScatterPoint {
  epoch: number;
  error: number;
  /** The smoothed fraction, as correlated. */
  value: number;
  bias: Bias;
  phase: string;
  /** The phase's legend entry: its epochs, n, r and 95% interval. */
  legend: string;
  /** The earlier phase's membership of a boundary epoch (drawn as a ring round the later one's dot). */
  ring: boolean;
}

/** One end of a phase's least-squares line of bias on error. */
export interface FitPoint {
  bias: Bias;
  legend: string;
  error: number;
  fit: number;
}

/**
 * "1 (1–8, n = 8): r = 0.944 [0.715, 0.990]", with "(noise)" where the r rests on noise. Short:
 * Vega sizes legends by an estimate of the text's width that runs about 1.4 times too wide.
 */
function legendText(c: PhaseCorrelation, bias: Bias): string {
  const [r, ci] = bias === 'shape' ? [c.shapeR, c.shapeCi] : [c.textureR, c.textureCi];
  const noise = r !== null && c.noise?.[bias]?.restsOnNoise ? ' (noise)' : '';
  return `${c.phase} (${formatEpochRange(c)}, n = ${c.n}): r = ${formatWithInterval(r, ci)}${noise}`;
}

/**
 * The points and least-squares lines of one group: errors as measured and the biases smoothed
 * as {@link phaseCorrelations} smooths them; each of Phases 1, 2, 3 takes the checkpoints within
 * its boundaries, so a boundary epoch appears in both phases it separates. A line is drawn
 * where the phase's r exists (3 points or more, neither series constant).
 */
export function scatterData(analysis: DynamicsAnalysis, group: DynamicsGroup): { points: ScatterPoint[]; fits: FitPoint[]; legends: Record<Bias, string[]> } {
  const smoothed: Record<Bias, number[]> = {
    shape: movingAverage(group.shape, analysis.options.smooth),
    texture: movingAverage(group.texture, analysis.options.smooth),
  };
  const points: ScatterPoint[] = [];
  const fits: FitPoint[] = [];
  const legends: Record<Bias, string[]> = { shape: [], texture: [] };
  const phases = group.correlations.filter((c) => c.phase !== '1+2' && c.startEpoch !== null);
  for (const c of phases) {
    const members = group.epochs.flatMap((e, i) => (e >= c.startEpoch! && e <= c.endEpoch! ? [i] : []));
    for (const bias of ['shape', 'texture'] as const) {
      const legend = legendText(c, bias);
      legends[bias].push(legend);
      for (const i of members) {
        const epoch = group.epochs[i]!;
        points.push({ epoch, error: group.errors[i]!, value: smoothed[bias][i]!, bias, phase: `Phase ${c.phase}`, legend, ring: c.phase !== '3' && epoch === c.endEpoch });
      }
      const r = bias === 'shape' ? c.shapeR : c.textureR;
      if (r === null) continue;
      const xs = members.map((i) => group.errors[i]!);
      const { m, b } = linearRegression(members.map((i) => [group.errors[i]!, smoothed[bias][i]!]));
      for (const error of [Math.min(...xs), Math.max(...xs)]) fits.push({ bias, legend, error, fit: m * error + b });
    }
  }
  return { points, fits, legends };
}

function panel(bias: Bias, data: ReturnType<typeof scatterData>): unknown {
  const domain = data.legends[bias];
  const color = {
    field: 'legend',
    type: 'nominal',
    title: 'phase (epochs, n): r [95% CI]',
    sort: domain,
    scale: { domain, range: domain.map((_, i) => PHASE_COLOURS[i % PHASE_COLOURS.length]) },
    legend: { orient: 'bottom', direction: 'vertical', labelLimit: 0, titleLimit: 0, symbolType: 'circle' },
  };
  // padded domains: a point on the frame would push the panel's title off its neighbour's line
  const scale = { zero: false, nice: false, padding: 14 };
  const x = { field: 'error', type: 'quantitative', title: 'test error (%)', scale };
  const y = { field: 'value', type: 'quantitative', title: `${bias} fraction (smoothed)`, scale };
  const points = data.points.filter((p) => p.bias === bias);
  return {
    title: `${bias} bias`,
    width: 340,
    height: 250,
    layer: [
      { data: { values: points.filter((p) => p.ring) }, mark: { type: 'point', filled: false, size: 190, strokeWidth: 2 }, encoding: { x, y, color } },
      { data: { values: points.filter((p) => !p.ring) }, mark: { type: 'point', filled: true, size: 55, opacity: 0.9 }, encoding: { x, y, color } },
      { data: { values: data.fits.filter((f) => f.bias === bias) }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y: { ...y, field: 'fit' }, color } },
    ],
  };
}

/**
 * `scatter.svg`: one panel per bias (shape, texture) of one group, the test error (x) against
 * the smoothed fraction (y) the correlation uses, coloured by phase, a least-squares line per
 * phase, and each phase's r with its 95% interval in the panel's legend. A boundary epoch belongs
 * to both phases: a dot in the later phase's colour ringed in the earlier's.
 */
export function scatterSpec(analysis: DynamicsAnalysis, group: DynamicsGroup | undefined = primaryGroup(analysis)): TopLevelSpec {
  const smooth = analysis.options.smooth;
  const base = { padding: FRAME.padding, background: FRAME.background, config: FRAME.config };
  if (!group) return { ...base, title: 'Test error vs biases (no checkpoint on the error curve)', width: 400, height: 200, mark: 'point', data: { values: [] } } as TopLevelSpec;
  const data = scatterData(analysis, group);
  // short lines: Vega sizes the figure by an estimate of each line's width, generous for long ones
  const note = analysis.phases
    ? [
        `biases: ${smooth}-point moving average, as correlated; lines: least squares per phase`,
        'legends: r per phase with its 95% interval (Fisher z)',
        '"(noise)": the bias moves less within the phase than its noise: its r rests on noise',
        "a boundary epoch is in both phases: ringed in the earlier phase's colour",
      ]
    : ['no phase split: no r, no lines'];
  return {
    ...base,
    title: { text: `Test error vs biases, by phase (tap ${group.tap}, ${group.method})`, subtitle: note, offset: 14 },
    hconcat: [panel('shape', data), panel('texture', data)],
    resolve: { scale: { color: 'independent', y: 'independent' }, legend: { color: 'independent' } },
  } as TopLevelSpec;
}
