/**
 * `dynamics.svg`, the seed study's main figure: the test error with its phases above, the biases
 * below, on one epoch axis, with the phase boundaries drawn through both panels. Pure.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { DynamicsAnalysis } from '../dynamics/analyze.js';
import type { ResultRecord } from '../types.js';
import { biasLayers, biasPoints, errorLayers, FRAME, phaseLayers, primaryGroup, splitText, type BiasPointOptions } from './specs.js';

/** Plot-area width of both panels, so their epoch axes line up. */
const WIDTH = 620;

/**
 * Top: test error as measured and its moving average, the phases shaded and named. Bottom: the
 * fraction of every factor of the analysis's main group (tap `final`, per-neuron, when scored),
 * bootstrap bands where present. Both panels share the epoch scale and show the boundaries.
 */
export function dynamicsSpec(analysis: DynamicsAnalysis, records: readonly ResultRecord[], opts: BiasPointOptions = {}): TopLevelSpec {
  const g = primaryGroup(analysis);
  const points = g ? biasPoints(records.filter((r) => r.tap === g.tap && r.method === g.method), opts) : [];
  const top = {
    width: WIDTH,
    height: 170,
    layer: [...phaseLayers(analysis, { labels: true }), ...errorLayers(analysis)],
  };
  // a panel needs one layer at least: say what is missing rather than draw nothing
  const empty = { data: { values: [{}] }, mark: { type: 'text', fontSize: 12, color: '#666' }, encoding: { text: { value: 'no checkpoint on the error curve' } } };
  const bottom = {
    width: WIDTH,
    height: 200,
    layer: [...phaseLayers(analysis), ...(points.length ? biasLayers(points) : [empty])],
  };
  const who = g ? `tap ${g.tap}, ${g.method}` : 'no checkpoint on the error curve';
  return {
    padding: FRAME.padding,
    background: FRAME.background,
    config: { ...FRAME.config, axisY: { minExtent: 48 } },
    title: {
      text: `Test error and biases over training (${who})`,
      // short lines: Vega sizes the figure by an estimate of each line's width, generous for long ones
      subtitle: [
        analysis.phases ? `${splitText(analysis)} (dashed lines, through both panels)` : splitText(analysis),
        `test error: grey as measured, black ${analysis.options.smooth}-point moving average`,
      ],
      offset: 10,
    },
    data: { values: points as unknown as Record<string, unknown>[] },
    vconcat: [top, bottom],
    spacing: 12,
    resolve: { scale: { x: 'shared', color: 'independent' } },
  } as TopLevelSpec;
}
