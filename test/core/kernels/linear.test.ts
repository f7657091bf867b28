import { describe, expect, it, beforeAll } from 'vitest';
import { createRequire } from 'node:module';
import { initBackend } from '@shapetex/core';
import { loadConvKernels, fmaInUse } from '../../../packages/core/dist/kernels/index.js';
import { combination, linearProgram } from '../../../packages/core/dist/kernels/winograd/linear.js';
import { tileTransforms } from '../../../packages/core/dist/kernels/winograd/transforms.js';
import { randoms } from './reference.js';

// wabt is core's dependency, not the root's
const wabtInit = createRequire(new URL('../../../packages/core/package.json', import.meta.url))('wabt') as typeof import('wabt').default;
let wabt: Awaited<ReturnType<typeof wabtInit>>;
beforeAll(async () => {
  await initBackend('wasm', { log: null });
  expect(await loadConvKernels()).toBe(true); // sets Node 20's relaxed-SIMD flag
  expect(fmaInUse()).toBe(true);
  wabt = await wabtInit();
});

/** y = R·x run as wasm: x (4 lanes each) read from memory at 0, y written after it. */
function runProgram(R: number[][], x: Float32Array, fma: boolean): Float32Array {
  const n = R[0]!.length;
  const p = linearProgram(R, Array.from({ length: n }, (_, i) => `(v128.load offset=${16 * i} (i32.const 0))`), 't', { fma });
  const stores = p.y.map((v, r) => `(v128.store offset=${16 * (n + r)} (i32.const 0) ${v})`);
  const text = `(module (memory (export "mem") 1)
    (func (export "run") ${p.temps.map((t) => `(local $${t} v128)`).join(' ')} ${p.code.join(' ')} ${stores.join(' ')}))`;
  const parsed = wabt.parseWat('linear.wat', text, { simd: true, relaxed_simd: fma });
  parsed.resolveNames();
  parsed.validate();
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(parsed.toBinary({}).buffer as Uint8Array<ArrayBuffer>));
  parsed.destroy();
  const mem = new Float32Array((exports.mem as WebAssembly.Memory).buffer);
  mem.set(x);
  (exports.run as () => void)();
  return mem.slice(4 * n, 4 * (n + R.length));
}

const ops = (text: string) => (text.match(/\(f32x4\./g) ?? []).length;

describe('straight-line y = R·x for the Winograd transforms (winograd/linear.ts)', () => {
  const F2 = tileTransforms(2), F4 = tileTransforms(4);
  const matrices: [string, number[][]][] = [
    ['F(2×2) Bᵀ', F2.BT], ['F(2×2) Aᵀ', F2.AT], ['F(4×4) Bᵀ', F4.BT], ['F(4×4) Aᵀ', F4.AT],
    // both kinds of pairs and a row of zeros but one
    ['mixed', [[1, 3, 3, -2, 0], [0, 3, -3, 2, 0], [2, 0, 0, 0, 1], [2, 0, 0, 0, -1], [0, 0, 0, 0, 5]]],
  ];

  it('equals R·x in float64 for every transform matrix, fused or not', () => {
    for (const [name, R] of matrices) {
      const n = R[0]!.length;
      const x = randoms(4 * n, 7);
      for (const fma of [true, false]) {
        const y = runProgram(R, x, fma);
        for (let r = 0; r < R.length; r++) {
          for (let lane = 0; lane < 4; lane++) {
            const want = R[r]!.reduce((s, c, i) => s + c * x[4 * i + lane]!, 0);
            expect(Math.abs(y[4 * r + lane]! - want), `${name} row ${r} lane ${lane} fma ${fma}`).toBeLessThan(1e-5 * (1 + Math.abs(want)));
          }
        }
      }
    }
  });

  it('shares the sums the paired points give: F(4×4) takes fewer instructions than row-by-row sums, half of them without FMA', () => {
    for (const [name, R] of [['Bᵀ', F4.BT], ['Aᵀ', F4.AT]] as const) {
      const n = R[0]!.length;
      const x = Array.from({ length: n }, (_, i) => `(local.get $x${i})`);
      const count = (fma: boolean) => {
        const naive = R.reduce((s, row) => s + ops(combination(row.map((c, i) => [c, x[i]!]), { fma })), 0);
        const p = linearProgram(R, x, 't', { fma });
        return { naive, shared: ops(p.code.join(' ')) + ops(p.y.join(' ')) };
      };
      const fused = count(true), plain = count(false);
      expect(fused.shared, name).toBeLessThan(fused.naive);
      expect(plain.shared, name).toBeLessThan(plain.naive);
      expect(fused.shared, name).toBeLessThanOrEqual(plain.naive / 2);
    }
  });

  it('writes ±1 as adds and subtracts, other coefficients as one fused multiply-add each, and drops zeros', () => {
    const t = combination([[1, 'a'], [0, 'z'], [-1, 'b'], [4, 'c']], { fma: true });
    expect(t).toBe('(f32x4.sub (f32x4.relaxed_madd c (v128.const f32x4 4 4 4 4) a) b)');
    expect(combination([[-2, 'a'], [1, 'b']], { fma: false })).toBe('(f32x4.sub b (f32x4.mul a (v128.const f32x4 2 2 2 2)))');
    expect(() => combination([[0, 'a']], { fma: true })).toThrow(/no non-zero term/);
  });
});
