import { describe, expect, it } from 'vitest';
import { createRng } from '@shapetex/core';
import { estimateDimensions, estimateFromPairs, pairsCsv, PAIRS_CSV_HEADER, samplePairs } from '@shapetex/bias';
import { svocSet } from './records.js';

// 40 contents over 8 classes, each in textures 0..4 (a reference-built folder's numbering).
const set = svocSet(Array.from({ length: 40 }, (_, c) => [1 + (c % 8), [0, 1, 2, 3, 4]] as [number, number[]]));

describe("samplePairs with pairing 'reference'", () => {
  const pairs = samplePairs(set, { seed: 3, pairing: 'reference' });

  it('anchors exactly one pair per record, in record order', () => {
    expect(pairs.pairing).toBe('reference');
    expect(Array.from(pairs.a)).toEqual(set.records.map((_, i) => i));
    expect(pairs.rows).toBe(set.records.length);
  });

  it('draws the factor uniformly from {0, 1, 2, 3}: counts within 4 sigma of N/4 each', () => {
    const big = svocSet(Array.from({ length: 800 }, (_, c) => [1 + (c % 20), [0, 1, 2, 3, 4]] as [number, number[]]));
    const p = samplePairs(big, { seed: 0, pairing: 'reference' });
    const n = p.factor.length;
    const hist = [0, 0, 0, 0];
    for (const f of p.factor) hist[f]!++;
    expect(hist.reduce((a, b) => a + b, 0)).toBe(n);
    const sd = Math.sqrt(n * 0.25 * 0.75);
    for (const h of hist) expect(Math.abs(h - n / 4)).toBeLessThan(4 * sd);
    expect(p.counts).toEqual([hist[0], hist[1]]);
  });

  it('makes factor 0 shape pairs and factors 1–3 texture pairs', () => {
    const r = set.records;
    for (let p = 0; p < pairs.a.length; p++) {
      const a = r[pairs.a[p]!]!, b = r[pairs.b[p]!]!;
      if (pairs.factor[p] === 0) {
        expect(b.contentId).toBe(a.contentId);
        expect(b.textureId).not.toBe(a.textureId);
      } else {
        expect(b.textureId).toBe(a.textureId);
        expect(b.classId).not.toBe(a.classId);
      }
    }
    expect(new Set(pairs.factor)).toEqual(new Set([0, 1, 2, 3]));
  });

  it('depends only on the seed', () => {
    const again = samplePairs(set, { seed: 3, pairing: 'reference' });
    expect(Array.from(again.b)).toEqual(Array.from(pairs.b));
    expect(Array.from(again.factor)).toEqual(Array.from(pairs.factor));
    const other = samplePairs(set, { seed: 4, pairing: 'reference' });
    expect(Array.from(other.factor)).not.toEqual(Array.from(pairs.factor));
  });

  it('refuses pairsPerFactor, which does not apply to one pair per record', () => {
    expect(() => samplePairs(set, { pairing: 'reference', pairsPerFactor: 5 })).toThrow(/pairsPerFactor does not apply to the reference pairing/);
    expect(() => samplePairs(set, { pairing: 'nope' as never })).toThrow(/pairing must be balanced or reference/);
  });

  it('scores factors 0 and 1 only while every row enters V: estimateDimensions equals the reference form', () => {
    const rng = createRng(9);
    const D = 6;
    const features = Float32Array.from({ length: set.records.length * D }, () => rng.normal());
    const est = estimateDimensions(features, D, pairs, { method: 'pooled' });
    const P = pairs.a.length;
    const za = new Float64Array(P * D), zb = new Float64Array(P * D);
    for (let p = 0; p < P; p++) {
      za.set(features.subarray(pairs.a[p]! * D, pairs.a[p]! * D + D), p * D);
      zb.set(features.subarray(pairs.b[p]! * D, pairs.b[p]! * D + D), p * D);
    }
    const ref = estimateFromPairs(za, zb, pairs.factor, D, { method: 'pooled' });
    est.scores.forEach((s, k) => expect(s).toBeCloseTo(ref.scores[k]!, 12));
    expect(est.pairs).toEqual(pairs.counts);
    // Dropping the rows ≥ 2 changes V, hence the scores: they really enter.
    const keep = Array.from(pairs.factor.keys()).filter((p) => pairs.factor[p]! < 2);
    const only = estimateDimensions(features, D, {
      ...pairs, a: Int32Array.from(keep.map((p) => pairs.a[p]!)), b: Int32Array.from(keep.map((p) => pairs.b[p]!)),
      factor: Int32Array.from(keep.map((p) => pairs.factor[p]!)),
    }, { method: 'pooled' });
    expect(Math.abs(only.scores[0]! - est.scores[0]!)).toBeGreaterThan(1e-6);
  });

  it('is still an error to hand balanced pairs a factor index ≥ K', () => {
    const bal = samplePairs(set, { seed: 0 });
    const features = new Float32Array(set.records.length * 2).map((_, i) => i % 7);
    const bad = { ...bal, factor: bal.factor.map((f, p) => (p === 0 ? 2 : f)) };
    expect(() => estimateDimensions(features, 2, bad)).toThrow(/pair 0 has factor 2, outside 0\.\.1/);
  });
});

describe('pairsCsv', () => {
  it('writes factor,factor_name,a,b with paths relative to the probe root, one line per pair', () => {
    const pairs = samplePairs(set, { seed: 3, pairing: 'reference' });
    const text = pairsCsv(pairs, set);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(PAIRS_CSV_HEADER);
    expect(PAIRS_CSV_HEADER).toBe('factor,factor_name,a,b');
    expect(lines).toHaveLength(pairs.a.length + 1);
    lines.slice(1).forEach((l, p) => {
      const [f, name, a, b] = l.split(',');
      expect(Number(f)).toBe(pairs.factor[p]);
      expect(name).toBe(pairs.factor[p] === 0 ? 'shape' : 'texture');
      expect(a).toBe(set.records[pairs.a[p]!]!.file);
      expect(b).toBe(set.records[pairs.b[p]!]!.file);
    });
    expect(pairsCsv(samplePairs(set, { seed: 3, pairing: 'reference' }), set)).toBe(text);
  });

  it('numbers balanced pairs 0 shape, 1 texture and quotes a name holding a comma', () => {
    const pairs = samplePairs(set, { seed: 0 });
    const text = pairsCsv(pairs, set);
    expect(text.split('\n').filter((l) => l.startsWith('0,shape,')).length).toBe(pairs.counts[0]);
    expect(text.split('\n').filter((l) => l.startsWith('1,texture,')).length).toBe(pairs.counts[1]);
    const odd = { ...set, records: set.records.map((r, i) => (i === 0 ? { ...r, file: 'a,b.jpg' } : r)) };
    expect(pairsCsv(pairs, odd)).toContain('"a,b.jpg"');
  });
});
