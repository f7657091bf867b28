import { expect } from 'vitest';
import { createRng } from '@shapetex/core';
import { backendSettings, setBackendSettings } from '../../../packages/core/dist/kernels/index.js';

export interface Geometry { kh: number; kw: number; stride: number; pad: number }

/**
 * The definition, in float64: y[b,i,j,k] = act(bias[k] + Σ x[b, s·i + dy − p, s·j + dx − p, c]·w[dy,dx,c,k]),
 * taps outside the input being zero; x NHWC, w HWIO.
 */
export function directConv(x: Float32Array, [n, H, W, C]: number[], w: Float32Array, K: number, bias: Float32Array | null, relu: boolean,
  { kh, kw, stride, pad }: Geometry = { kh: 3, kw: 3, stride: 1, pad: 1 }): Float64Array {
  const OH = Math.floor((H + 2 * pad - kh) / stride) + 1, OW = Math.floor((W + 2 * pad - kw) / stride) + 1;
  const y = new Float64Array(n * OH * OW * K);
  for (let b = 0; b < n; b++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) {
    const acc = new Float64Array(K);
    for (let dy = 0; dy < kh; dy++) for (let dx = 0; dx < kw; dx++) {
      const yy = stride * i + dy - pad, xx = stride * j + dx - pad;
      if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
      for (let c = 0; c < C; c++) {
        const v = x[((b * H + yy) * W + xx) * C + c]!;
        const row = ((dy * kw + dx) * C + c) * K;
        for (let k = 0; k < K; k++) acc[k] += v * w[row + k]!;
      }
    }
    for (let k = 0; k < K; k++) {
      const v = acc[k]! + (bias ? bias[k]! : 0);
      y[((b * OH + i) * OW + j) * K + k] = relu ? Math.max(0, v) : v;
    }
  }
  return y;
}

export function randoms(n: number, seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

/** max |got − want| / max |want| */
export function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let d = 0, m = 0;
  for (let i = 0; i < got.length; i++) { d = Math.max(d, Math.abs(got[i]! - want[i]!)); m = Math.max(m, Math.abs(want[i]!)); }
  return d / m;
}

/**
 * The kernels' two instances on the current heap: with relaxed SIMD's fused multiply-add (the
 * default where the engine has it, as Node 20 does once the flag is set) and without
 * (the setting `fma` false), so each numeric test runs both.
 */
export function fmaVariants<K extends object>(get: () => K | null, fmaInUse: () => boolean): [label: string, kernels: K][] {
  const before = backendSettings().fma;
  try {
    setBackendSettings({ fma: true });
    expect(fmaInUse()).toBe(true);
    const fused = get()!;
    setBackendSettings({ fma: false });
    expect(fmaInUse()).toBe(false);
    const plain = get()!;
    expect(plain).not.toBe(fused);
    return [['fma', fused], ['mul+add', plain]];
  } finally {
    setBackendSettings({ fma: before });
  }
}
