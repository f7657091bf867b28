/**
 * The bicubic resample behind position-embedding interpolation against PyTorch's
 * F.interpolate(mode='bicubic', align_corners=False) (bicubic.ref.* from make_vit.py), and its
 * closed-form properties.
 */
import { describe, expect, it } from 'vitest';
import { bicubicResize, cubicWeights, resamplePosEmbed } from '@shapetex/core';
import { FIX, expectClose } from './others-parity.js';
import { readRefArraysIn } from './vit-fixtures.js';

describe('bicubic resample (position embeddings)', () => {
  it('equals PyTorch bicubic, align_corners=False, on up-, down- and anisotropic resizes', () => {
    const { meta, arrays } = readRefArraysIn(FIX, 'bicubic');
    const cases = meta.cases as string[];
    expect(cases.length).toBe(6);
    for (const c of cases) {
      const inp = arrays[`${c}:in`]!;
      const out = arrays[`${c}:out`]!;
      const [h, w, C] = inp.shape as [number, number, number];
      const [oh, ow] = out.shape as [number, number, number];
      const got = bicubicResize(inp.data, h, w, C, oh, ow);
      expect(got.length).toBe(out.data.length);
      expect(expectClose(got, out.data, c)).toBeLessThan(1e-6);
    }
  });

  it('cubic weights (a = −0.75) sum to one and interpolate: t = 0 picks the centre tap', () => {
    for (const t of [0, 0.1, 0.25, 0.5, 0.9]) expect(cubicWeights(t).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(cubicWeights(0)).toEqual([0, 1, 0, 0]);
    // Keys' kernel at distance 1.5 with a = −0.75: a(1.5³ − 5·1.5² + 8·1.5 − 4) = 0.09375
    expect(cubicWeights(0.5)[0]).toBeCloseTo(-0.09375, 12);
  });

  it('a constant grid stays constant; the prefix tokens are kept; a non-square trained grid is refused', () => {
    const D = 3;
    const pos = new Float32Array((2 + 16) * D).fill(0.25);
    pos.set([1, 2, 3, 4, 5, 6]);
    const out = resamplePosEmbed(pos, D, 2, 6, 5);
    expect(out.length).toBe((2 + 30) * D);
    expect([...out.slice(0, 6)]).toEqual([1, 2, 3, 4, 5, 6]);
    for (const v of out.slice(6)) expect(v).toBeCloseTo(0.25, 6);
    expect(resamplePosEmbed(pos, D, 2, 4, 4)).toBe(pos);
    expect(() => resamplePosEmbed(new Float32Array((1 + 6) * D), D, 1, 3, 3)).toThrow(/6 patch positions, not a square grid/);
  });
});
