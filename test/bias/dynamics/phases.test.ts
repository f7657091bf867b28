import { describe, expect, it } from 'vitest';
import { splitPhases } from '@shapetex/bias';

/**
 * Falls 2 pp per epoch to 10 at i = 10, flat to i = 15, rises 1 pp per epoch to 20 at i = 25,
 * flat after. With w = 5: Δ_i = 10 for i ≤ 5, then 8, 6, 4, 2, Δ_10 = |e_10 − e_15| = 0 (i1),
 * Δ_11 = |10 − 11| = 1 (j), rising Δ = 1…5 up to i = 24, Δ_25 = 0 (i2).
 */
function fallFlatRiseFlat(): number[] {
  return Array.from({ length: 40 }, (_, i) =>
    i <= 10 ? 30 - 2 * i : i <= 15 ? 10 : i <= 25 ? 10 + (i - 15) : 20,
  );
}

describe('splitPhases, threshold method (SPEC §7)', () => {
  it('finds i1, j, i2 on a constructed curve and shares the boundaries', () => {
    const e = fallFlatRiseFlat();
    const epochs = e.map((_, i) => 2 + i);
    const split = splitPhases(e, { epochs });
    expect(split).not.toBeNull();
    expect(split!.method).toBe('threshold');
    expect(split!.indices).toEqual({ i1: 10, j: 11, i2: 25 });
    expect(split!.boundaries).toEqual([12, 27]);
    const [p1, p2, p3] = split!.phases;
    expect(p1).toEqual({ name: '1', start: 0, end: 10, startEpoch: 2, endEpoch: 12 });
    expect(p2).toEqual({ name: '2', start: 10, end: 25, startEpoch: 12, endEpoch: 27 });
    expect(p3).toEqual({ name: '3', start: 25, end: 39, startEpoch: 27, endEpoch: 41 });
  });

  it('Δ = θ counts as flat, Δ just above θ does not (integer curve, θ = 1)', () => {
    // steps of 2 (Δ over w = 1 is 2 > θ), then steps of exactly 1 (Δ = θ → flat) from i = 4,
    // then a jump of 3 at i = 8 → j = 7, then constant → i2 = 8
    const e = [20, 18, 16, 14, 12, 11, 10, 9, 6, 6, 6];
    const split = splitPhases(e, { window: 1, theta: 1 });
    // Δ = 2, 2, 2, 2, then Δ_4 = |12 − 11| = 1 = θ → i1 = 4; Δ_7 = |9 − 6| = 3 → j = 7; Δ_8 = 0 → i2 = 8
    expect(split!.indices).toEqual({ i1: 4, j: 7, i2: 8 });
    const delta = e.slice(0, -1).map((v, i) => Math.abs(v - e[i + 1]));
    const i1 = delta.findIndex((d) => d <= 1);
    const j = delta.findIndex((d, i) => i > i1 && d > 1);
    const i2 = delta.findIndex((d, i) => i > j && d <= 1);
    expect(split!.indices).toEqual({ i1, j, i2 });
  });

  it('the default θ = 0.1 pp ignores wiggles below it on a plateau', () => {
    const e = fallFlatRiseFlat().map((v, i) => v + (i % 2 === 0 ? 0.04 : 0));
    const split = splitPhases(e);
    expect(split!.indices.i1).toBe(10);
    expect(split!.indices.i2).toBe(25);
  });

  it('takes errors as given by default; smooth: k applies a moving average first', () => {
    // falls to 10 at i = 10, flat to i = 20, rises 1 pp per epoch to 20 at i = 30, flat to 45
    const e = Array.from({ length: 46 }, (_, i) => (i <= 10 ? 30 - 2 * i : i <= 20 ? 10 : i <= 30 ? i - 10 : 20));
    // raw: Δ_10 = 0 → i1 = 10; Δ_16 = |10 − 11| → j = 16; Δ_30 = 0 → i2 = 30
    expect(splitPhases(e)!.indices).toEqual({ i1: 10, j: 16, i2: 30 });
    // 3-point average: s_10 = 32/3, s_11 … s_19 = 10, s_20 = 31/3, s_29 = 19, s_30 = 59/3, s_31 … = 20
    // → Δ_10 = 2/3, Δ_11 = 0 (i1 = 11); Δ_15 = 1/3 (j = 15); first Δ ≤ θ after is at 31 (i2)
    expect(splitPhases(e, { smooth: 3 })!.indices).toEqual({ i1: 11, j: 15, i2: 31 });
    // a six-point plateau cannot hold two flat points w = 5 apart once its corners are rounded
    expect(splitPhases(fallFlatRiseFlat())).not.toBeNull();
    expect(splitPhases(fallFlatRiseFlat(), { smooth: 3 })).toBeNull();
  });

  it('no split → null: monotone descent, flat forever, no second flattening, too short', () => {
    const descent = Array.from({ length: 30 }, (_, i) => 50 - i);
    expect(splitPhases(descent)).toBeNull();
    const flatForever = Array.from({ length: 30 }, (_, i) => (i < 10 ? 50 - 3 * i : 23));
    expect(splitPhases(flatForever)).toBeNull();
    const risesToEnd = Array.from({ length: 30 }, (_, i) => (i <= 10 ? 30 - 2 * i : i <= 15 ? 10 : 10 + (i - 15)));
    expect(splitPhases(risesToEnd)).toBeNull();
    expect(splitPhases([5, 4, 3])).toBeNull();
    expect(splitPhases([])).toBeNull();
  });

  it('rejects mismatched or unordered epochs and bad options', () => {
    expect(() => splitPhases([1, 2, 3], { epochs: [1, 2] })).toThrow(/3 errors but 2 epochs/);
    expect(() => splitPhases([1, 2, 3], { epochs: [1, 3, 2] })).toThrow(/increase strictly, got 3 then 2/);
    expect(() => splitPhases([1, NaN])).toThrow(/error 1 \(epoch 1\) is NaN/);
    expect(() => splitPhases([1, 2], { window: 0 })).toThrow(/window/);
    expect(() => splitPhases([1, 2], { method: 'median' as never })).toThrow(/unknown method 'median'/);
  });
});

