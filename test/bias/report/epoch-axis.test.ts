import { describe, expect, it } from 'vitest';
import { analyzeDynamics, biasPoints, biasSpec, errorsSpec, layerPoints, layersSpec, renderSvg, scatterSpec, type ResultRecord } from '@shapetex/bias';

// A short run (3 epochs, two taps): Vega's default ticks for 1..3 would be 1.0, 1.2, …, 3.0.
const records: ResultRecord[] = [1, 2, 3].flatMap((epoch) => ['stage1', 'final'].map((tap) => ({
  epoch, checkpoint: `c${epoch}.pth`, tap, method: 'per-neuron' as const, D: 4, factors: ['shape', 'texture'], dims: [1, 1, 2],
  fractions: [0.3 + 0.01 * epoch, 0.3, 0.4 - 0.01 * epoch], scores: [0, 0, 1], percent: [25, 25, 50], deadUnits: 0, pairs: [4, 4],
})));

/** The tick labels of every epoch axis of a rendered figure (Vega labels each axis group for screen readers). */
async function epochTicks(spec: object): Promise<string[][]> {
  const svg = await renderSvg(spec);
  const starts = [...svg.matchAll(/aria-label="X-axis titled 'epoch'/g)].map((m) => m.index!);
  expect(starts.length).toBeGreaterThan(0);
  return starts.map((at) => {
    const rest = svg.slice(at + 1);
    const end = rest.search(/aria-label="[XY]-axis/);
    const group = end < 0 ? rest : rest.slice(0, end);
    const texts = [...group.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
    return texts.slice(0, texts.indexOf('epoch')); // the labels, then the axis title
  });
}

describe('epoch axes', () => {
  it('label whole epochs only', async () => {
    for (const spec of [biasSpec(biasPoints(records, ['shape', 'texture']), 'biases'), layersSpec(layerPoints(records))]) {
      for (const ticks of await epochTicks(spec)) expect(ticks).toEqual(['1', '2', '3']);
    }
    const analysis = analyzeDynamics(records, { epochs: [1, 2, 3], errors: [40, 35, 37] });
    const x = (errorsSpec(analysis) as { layer: { encoding: { x: { axis?: unknown } } }[] }).layer[0]!.encoding.x;
    expect(x.axis).toEqual({ format: 'd', tickMinStep: 1 });
    expect(JSON.stringify(scatterSpec(analysis))).not.toContain('tickMinStep'); // its x axis is the test error
  });
});
