import { describe, expect, it } from 'vitest';
import { samplePairs } from '@shapetex/bias';
import { gridSet, svocSet } from './records.js';

describe('samplePairs on synthetic K-factor sets', () => {
  it('a pair for factor k shares k and differs in every other factor (K = 3)', () => {
    const set = gridSet(['shape', 'texture', 'color'], [4, 3, 3]);
    const pairs = samplePairs(set, { seed: 2 });
    expect(pairs.rule).toBe('factors');
    expect(pairs.factors).toEqual(['shape', 'texture', 'color']);
    expect(pairs.counts).toEqual([36, 36, 36]);
    const f = set.records.map((r) => r.factors);
    for (let p = 0; p < pairs.a.length; p++) {
      const k = pairs.factor[p]!, a = f[pairs.a[p]!]!, b = f[pairs.b[p]!]!;
      set.factors.forEach((name, j) => {
        if (j === k) expect(b[name]).toBe(a[name]);
        else expect(b[name]).not.toBe(a[name]);
      });
    }
  });

  it('draws b uniformly among the valid partners', () => {
    // shape pairs in a 2×3×3 grid: the anchor has (3−1)·(3−1) = 4 valid partners
    const set = gridSet(['shape', 'texture', 'color'], [2, 3, 3]);
    const counts = new Map<number, number>();
    const runs = 4000;
    for (let s = 0; s < runs; s++) {
      const b = samplePairs(set, { seed: s }).b[0]!;
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    expect(counts.size).toBe(4);
    for (const c of counts.values()) expect(Math.abs(c - runs / 4)).toBeLessThan(5 * Math.sqrt(runs * 0.25 * 0.75));
  });

  it('a synthetic set with factors [shape, texture] uses the generic rule', () => {
    const set = svocSet([[1, [1, 2]], [1, [1, 2]], [2, [1, 2]]], 'synthetic');
    const pairs = samplePairs(set);
    expect(pairs.rule).toBe('factors');
    // generic shape pair: same factors.shape (class + content key) and a different texture
    for (let p = 0; p < pairs.a.length; p++) {
      const a = set.records[pairs.a[p]!]!.factors, b = set.records[pairs.b[p]!]!.factors;
      const k = pairs.factor[p]!;
      expect(b[set.factors[k]!]).toBe(a[set.factors[k]!]);
      expect(b[set.factors[1 - k]!]).not.toBe(a[set.factors[1 - k]!]);
    }
  });

  it('K = 1 pairs any two records with the same value', () => {
    const set = gridSet(['shape'], [3]);
    const doubled = { ...set, records: [...set.records, ...set.records.map((r) => ({ ...r, file: 'dup_' + r.file }))] };
    const pairs = samplePairs(doubled);
    for (let p = 0; p < pairs.a.length; p++) {
      expect(pairs.b[p]).not.toBe(pairs.a[p]);
      expect(doubled.records[pairs.b[p]!]!.factors.shape).toBe(doubled.records[pairs.a[p]!]!.factors.shape);
    }
  });

  it('names the factor that cannot be paired and why', () => {
    // a single colour: no pair can differ in colour, so neither shape nor texture can be paired
    const oneColor = gridSet(['shape', 'texture', 'color'], [3, 3, 1]);
    expect(() => samplePairs(oneColor)).toThrow(/factor 'shape' cannot be paired.*differs in every other factor.*1 distinct 'color'/);
    // a diagonal set: every shape appears once, so nothing shares an anchor's shape
    const diagonal = gridSet(['shape', 'texture'], [4, 4], ([s, t]) => s === t);
    expect(() => samplePairs(diagonal)).toThrow(/factor 'shape' cannot be paired/);
  });

  it('names a record that lacks a factor value', () => {
    const set = gridSet(['shape', 'texture', 'color'], [2, 2, 2]);
    delete (set.records[5]!.factors as Record<string, unknown>).color;
    expect(() => samplePairs(set)).toThrow(/record 5 \(img_1_0_1\.png\) has no usable value for factor 'color'/);
  });
});