describe('splitPhases, extrema method', () => {
  // V then Λ with equal slopes either side, so a centred average keeps the extrema in place
  const vee = Array.from({ length: 36 }, (_, i) => (i <= 10 ? 30 - 2 * i : i <= 20 ? 10 + 2 * (i - 10) : 30 - 2 * (i - 20)));

  it('Phase 1 ends at the first local minimum, Phase 2 at the next local maximum', () => {
    const split = splitPhases(vee, { method: 'extrema' })!; // smooth 5 by default
    expect(split.indices).toEqual({ i1: 10, i2: 20 });
    expect(split.phases.map((p) => [p.start, p.end])).toEqual([[0, 10], [10, 20], [20, 35]]);
    expect(splitPhases(vee, { method: 'extrema', smooth: 1, epochs: vee.map((_, i) => 10 * i) })!.boundaries).toEqual([100, 200]);
  });

  it('a flat minimum counts once, at its first point; smoothing removes a one-epoch blip', () => {
    const flatMin = [9, 7, 5, 3, 3, 3, 4, 6, 8, 6, 4];
    expect(splitPhases(flatMin, { method: 'extrema', smooth: 1 })!.indices).toEqual({ i1: 3, i2: 8 });
    const blip = vee.slice();
    blip[4] += 5; // a raw local max at 4 and minimum at 5 before the true minimum
    expect(splitPhases(blip, { method: 'extrema', smooth: 1 })!.indices.i1).toBe(3);
    expect(splitPhases(blip, { method: 'extrema', smooth: 5 })!.indices.i1).toBe(10);
  });

  it('no minimum, or no maximum after it → null', () => {
    expect(splitPhases([5, 4, 3, 2, 1], { method: 'extrema', smooth: 1 })).toBeNull();
    expect(splitPhases([5, 4, 3, 4, 5, 6], { method: 'extrema', smooth: 1 })).toBeNull();
    expect(splitPhases([1, 1, 1, 1], { method: 'extrema' })).toBeNull();
  });
});
