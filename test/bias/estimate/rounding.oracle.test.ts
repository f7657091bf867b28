// Percent rounding `python` against Python itself: round(100 * (d / D), 1) for every d at each D,
// as the reference implementation's dim_est computes its percentages.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { percentFromDims, roundHalfEven1 } from '@shapetex/bias';
import { findTorchPython } from '../../torch-python.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.resolve(here, '../../fixtures/reference/python_round.py');
const PYTHON = findTorchPython(['json']);
// The D, plus sizes whose d/D is not exact in binary (the two roundings then matter).
const SIZES = [512, 1024, 2048, 100, 1000, 513, 384, 1280, 2049];

describe("percent rounding 'python' equals Python's round(100 * (d / D), 1)", () => {
  const r = spawnSync(PYTHON, [SCRIPT, ...SIZES.map(String)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`python_round.py failed: ${r.stderr}`);
  const want = JSON.parse(r.stdout) as Record<string, number[]>;

  for (const D of SIZES) {
    it(`every d in 0..${D}`, () => {
      const ws = want[String(D)]!;
      expect(ws).toHaveLength(D + 1);
      const dims = Array.from({ length: D + 1 }, (_, d) => d);
      const got = percentFromDims(dims, D, 'python');
      const wrong = dims.filter((d) => !Object.is(got[d], ws[d]));
      expect(wrong.map((d) => `${d}: ${got[d]} vs ${ws[d]}`)).toEqual([]);
    });
  }

  it('differs from half-up where Python lands on the even side (the check can fail)', () => {
    // 0.25 is an exact binary tie: Python gives 0.2, half-up 0.3. d = 5 at D = 2000 is 0.25 %.
    expect(roundHalfEven1(0.25)).toBe(0.2);
    expect(percentFromDims([5], 2000, 'half-up')).toEqual([0.3]);
    expect(percentFromDims([5], 2000, 'python')).toEqual([0.2]);
    const ws = want['512']!;
    const halfUp = percentFromDims(Array.from({ length: 513 }, (_, d) => d), 512, 'half-up');
    expect(halfUp.some((v, d) => v !== ws[d])).toBe(true);
  });
});
