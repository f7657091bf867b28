import { describe, expect, it, beforeAll, afterEach } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { applyConvPlan, initBackend, planConv, releaseConvPlan, type ConvPlan } from '@shapetex/core';
import { DEFAULT_BACKEND_SETTINGS, IM2COL_KERNEL, WINOGRAD_KERNEL, padInput, setBackendSettings } from '../../../packages/core/dist/kernels/index.js';
import { directConv, randoms, relErr } from './reference.js';

/**
 * ReflectionPad2d(1) by its definition (index −1 → 1, H → H − 2), then nearest 2× upsampling
 * first when asked: the float64 oracle's input, in NHWC.
 */
function reference(x: Float32Array, [n, h, w, C]: number[], up: 1 | 2): { data: Float32Array; shape: number[] } {
  const H = h * up, W = w * up;
  const mirror = (i: number, size: number): number => (i < 0 ? -i : i >= size ? 2 * size - 2 - i : i);
  const out = new Float32Array(n * (H + 2) * (W + 2) * C);
  for (let b = 0; b < n; b++) for (let y = 0; y < H + 2; y++) for (let xx = 0; xx < W + 2; xx++) {
    const sy = Math.floor(mirror(y - 1, H) / up), sx = Math.floor(mirror(xx - 1, W) / up);
    for (let c = 0; c < C; c++) out[((b * (H + 2) + y) * (W + 2) + xx) * C + c] = x[((b * h + sy) * w + sx) * C + c]!;
  }
  return { data: out, shape: [n, H + 2, W + 2, C] };
}

/** Kernel names a call runs (tf.profile), so a test knows which path it took. */
async function kernelsRun(f: () => tf.Tensor): Promise<string[]> {
  const p = await tf.profile(() => { const y = f(); y.dataSync(); return y; });
  return p.kernels.map((k) => k.name);
}

interface Case { n: number; h: number; w: number; C: number; K: number; up: 1 | 2; relu: boolean }

async function check(c: Case, path: 'winograd' | 'im2col' | 'tfjs', seed: number): Promise<void> {
  const x = randoms(c.n * c.h * c.w * c.C, seed);
  const filter = randoms(9 * c.C * c.K, seed + 1, 0.2);
  const bias = randoms(c.K, seed + 2);
  const plan: ConvPlan = planConv({ filter, kh: 3, kw: 3, C: c.C, K: c.K, pad: 1, paddingMode: 'reflect', bias, activation: c.relu ? 'relu' : 'linear' });
  try {
    expect(Boolean(plan.winograd), JSON.stringify(c)).toBe(path === 'winograd');
    expect(Boolean(plan.im2col), JSON.stringify(c)).toBe(path === 'im2col');
    const padded = reference(x, [c.n, c.h, c.w, c.C], c.up);
    const want = directConv(padded.data, padded.shape, filter, c.K, bias, c.relu, { kh: 3, kw: 3, stride: 1, pad: 0 });
    const xt = tf.tensor4d(x, [c.n, c.h, c.w, c.C]);
    const before = tf.memory().numTensors;
    const y = applyConvPlan(xt, plan, { upsample: c.up });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(y.shape).toEqual([c.n, c.h * c.up, c.w * c.up, c.K]);
    expect(relErr(y.dataSync(), want), JSON.stringify(c)).toBeLessThan(2e-5);
    const names = await kernelsRun(() => applyConvPlan(xt, plan, { upsample: c.up }));
    if (path === 'winograd') {
      expect(names).toContain(WINOGRAD_KERNEL);
      // the padding and the upsampling happen inside the kernel's copy
      expect(names.filter((k) => /MirrorPad|ResizeNearestNeighbor|Slice/.test(k))).toEqual([]);
    } else if (path === 'im2col') {
      expect(names).toContain(IM2COL_KERNEL);
    } else {
      expect(names.filter((k) => k.startsWith('Shapetex'))).toEqual([]);
    }
    tf.dispose([xt, y]);
  } finally {
    releaseConvPlan(plan);
  }
}

