import { describe, expect, it } from 'vitest';
import { estimateFromPairs } from '@shapetex/bias';
import { expectedFractions, planted } from './planted.js';

// 16 shape units with ρ = 1/(1+1) = 0.5 in shape pairs, 16 texture units with ρ = 2/(2+0.5) = 0.8
// in texture pairs, 16 noise units.
const spec = { n: 1500, Ds: 16, Dt: 16, Dn: 16, vu: 1, s2: 1, vt: 2, t2: 0.5 };

describe('estimators on planted latents (closed form)', () => {
  const data = planted({ ...spec, seed: 1 });

  it('per-neuron scores and fractions match var/(var+σ²) within 4 standard errors', () => {
    const est = estimateFromPairs(data.za, data.zb, data.factor, data.D);
    expect(est.method).toBe('per-neuron');
    expect(est.factors).toEqual(['shape', 'texture']);
    expect(est.pairs).toEqual([spec.n, spec.n]);
    expect(est.scores[2]).toBe(1);
    for (const k of [0, 1]) expect(Math.abs(est.scores[k]! - data.perNeuron[k]!)).toBeLessThan(4 * data.perNeuronSd[k]!);
    const want = expectedFractions(data.perNeuron);
    // |∂f/∂s| ≤ ¼ for a softmax, so each fraction moves at most ¼·Σ 4·sd
    const tol = 0.25 * 4 * (data.perNeuronSd[0]! + data.perNeuronSd[1]!);
    est.fractions.forEach((f, k) => expect(Math.abs(f - want[k]!)).toBeLessThan(tol));
    expect(est.dims.reduce((a, b) => a + b, 0)).toBe(data.D);
    expect(est.deadUnits).toBe(0);
  });

  it('pooled scores match cov/V within 4 standard errors', () => {
    const est = estimateFromPairs(data.za, data.zb, data.factor, data.D, { method: 'pooled' });
    for (const k of [0, 1]) expect(Math.abs(est.scores[k]! - data.pooled[k]!)).toBeLessThan(4 * data.pooledSd[k]! + 2 / spec.n);
  });

  it('the mutual-information bound sums −½log(1−ρ²) over the carrying units', () => {
    const est = estimateFromPairs(data.za, data.zb, data.factor, data.D, { mutualInformation: true });
    const want = [16 * -0.5 * Math.log(1 - 0.25), 16 * -0.5 * Math.log(1 - 0.64)];
    // noise units add about ½·ρ̂² ≈ 1/(2n) each; allow that plus 10 %
    want.forEach((w, k) => expect(Math.abs(est.mi![k]! - w)).toBeLessThan(0.1 * w + 32 / spec.n));
  });

  it('bootstrap intervals cover the closed-form fractions at about the nominal 95 %', () => {
    // 20 independent data sets: a 95 % interval should miss at most a few (P(≤ 14 covered) ≈ 0.3 %)
    const covered = [0, 0];
    const widths: number[][] = [[], []];
    const want = expectedFractions(data.perNeuron);
    for (let s = 0; s < 20; s++) {
      const d = planted({ ...spec, n: 600, seed: 100 + s });
      const est = estimateFromPairs(d.za, d.zb, d.factor, d.D, { bootstrap: 200, seed: s, bootstrapMethod: 'linearized' });
      expect(est.ci!.method).toBe('linearized');
      for (const k of [0, 1]) {
        if (est.ci!.low[k]! <= want[k]! && want[k]! <= est.ci!.high[k]!) covered[k]!++;
        widths[k]!.push(est.ci!.high[k]! - est.ci!.low[k]!);
      }
    }
    expect(covered[0]).toBeGreaterThanOrEqual(15);
    expect(covered[1]).toBeGreaterThanOrEqual(15);
    // width ≈ 2·1.96·sd(fraction), sd from the delta method through the softmax
    const d = planted({ ...spec, n: 600, seed: 0 });
    const [fs, ft] = want as [number, number];
    const sd = [
      Math.hypot(fs * (1 - fs) * d.perNeuronSd[0]!, fs * ft * d.perNeuronSd[1]!),
      Math.hypot(ft * fs * d.perNeuronSd[0]!, ft * (1 - ft) * d.perNeuronSd[1]!),
    ];
    for (const k of [0, 1]) {
      const mean = widths[k]!.reduce((a, b) => a + b, 0) / widths[k]!.length;
      expect(mean / (2 * 1.96 * sd[k]!)).toBeGreaterThan(0.75);
      expect(mean / (2 * 1.96 * sd[k]!)).toBeLessThan(1.25);
    }
  });

  it('linearized and exact bootstrap agree on the same resamples', () => {
    const d = planted({ ...spec, n: 400, seed: 7 });
    for (const method of ['per-neuron', 'pooled'] as const) {
      const exact = estimateFromPairs(d.za, d.zb, d.factor, d.D, { method, bootstrap: 200, seed: 3, bootstrapMethod: 'exact' });
      const lin = estimateFromPairs(d.za, d.zb, d.factor, d.D, { method, bootstrap: 200, seed: 3, bootstrapMethod: 'linearized' });
      expect(exact.ci!.method).toBe('exact');
      // pooled's squared mean gap ¼(ā−b̄)² has a second-order term E[δ²] ~ 1/n that linearizing
      // drops, so it is allowed more room than per-neuron
      const room = method === 'pooled' ? 0.1 : 0.05;
      for (const k of [0, 1]) {
        const width = exact.ci!.high[k]! - exact.ci!.low[k]!;
        expect(width).toBeGreaterThan(0);
        expect(Math.abs(lin.ci!.low[k]! - exact.ci!.low[k]!)).toBeLessThan(room * width);
        expect(Math.abs(lin.ci!.high[k]! - exact.ci!.high[k]!)).toBeLessThan(room * width);
        expect(exact.ci!.low[k]!).toBeLessThan(exact.fractions[k]!);
        expect(exact.ci!.high[k]!).toBeGreaterThan(exact.fractions[k]!);
      }
    }
  });

  it('bootstrap is seeded: same seed same interval, another seed another', () => {
    const d = planted({ ...spec, n: 200, seed: 9 });
    const x = estimateFromPairs(d.za, d.zb, d.factor, d.D, { bootstrap: 50, seed: 4 });
    const y = estimateFromPairs(d.za, d.zb, d.factor, d.D, { bootstrap: 50, seed: 4 });
    const z = estimateFromPairs(d.za, d.zb, d.factor, d.D, { bootstrap: 50, seed: 5 });
    expect(y.ci).toEqual(x.ci);
    expect(z.ci!.low).not.toEqual(x.ci!.low);
    expect(x.ci!.low.length).toBe(2);
  });
});
