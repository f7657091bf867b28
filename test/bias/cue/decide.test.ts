/** Decisions and the shape bias on closed-form cases. */
import { describe, expect, it } from 'vitest';
import { categoryProbabilities, cueSummary, decideCategories, parseClassMap, builtinClassMap } from '@shapetex/bias';

const map = parseClassMap({ a: [0, 1], b: [2], c: [3] }, 'test');

describe('categoryProbabilities / decideCategories', () => {
  it('averages softmax probabilities over a category, not logits', () => {
    // logits a: 5, −5 (probabilities e^5/Z, e^−5/Z), b: 4, c: 0
    const z = [5, -5, 4, 0];
    const Z = Math.exp(5) + Math.exp(-5) + Math.exp(4) + 1;
    const p = categoryProbabilities(z, 0, 4, map);
    expect(p[0]).toBeCloseTo((Math.exp(5) + Math.exp(-5)) / 2 / Z, 15);
    expect(p[1]).toBeCloseTo(Math.exp(4) / Z, 15);
    expect(p[2]).toBeCloseTo(1 / Z, 15);
    // mean probability of a = (e^5 + e^−5)/2 ≈ 74.2 > e^4 ≈ 54.6: a wins; averaging the logits
    // (a: 0, b: 4) would say b
    expect(Array.from(decideCategories(z, 4, map))).toEqual([0]);
    // and the other way round: a = (3.4, 3.4) has mean logit 3.4 < 3.5 and mean probability e^3.4 < e^3.5
    expect(Array.from(decideCategories([3.4, 3.4, 3.5, 0], 4, map))).toEqual([1]);
  });

  it('does not overflow on large logits; ties go to the earlier category', () => {
    expect(Array.from(decideCategories([1000, 1000, 999, 0], 4, map))).toEqual([0]);
    expect(Array.from(decideCategories([0, 0, 0, 0], 4, map))).toEqual([0]);
    expect(() => decideCategories([1, 2, 3], 4, map)).toThrow(/not a whole number of 4-class rows/);
  });
});

describe('cueSummary', () => {
  const images = [
    { shape: 'a', texture: 'b' }, // decided a: shape
    { shape: 'a', texture: 'b' }, // decided b: texture
    { shape: 'b', texture: 'c' }, // decided b: shape
    { shape: 'b', texture: 'c' }, // decided a: neither
    { shape: 'c', texture: 'a' }, // decided c: shape
    { shape: 'a', texture: 'a' }, // same category: left out
    { shape: 'a', texture: 'zebra' }, // not in the map: left out
  ];
  const decisions = Int32Array.from([0, 1, 1, 0, 2, 0, 0]);

  it('counts shape, texture and other decisions over the conflicting, mapped images', () => {
    const s = cueSummary(images, decisions, map);
    expect(s).toMatchObject({ shapeDecisions: 3, textureDecisions: 1, otherDecisions: 1, images: 5, sameCategory: 1, unmapped: 1, ci: null });
    expect(s.shapeBias).toBe(3 / 4);
    expect(s.shapeAccuracy).toBe(3 / 5);
    expect(s.textureAccuracy).toBe(1 / 5);
  });

  it('gives a seeded percentile bootstrap interval around the bias', () => {
    const a = cueSummary(images, decisions, map, { bootstrap: 500, seed: 3 });
    const b = cueSummary(images, decisions, map, { bootstrap: 500, seed: 3 });
    expect(a.ci).toEqual(b.ci);
    expect(a.ci!.B).toBe(500);
    expect(a.ci!.low).toBeLessThanOrEqual(0.75);
    expect(a.ci!.high).toBeGreaterThanOrEqual(0.75);
    expect(a.ci!.low).toBeGreaterThanOrEqual(0);
    expect(a.ci!.high).toBe(1);
  });

  it('no cue decision at all: bias undefined (null), accuracies 0', () => {
    const s = cueSummary(images.slice(3, 4), Int32Array.from([0]), map, { bootstrap: 100 });
    expect(s).toMatchObject({ shapeBias: null, shapeAccuracy: 0, textureAccuracy: 0, otherDecisions: 1, images: 1, ci: null });
  });

  it('a CIFAR-10 head on VOC categories: images of classes it lacks are excluded and counted', () => {
    const m = builtinClassMap('cifar10-voc')!;
    const ims = [{ shape: 'cat', texture: 'dog' }, { shape: 'bottle', texture: 'dog' }, { shape: 'cat', texture: 'sofa' }, { shape: 'horse', texture: 'boat' }];
    const dec = Int32Array.from([m.categories.indexOf('dog'), 0, 0, m.categories.indexOf('horse')]);
    expect(cueSummary(ims, dec, m)).toMatchObject({ images: 2, unmapped: 2, shapeDecisions: 1, textureDecisions: 1, shapeBias: 0.5 });
  });
});
