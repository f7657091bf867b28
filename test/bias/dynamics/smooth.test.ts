import { describe, expect, it } from 'vitest';
import { movingAverage } from '@shapetex/bias';

const ramp = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('movingAverage (centred, truncated at the ends)', () => {
  it('odd k: a ramp is reproduced inside, the ends average the points that exist', () => {
    const out = movingAverage(ramp(10), 5);
    // interior: mean(i−2 … i+2) = i
    for (let i = 2; i <= 7; i++) expect(out[i]).toBeCloseTo(i, 12);
    expect(out[0]).toBeCloseTo((0 + 1 + 2) / 3, 12);
    expect(out[1]).toBeCloseTo((0 + 1 + 2 + 3) / 4, 12);
    expect(out[8]).toBeCloseTo((6 + 7 + 8 + 9) / 4, 12);
    expect(out[9]).toBeCloseTo((7 + 8 + 9) / 3, 12);
  });

  it('even k holds one more point before than after: k = 4 averages i−2 … i+1', () => {
    const out = movingAverage(ramp(8), 4);
    for (let i = 2; i <= 6; i++) expect(out[i]).toBeCloseTo(i - 0.5, 12);
    expect(out[0]).toBeCloseTo(0.5, 12); // {0, 1}
    expect(out[1]).toBeCloseTo(1, 12); // {0, 1, 2}
    expect(out[7]).toBeCloseTo((5 + 6 + 7) / 3, 12); // {5, 6, 7}
    // k = 2: {i−1, i}
    expect(movingAverage([1, 3, 7, 15], 2)).toEqual([1, 2, 5, 11]);
  });

  it('k = 1 is the identity; k ≥ 2n gives the overall mean everywhere; length is kept', () => {
    const xs = [3, -1, 4, 1, 5];
    expect(movingAverage(xs, 1)).toEqual(xs);
    for (const v of movingAverage(xs, 100)) expect(v).toBeCloseTo(12 / 5, 12);
    expect(movingAverage([], 5)).toEqual([]);
    expect(movingAverage([7], 5)).toEqual([7]);
  });

  it('a spike spreads as 1/k over the window', () => {
    const xs = new Array(11).fill(0);
    xs[5] = 5;
    const out = movingAverage(xs, 5);
    expect(out.slice(3, 8)).toEqual([1, 1, 1, 1, 1]);
    expect(out[2]).toBe(0);
    expect(out[8]).toBe(0);
  });

  it('rejects a bad window or non-finite values', () => {
    expect(() => movingAverage([1, 2], 0)).toThrow(/positive integer, got 0/);
    expect(() => movingAverage([1, 2], 2.5)).toThrow(/positive integer, got 2.5/);
    expect(() => movingAverage([1, NaN], 3)).toThrow(/value 1 is NaN/);
  });
});
