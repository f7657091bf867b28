import { describe, expect, it } from 'vitest';
import { dimsFromFractions, percentFromDims, percentile, softmaxWithResidual } from '@shapetex/bias';

describe('scores to dimensions (SPEC §5.3)', () => {
  it('softmax with the residual score 1', () => {
    const e = Math.E;
    const f = softmaxWithResidual([0, 0]);
    expect(f[0]).toBeCloseTo(1 / (2 + e), 15);
    expect(f[1]).toBeCloseTo(1 / (2 + e), 15);
    expect(f[2]).toBeCloseTo(e / (2 + e), 15);
    // s = [1, ln 2]: exp → [e, 2, e], sum 2e + 2
    const g = softmaxWithResidual([1, Math.log(2)]);
    expect(g[0]).toBeCloseTo(e / (2 * e + 2), 15);
    expect(g[1]).toBeCloseTo(2 / (2 * e + 2), 15);
    // large scores stay finite
    const h = softmaxWithResidual([800, 0]);
    expect(h[0]).toBeCloseTo(1, 15);
    expect(h.every(Number.isFinite)).toBe(true);
  });

  it('dims floor the factors and give the residual the rest; percent rounds to one decimal', () => {
    // fractions 1/(2+e) = 0.211941…, D = 2048: ⌊434.05…⌋ = 434, residual 2048 − 868 = 1180
    const dims = dimsFromFractions(softmaxWithResidual([0, 0]), 2048);
    expect(dims).toEqual([434, 434, 1180]);
    // 434/2048 = 21.19140625 % → 21.2; 1180/2048 = 57.6171875 % → 57.6
    expect(percentFromDims(dims, 2048)).toEqual([21.2, 21.2, 57.6]);
    expect(dimsFromFractions([0.5, 0.25, 0.25], 4)).toEqual([2, 1, 1]);
    expect(dimsFromFractions([0.3, 0.3, 0.4], 1)).toEqual([0, 0, 1]);
  });

  it('percent ties round up on the exact value', () => {
    // 1/2000 = 0.05 % exactly, 3/2000 = 0.15 %, 5/2000 = 0.25 %
    expect(percentFromDims([1, 3, 5, 1991], 2000)).toEqual([0.1, 0.2, 0.3, 99.6]);
    expect(percentFromDims([1, 2], 3)).toEqual([33.3, 66.7]);
  });

  it('percentile interpolates between order statistics (type 7)', () => {
    const xs = [10, 20, 30, 40, 50];
    expect(percentile(xs, 0)).toBe(10);
    expect(percentile(xs, 1)).toBe(50);
    expect(percentile(xs, 0.5)).toBe(30);
    expect(percentile(xs, 0.025)).toBeCloseTo(11, 12);
    expect(percentile(xs, 0.975)).toBeCloseTo(49, 12);
  });
});
