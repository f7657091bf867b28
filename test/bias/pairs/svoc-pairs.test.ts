import { describe, expect, it } from 'vitest';
import { samplePairs, isSvocPairing, type Pairs } from '@shapetex/bias';
import { svocSet } from './records.js';

// 60 contents over 6 classes; most have all 5 textures, some only a few (a partly built set).
function mixedSet() {
  const contents: [number, number[]][] = [];
  for (let c = 0; c < 60; c++) {
    const textures = c % 7 === 3 ? [1, 4] : c % 11 === 5 ? [2, 3, 5] : [1, 2, 3, 4, 5];
    contents.push([(c % 6) + 1, textures]);
  }
  return svocSet(contents);
}

function pairsOf(pairs: Pairs, k: number): [number, number][] {
  const out: [number, number][] = [];
  for (let p = 0; p < pairs.a.length; p++) if (pairs.factor[p] === k) out.push([pairs.a[p]!, pairs.b[p]!]);
  return out;
}

describe('samplePairs on SVOC records', () => {
  const set = mixedSet();
  const recs = set.records;

  it('recognises SVOC by manifest kind, or by factors [shape, texture] without a manifest', () => {
    expect(isSvocPairing(set)).toBe(true);
    expect(isSvocPairing(svocSet([[1, [1, 2]]], 'svoc'))).toBe(true);
    expect(isSvocPairing(svocSet([[1, [1, 2]]], 'synthetic'))).toBe(false);
    expect(isSvocPairing({ ...set, factors: ['texture', 'shape'] })).toBe(false);
    expect(samplePairs(set).rule).toBe('svoc');
  });

  it('shape pairs share content and differ in texture; texture pairs share texture and differ in class', () => {
    const pairs = samplePairs(set, { seed: 3 });
    expect(pairs.factors).toEqual(['shape', 'texture']);
    const shape = pairsOf(pairs, 0), texture = pairsOf(pairs, 1);
    expect(shape.length).toBeGreaterThan(0);
    for (const [a, b] of shape) {
      expect(recs[b]!.contentId).toBe(recs[a]!.contentId);
      expect(recs[b]!.textureId).not.toBe(recs[a]!.textureId);
    }
    for (const [a, b] of texture) {
      expect(recs[b]!.textureId).toBe(recs[a]!.textureId);
      expect(recs[b]!.classId).not.toBe(recs[a]!.classId);
    }
  });

  it('by default every record anchors one pair per factor, in record order, grouped by factor', () => {
    const pairs = samplePairs(set);
    const N = recs.length;
    expect(pairs.counts).toEqual([N, N]);
    expect(pairs.unpairable).toEqual([0, 0]);
    expect(pairs.rows).toBe(N);
    expect(Array.from(pairs.factor)).toEqual([...new Array(N).fill(0), ...new Array(N).fill(1)]);
    expect(Array.from(pairs.a)).toEqual([...recs.keys(), ...recs.keys()]);
  });

  it('is deterministic in (records, seed, pairsPerFactor) and changes with the seed', () => {
    const x = samplePairs(set, { seed: 11, pairsPerFactor: 40 });
    const y = samplePairs({ ...set, records: recs.map((r) => ({ ...r })) }, { seed: 11, pairsPerFactor: 40 });
    expect(Array.from(y.a)).toEqual(Array.from(x.a));
    expect(Array.from(y.b)).toEqual(Array.from(x.b));
    const z = samplePairs(set, { seed: 12, pairsPerFactor: 40 });
    expect(Array.from(z.a).join() + Array.from(z.b).join()).not.toBe(Array.from(x.a).join() + Array.from(x.b).join());
  });

  it('pairsPerFactor draws that many distinct anchors per factor', () => {
    const pairs = samplePairs(set, { seed: 5, pairsPerFactor: 100 });
    expect(pairs.counts).toEqual([100, 100]);
    for (const k of [0, 1]) {
      const anchors = pairsOf(pairs, k).map(([a]) => a);
      expect(new Set(anchors).size).toBe(100);
    }
    // drawn without replacement: asking for every record gives every record
    const all = samplePairs(set, { seed: 5, pairsPerFactor: recs.length });
    expect(new Set(pairsOf(all, 0).map(([a]) => a)).size).toBe(recs.length);
    expect(() => samplePairs(set, { pairsPerFactor: recs.length + 1 })).toThrow(/pairsPerFactor = \d+ but factor 'shape' has only \d+ records/);
    expect(() => samplePairs(set, { pairsPerFactor: 0 })).toThrow(/positive integer/);
    expect(() => samplePairs(set, { pairsPerFactor: 2.5 })).toThrow(/positive integer/);
  });

  it("draws b's texture uniformly among the other textures present for the content", () => {
    // one content with textures 1..5: from the texture-1 anchor, b's texture is uniform over 2..5
    const one = svocSet([[1, [1, 2, 3, 4, 5]], [2, [1, 2, 3, 4, 5]]]);
    const counts = new Map<number, number>();
    const runs = 4000;
    for (let s = 0; s < runs; s++) {
      const pairs = samplePairs(one, { seed: s });
      const t = one.records[pairs.b[0]!]!.textureId;
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([2, 3, 4, 5]);
    // binomial sd of a count is √(runs·¼·¾) ≈ 27; allow 5 sd
    for (const c of counts.values()) expect(Math.abs(c - runs / 4)).toBeLessThan(5 * Math.sqrt(runs * 0.25 * 0.75));
  });

  it("draws b's class uniformly among the other classes with that texture, not uniformly among images", () => {
    // texture 1 holds 1 image of class 1, 9 of class 2, 3 of class 3: from the class-1 anchor,
    // classes 2 and 3 must come up equally often (image-uniform would give 9:3)
    const contents: [number, number[]][] = [[1, [1, 2]]];
    for (let i = 0; i < 9; i++) contents.push([2, [1, 2]]);
    for (let i = 0; i < 3; i++) contents.push([3, [1, 2]]);
    const set2 = svocSet(contents);
    const anchor = 0; // class 1, texture 1
    const N = set2.records.length;
    let class2 = 0;
    const runs = 4000;
    const seenImages = new Set<number>();
    for (let s = 0; s < runs; s++) {
      const pairs = samplePairs(set2, { seed: s });
      const b = pairs.b[N + anchor]!;
      expect(set2.records[b]!.textureId).toBe(1);
      if (set2.records[b]!.classId === 2) class2++;
      seenImages.add(b);
    }
    expect(Math.abs(class2 - runs / 2)).toBeLessThan(5 * Math.sqrt(runs * 0.25));
    expect(seenImages.size).toBe(12); // every texture-1 image of classes 2 and 3 is reachable
  });

  it('skips and counts records without a partner; a factor nobody can pair is an error naming it', () => {
    // content 2 exists in one texture only: it cannot anchor a shape pair
    const partial = svocSet([[1, [1, 2]], [2, [1]], [3, [1, 2]]]);
    const pairs = samplePairs(partial);
    expect(pairs.unpairable).toEqual([1, 0]);
    expect(pairs.counts).toEqual([4, 5]);
    expect(pairsOf(pairs, 0).map(([a]) => partial.records[a]!.contentId)).not.toContain('2007_000001');

    const oneTexture = svocSet([[1, [3]], [2, [3]], [3, [3]]]);
    expect(() => samplePairs(oneTexture)).toThrow(/factor 'shape' cannot be paired.*1 distinct textureId/);
    const oneClass = svocSet([[4, [1, 2]], [4, [1, 2]]]);
    expect(() => samplePairs(oneClass)).toThrow(/factor 'texture' cannot be paired.*1 distinct classId/);
  });

  it('rejects malformed SVOC records with the record named', () => {
    const bad = svocSet([[1, [1, 2]], [2, [1, 2]]]);
    (bad.records[2] as { textureId: unknown }).textureId = 'x';
    expect(() => samplePairs(bad)).toThrow(/SVOC record 2 \(1_2_2007_000001\.jpg\).*textureId=x/);
    expect(() => samplePairs({ ...bad, records: bad.records.slice(0, 1) })).toThrow(/at least 2 records/);
    expect(() => samplePairs(mixedSet(), { seed: 0.5 })).toThrow(/seed must be an integer/);
  });
});
