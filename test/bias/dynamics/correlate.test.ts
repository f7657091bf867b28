import { describe, expect, it } from 'vitest';
import { NOISE_WIDTH_DEFAULT, fisherInterval, movingAverage, pearsonOrNull, phaseCorrelations, splitPhases } from '@shapetex/bias';
import { pearson } from '../oracle-stats.js';

// the phase tests' curve, with a slow second descent (0.075 pp per 5 epochs ≤ θ): i1 = 10, i2 = 25
const errors = Array.from({ length: 40 }, (_, i) => (i <= 10 ? 30 - 2 * i : i <= 15 ? 10 : i <= 25 ? 10 + (i - 15) : 20 - 0.015 * (i - 25)));
const epochs = errors.map((_, i) => 2 + i);

describe('pearsonOrNull', () => {
  it('matches a closed form and is N/A below 3 points or on a constant series', () => {
    // deviations (−2,−1,0,1,2) and (−1,−2,1,0,2): Σxy = 8, Σx² = Σy² = 10 → r = 0.8
    expect(pearsonOrNull([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])).toBeCloseTo(0.8, 14);
    expect(pearsonOrNull([1, 2], [3, 4])).toBeNull();
    expect(pearsonOrNull([1, 2, 3], [0.1, 0.1, 0.1])).toBeNull();
    expect(pearsonOrNull([4, 4, 4], [1, 2, 3])).toBeNull();
    expect(() => pearsonOrNull([1, 2, 3], [1, 2])).toThrow(/lengths differ \(3 vs 2\)/);
  });
});