describe('planConv / applyConvPlan: the convolution entry point (wasm kernels)', () => {
  beforeAll(async () => {
    const info = await initBackend('wasm', { log: null });
    expect(info.device).toBe('wasm (simd, fma, winograd 3×3, im2col)');
  });
  afterEach(() => { setBackendSettings(DEFAULT_BACKEND_SETTINGS); });

  it('reflection padding in the Winograd kernel equals ReflectionPad2d(1) + a valid conv (float64), both tile sizes, odd sizes, batches, FMA on and off', async () => {
    const cases: Case[] = [
      { n: 1, h: 2, w: 2, C: 4, K: 8, up: 1, relu: false }, // F(2×2): 2×2 maps
      { n: 2, h: 5, w: 7, C: 8, K: 16, up: 1, relu: true },
      { n: 1, h: 9, w: 6, C: 12, K: 24, up: 1, relu: false },
    ];
    for (const fma of [true, false]) {
      setBackendSettings({ fma });
      for (const [i, c] of cases.entries()) await check(c, 'winograd', 100 + 10 * i);
    }
  });

  it('nearest 2× upsampling fused into the Winograd padding copy equals nn.Upsample then the conv', async () => {
    await check({ n: 2, h: 3, w: 4, C: 8, K: 8, up: 2, relu: true }, 'winograd', 200);
    await check({ n: 1, h: 1, w: 5, C: 4, K: 16, up: 2, relu: false }, 'winograd', 210);
  });

  it('an output width that is not a multiple of 8 (an RGB layer) runs widened and keeps its K channels', async () => {
    await check({ n: 1, h: 6, w: 5, C: 8, K: 3, up: 2, relu: false }, 'winograd', 300);
    await check({ n: 2, h: 4, w: 4, C: 4, K: 13, up: 1, relu: true }, 'winograd', 310);
  });

  it('3 input channels take im2col after a mirror pad; SHAPETEX_WINOGRAD=0 SHAPETEX_IM2COL=0 take tfjs', async () => {
    await check({ n: 1, h: 7, w: 6, C: 3, K: 8, up: 1, relu: true }, 'im2col', 400);
    await check({ n: 1, h: 4, w: 3, C: 3, K: 16, up: 2, relu: false }, 'im2col', 410);
    setBackendSettings({ winograd: false, im2col: false });
    await check({ n: 2, h: 5, w: 4, C: 8, K: 16, up: 2, relu: true }, 'tfjs', 420);
  });

  it('padInput writes the reflected border, and zeros beyond it', () => {
    const [H, W, C, Hp, Wp] = [3, 4, 2, 6, 7];
    const x = Float32Array.from({ length: H * W * C }, (_, i) => i + 1);
    const heap = new Float32Array(x.length + 2 * Hp * Wp * C).fill(-1);
    heap.set(x, 0);
    padInput(heap, 0, x.length, { n: 1, H, W, C, Hp, Wp }, 2 * Hp * Wp * C, true);
    const got = (y: number, xx: number, c: number): number => heap[x.length + (y * Wp + xx) * C + c]!;
    const want = reference(x, [1, H, W, C], 1);
    for (let y = 0; y < Hp; y++) for (let xx = 0; xx < Wp; xx++) for (let c = 0; c < C; c++) {
      const inside = y < H + 2 && xx < W + 2;
      expect(got(y, xx, c), `${y},${xx},${c}`).toBe(inside ? want.data[(y * (W + 2) + xx) * C + c]! : 0);
    }
    expect(heap.subarray(x.length + Hp * Wp * C).every((v) => v === 0)).toBe(true);
  });

  it('rejects a map too small to reflect, as PyTorch does', () => {
    const plan = planConv({ filter: randoms(9 * 4 * 8, 1), kh: 3, kw: 3, C: 4, K: 8, paddingMode: 'reflect' });
    expect(() => applyConvPlan(tf.zeros([1, 1, 5, 4]), plan)).toThrow(/reflection padding of 1 needs a map larger than 1×1, got 1×5/);
    releaseConvPlan(plan);
    expect(() => planConv({ filter: new Float32Array(10), kh: 3, kw: 3, C: 4, K: 8 })).toThrow(/a \[3, 3, 4, 8\] filter has 288 values, got 10/);
  });
});

describe('planConv / applyConvPlan on the cpu backend (tfjs only)', () => {
  beforeAll(async () => { await initBackend('cpu', { log: null }); });

  it('reflection padding and upsampling equal the definition', async () => {
    await check({ n: 2, h: 5, w: 3, C: 8, K: 16, up: 1, relu: true }, 'tfjs', 500);
    await check({ n: 1, h: 3, w: 4, C: 4, K: 3, up: 2, relu: false }, 'tfjs', 510);
  });
});
