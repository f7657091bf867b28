import { describe, expect, it } from 'vitest';
import { analyzeDynamics, movingAverage, phaseCorrelations, splitPhases, type ResultRecord } from '@shapetex/bias';
import { constructedCurve, record } from './records.js';

const curve = constructedCurve();
const errorAt = (epoch: number) => curve.errors[curve.epochs.indexOf(epoch)];

/** Checkpoints every other epoch from 2 to 40, plus epoch 50 (past the curve). */
function runRecords(): ResultRecord[] {
  const out: ResultRecord[] = [];
  for (const method of ['per-neuron', 'pooled'] as const) {
    for (const tap of ['stage4', 'final']) {
      for (let epoch = 2; epoch <= 40; epoch += 2) {
        const e = errorAt(epoch);
        // affine in the error → r = +1 (shape), −1 (texture) in every phase when not smoothed
        out.push(record(epoch, tap, method, 0.2 + 0.004 * e, 0.3 - 0.005 * e));
      }
      out.push(record(50, tap, method, 0.3, 0.1));
    }
  }
  return out;
}

describe('analyzeDynamics', () => {
  it('splits the whole curve, joins each (tap, method) on epochs and reports both sides of the join', () => {
    const records = runRecords();
    records.push(record(null, 'final', 'per-neuron', 0.3, 0.1, { checkpoint: 'run/last.pth' }));
    // a second checkpoint at epoch 10 for one group: the later one is left out
    records.push(record(10, 'final', 'per-neuron', 0.9, 0.05, { checkpoint: 'run/final_dict.pth' }));
    const a = analyzeDynamics(records, { ...curve, source: 'err.csv', column: 'error' }, { smooth: 1 });

    expect(a.phases!.boundaries).toEqual([12, 27]);
    expect(a.phases!.indices).toEqual({ i1: 10, j: 11, i2: 25 });
    expect(a.noEpoch).toEqual(['run/last.pth']);
    expect(a.groups.map((g) => `${g.tap}/${g.method}`)).toEqual(['stage4/per-neuron', 'final/per-neuron', 'stage4/pooled', 'final/pooled']);
    expect(a.curve.epochs).toEqual(curve.epochs);
    expect(a.curve.smoothed).toEqual(curve.errors); // smooth 1

    const g = a.groups[1];
    const even = Array.from({ length: 20 }, (_, k) => 2 + 2 * k);
    expect(g.epochs).toEqual(even);
    expect(g.errors).toEqual(even.map(errorAt));
    expect(g.missing.inErrors).toEqual([50]);
    expect(g.missing.inRecords).toEqual(curve.epochs.filter((e) => e % 2 === 1));
    expect(g.duplicates).toEqual(['run/final_dict.pth']);
    expect(g.shape[4]).toBeCloseTo(0.2 + 0.004 * errorAt(10), 15);

    // the counts per phase follow from the boundaries: even epochs in [2,12], [12,27], [27,41], [2,27]
    expect(g.correlations.map((c) => c.n)).toEqual([6, 8, 7, 13]);
    for (const c of g.correlations) {
      expect(c.shapeR).toBeCloseTo(1, 12);
      expect(c.textureR).toBeCloseTo(-1, 12);
      expect(c.score).toBeCloseTo(1, 12);
    }
  });

  it('with the default smoothing, matches phaseCorrelations on the aligned checkpoints', () => {
    const records = runRecords().map((r, k) => ({ ...r, fractions: [r.fractions[0] + 0.01 * ((k * 37) % 7), r.fractions[1], r.fractions[2]] }));
    const a = analyzeDynamics(records, curve);
    const g = a.groups[0];
    const expected = phaseCorrelations(g.errors, g.shape, g.texture, splitPhases(curve.errors, { epochs: curve.epochs }), {
      epochs: g.epochs,
      smooth: 5,
    });
    expect(g.correlations).toEqual(expected);
    expect(a.options).toEqual({ method: 'threshold', window: 5, theta: 0.1, smooth: 5, splitSmooth: 1 });
    expect(a.curve.smoothed).toEqual(movingAverage(curve.errors, 5));
  });

  it('carries bootstrap intervals of the two fractions when every record has them', () => {
    const records = runRecords().map((r) => ({ ...r, ci: { low: [0.1, 0.2], high: [0.3, 0.4] } }));
    const g = analyzeDynamics(records, curve).groups[0];
    expect(g.ci!.shape[0]).toEqual([0.1, 0.3]);
    expect(g.ci!.texture[3]).toEqual([0.2, 0.4]);
    expect(analyzeDynamics(runRecords(), curve).groups[0].ci).toBeUndefined();
  });

  it('no split → every correlation N/A, no crash; extrema method selectable', () => {
    const descent = { epochs: curve.epochs, errors: curve.epochs.map((e) => 100 - 2 * e) };
    const a = analyzeDynamics(runRecords(), descent);
    expect(a.phases).toBeNull();
    for (const g of a.groups) for (const c of g.correlations) expect([c.shapeR, c.textureR, c.score, c.startEpoch]).toEqual([null, null, null, null]);
    const ex = analyzeDynamics(runRecords(), curve, { method: 'extrema', smooth: 1 });
    // flat minimum 12…17 → its first epoch; maximum at 27
    expect(ex.phases!.boundaries).toEqual([12, 27]);
  });

  it('a record without the shape factor is an error naming it', () => {
    const bad = record(2, 'final', 'per-neuron', 0.2, 0.1, { factors: ['colour', 'texture'] });
    expect(() => analyzeDynamics([bad], curve)).toThrow(/run\/ckpt_epoch0002\.pth \(tap final, per-neuron\) has no factor 'shape'; factors: colour, texture/);
    expect(analyzeDynamics([bad], curve, { shapeFactor: 'colour' }).groups[0].shape).toEqual([0.2]);
  });
});