describe('phaseCorrelations (SPEC §7)', () => {
  const split = splitPhases(errors, { epochs });
  // the split must exist for what follows, and must be the constructed one
  it('uses the constructed split', () => expect(split!.indices).toEqual({ i1: 10, j: 11, i2: 25 }));

  it('affine biases give r = ±1 in every phase and Score 1', () => {
    const shape = errors.map((e) => 0.3 - 0.01 * e);
    const texture = errors.map((e) => 0.05 + 0.002 * e);
    const rows = phaseCorrelations(errors, shape, texture, split, { smooth: 1 });
    expect(rows.map((r) => r.phase)).toEqual(['1', '2', '3', '1+2']);
    for (const r of rows) {
      expect(r.shapeR).toBeCloseTo(-1, 12);
      expect(r.textureR).toBeCloseTo(1, 12);
      expect(r.score).toBeCloseTo(1, 12);
    }
    expect(rows.map((r) => [r.startEpoch, r.endEpoch, r.n])).toEqual([
      [2, 12, 11],
      [12, 27, 16],
      [27, 41, 15],
      [2, 27, 26],
    ]);
  });

  it('constructed r values per phase, with the biases smoothed over the whole series first', () => {
    // not a sinusoid: a centred average maps sin(i) to a multiple of itself inside the series
    const shape = errors.map((_, i) => 0.2 + 0.004 * ((i * 7919) % 13));
    const texture = errors.map((_, i) => 0.1 + 0.001 * i * i);
    const rows = phaseCorrelations(errors, shape, texture, split); // smooth 5 by default
    const s = movingAverage(shape, 5);
    const t = movingAverage(texture, 5);
    const ranges: Record<string, [number, number]> = { '1': [0, 10], '2': [10, 25], '3': [25, 39], '1+2': [0, 25] };
    for (const r of rows) {
      const [a, b] = ranges[r.phase];
      const e = errors.slice(a, b + 1);
      const rs = pearson(e, s.slice(a, b + 1));
      const rt = pearson(e, t.slice(a, b + 1));
      expect(r.shapeR).toBeCloseTo(rs, 12);
      expect(r.textureR).toBeCloseTo(rt, 12);
      expect(r.score).toBeCloseTo((Math.abs(rs) + Math.abs(rt)) / 2, 12);
    }
    // smoothing matters: unsmoothed shape gives another r in Phase 2
    const raw = phaseCorrelations(errors, shape, texture, split, { smooth: 1 });
    expect(Math.abs(raw[1].shapeR! - rows[1].shapeR!)).toBeGreaterThan(1e-3);
  });

  it('with epochs, a phase takes the checkpoints whose epoch lies in its range', () => {
    // checkpoints every third epoch of the curve: epochs 2, 5, 8, …
    const idx = errors.map((_, i) => i).filter((i) => i % 3 === 0);
    const ce = idx.map((i) => errors[i]);
    const cEpochs = idx.map((i) => epochs[i]);
    const shape = ce.map((e, k) => e * e + k);
    const texture = ce.map((_, k) => Math.cos(k));
    const rows = phaseCorrelations(ce, shape, texture, split, { epochs: cEpochs, smooth: 1 });
    const phase1 = idx.map((_, k) => k).filter((k) => cEpochs[k] >= 2 && cEpochs[k] <= 12);
    expect(rows[0].n).toBe(phase1.length);
    expect(rows[0].shapeR).toBeCloseTo(pearson(phase1.map((k) => ce[k]), phase1.map((k) => shape[k])), 12);
    const phase3 = idx.map((_, k) => k).filter((k) => cEpochs[k] >= 27);
    expect(rows[2].textureR).toBeCloseTo(pearson(phase3.map((k) => ce[k]), phase3.map((k) => texture[k])), 12);
  });

  it('N/A, never a crash: no split, fewer than 3 points, a constant bias', () => {
    const shape = errors.map((e) => e / 100);
    const none = phaseCorrelations(errors, shape, shape, null);
    expect(none).toHaveLength(4);
    for (const r of none) expect(r).toMatchObject({ startEpoch: null, endEpoch: null, n: 0, shapeR: null, textureR: null, score: null });

    // three checkpoints in all: Phase 1 holds two of them
    const rows = phaseCorrelations([30, 10, 20], [0.1, 0.2, 0.3], [0.3, 0.1, 0.2], split, { epochs: [2, 12, 30], smooth: 1 });
    expect(rows[0]).toMatchObject({ n: 2, shapeR: null, textureR: null, score: null });
    expect(rows[2]).toMatchObject({ n: 1, shapeR: null, score: null });

    // constant shape bias: shape r N/A, texture r defined, Score N/A
    const flat = errors.map(() => 0.25);
    const tex = errors.map((e) => 1 - e / 100);
    const mixed = phaseCorrelations(errors, flat, tex, split);
    for (const r of mixed) {
      expect(r.shapeR).toBeNull();
      expect(r.textureR).not.toBeNull();
      expect(r.score).toBeNull();
    }
  });

  it("gives each r Fisher's interval over the phase's n, and Score a bootstrap interval around it", () => {
    const shape = errors.map((_, i) => 0.2 + 0.004 * ((i * 7919) % 13));
    const texture = errors.map((_, i) => 0.1 + 0.001 * i * i);
    for (const r of phaseCorrelations(errors, shape, texture, split)) {
      expect(r.shapeCi).toEqual(fisherInterval(r.shapeR, r.n));
      expect(r.textureCi).toEqual(fisherInterval(r.textureR, r.n));
      const [lo, hi] = r.scoreCi!;
      expect(lo).toBeLessThanOrEqual(r.score!);
      expect(hi).toBeGreaterThanOrEqual(r.score!);
      expect(0 <= lo && hi <= 1).toBe(true);
    }
    // N/A stays N/A: no interval without a figure
    for (const r of phaseCorrelations(errors, shape, texture, null)) expect([r.shapeCi, r.textureCi, r.scoreCi]).toEqual([null, null, null]);
  });

  it('flags a bias that moves less within a phase than its noise: 0.01 without bootstrap, else the mean CI width', () => {
    // texture moves 0.0004 per point inside Phase 1 (11 points: range 0.004 < 0.01), 0.01 per point after
    const texture = errors.map((_, i) => (i <= 10 ? 0.14 + 0.0004 * i : 0.144 + 0.01 * (i - 10)));
    const shape = errors.map((e) => 0.5 - 0.01 * e);
    const rows = phaseCorrelations(errors, shape, texture, split, { smooth: 1 });
    expect(NOISE_WIDTH_DEFAULT).toBe(0.01);
    expect(rows[0]!.noise.texture).toEqual({ range: expect.closeTo(0.004, 12), width: 0.01, basis: 'fixed', restsOnNoise: true });
    expect(rows[0]!.noise.shape!.restsOnNoise).toBe(false); // shape spans 0.2 in Phase 1
    expect(rows[1]!.noise.texture!.restsOnNoise).toBe(false); // 15 steps of 0.01 in Phase 2
    // with bootstrap widths: the phase's mean width is the bar (0.002 here, so Phase 1's 0.004 is signal)
    const widths = errors.map((_, i) => (i % 2 ? 0.001 : 0.003));
    const boot = phaseCorrelations(errors, shape, texture, split, { smooth: 1, ciWidth: { shape: widths, texture: widths } });
    const phase1Mean = widths.slice(0, 11).reduce((a, b) => a + b, 0) / 11;
    expect(boot[0]!.noise.texture).toEqual({ range: expect.closeTo(0.004, 12), width: expect.closeTo(phase1Mean, 14), basis: 'bootstrap', restsOnNoise: false });
    expect(() => phaseCorrelations(errors, shape, texture, split, { ciWidth: { shape: [0.1], texture: widths } })).toThrow(/1 shape and 40 texture interval widths/);
  });

  it('rejects series of different lengths', () => {
    expect(() => phaseCorrelations([1, 2, 3], [1, 2], [1, 2, 3], null)).toThrow(/3 errors, 2 shape and 3 texture/);
  });
});
