import { spawnSync } from 'node:child_process';
import { describe, expect, it, beforeAll, afterEach } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createModel, initBackend } from '@shapetex/core';
import { DEFAULT_BACKEND_SETTINGS, setBackendSettings, IM2COL_KERNEL, fmaInUse, blockRows, im2colConv2d, im2colEligible, im2colKernels, loadConvKernels, packFilters, planIm2col, type ConvKernels } from '../../../packages/core/dist/kernels/index.js';
import { randomResnetStateDict } from '../../../bench/lib/resnet-state.mjs';
import { directConv, fmaVariants, randoms, relErr } from './reference.js';

let kernels: ConvKernels;
let variants: [string, ConvKernels][];
beforeAll(async () => {
  await initBackend('wasm', { log: null });
  expect(await loadConvKernels()).toBe(true);
  kernels = im2colKernels()!;
  variants = fmaVariants(im2colKernels, fmaInUse);
});
afterEach(() => { setBackendSettings(DEFAULT_BACKEND_SETTINGS); });

describe('im2col + GEMM convolution (wasm SIMD kernels)', () => {
  it('packs HWIO filters as the GEMM reads them: [K/8][kh·kw·C][8]', () => {
    const depth = 2 * 2 * 3, K = 16;
    const w = Float32Array.from({ length: depth * K }, (_, i) => i);
    const U = packFilters(w, depth, K);
    for (const [d, k] of [[0, 0], [5, 7], [11, 8], [3, 15]] as const) expect(U[(k >> 3) * depth * 8 + d * 8 + (k & 7)]).toBe(w[d * K + k]);
  });

  it('equals the direct convolution (float64): strides, paddings, odd kernels, C not a multiple of 4, batches, bias or none, ReLU or none', () => {
    const cases = [
      { n: 2, H: 9, W: 11, C: 3, K: 8, kh: 7, kw: 7, stride: 2, pad: 3, bias: true, relu: true }, // a ResNet stem
      { n: 1, H: 8, W: 8, C: 4, K: 16, kh: 3, kw: 3, stride: 2, pad: 1, bias: true, relu: false },
      { n: 3, H: 7, W: 6, C: 8, K: 8, kh: 1, kw: 1, stride: 2, pad: 0, bias: false, relu: false }, // a downsample
      { n: 1, H: 13, W: 10, C: 12, K: 24, kh: 5, kw: 3, stride: 3, pad: 2, bias: true, relu: true },
      { n: 1, H: 3, W: 3, C: 5, K: 8, kh: 3, kw: 3, stride: 1, pad: 1, bias: false, relu: true }, // C = 5: Winograd would not take it
      { n: 1, H: 2, W: 2, C: 4, K: 8, kh: 5, kw: 5, stride: 1, pad: 2, bias: true, relu: false }, // every row partly padding
    ];
    for (const [ci, c] of cases.entries()) {
      const x = randoms(c.n * c.H * c.W * c.C, 40 + ci);
      const w = randoms(c.kh * c.kw * c.C * c.K, 50 + ci, 0.2);
      const bias = c.bias ? randoms(c.K, 60 + ci) : null;
      const plan = planIm2col(w, c, bias, c.relu);
      const want = directConv(x, [c.n, c.H, c.W, c.C], w, c.K, bias, c.relu, c);
      for (const [label, k] of variants) {
        const got = tf.tidy(() => im2colConv2d(k, tf.tensor4d(x, [c.n, c.H, c.W, c.C]), plan).dataSync());
        expect(relErr(got, want), JSON.stringify({ ...c, label })).toBeLessThan(2e-6);
      }
    }
  });

  it('several blocks, the last ending inside a group of 4 rows, give the same result', () => {
    const c = { n: 1, H: 14, W: 14, C: 256, K: 16, kh: 3, kw: 3, stride: 2, pad: 1 };
    const total = 7 * 7;
    const tb = blockRows(9 * c.C, total);
    expect(total / tb).toBeGreaterThan(1);
    expect((total % tb) % 4).not.toBe(0);
    const x = randoms(c.H * c.W * c.C, 1);
    const w = randoms(9 * c.C * c.K, 2, 0.05);
    const bias = randoms(c.K, 3);
    const want = directConv(x, [1, c.H, c.W, c.C], w, c.K, bias, true, c);
    for (const [label, k] of variants) {
      const got = tf.tidy(() => im2colConv2d(k, tf.tensor4d(x, [1, c.H, c.W, c.C]), planIm2col(w, c, bias, true)).dataSync());
      expect(relErr(got, want), label).toBeLessThan(2e-6);
    }
  });

  it('takes dense convs with K % 8 = 0 and ReLU or none, except 1×1 stride 1', () => {
    const base = { kh: 7, kw: 7, C: 3, K: 64, stride: 2, pad: 3, depthwise: false, activation: 'relu' };
    expect(im2colEligible(base)).toBe(true);
    expect(im2colEligible({ ...base, kh: 1, kw: 1, stride: 2, pad: 0 })).toBe(true);
    for (const change of [{ kh: 1, kw: 1, stride: 1, pad: 0 }, { depthwise: true }, { K: 12 }, { activation: 'relu6' }, { activation: 'silu' }]) {
      expect(im2colEligible({ ...base, ...change }), JSON.stringify(change)).toBe(false);
    }
  });

  it('each switch (SHAPETEX_WINOGRAD, SHAPETEX_IM2COL, SHAPETEX_FMA), set before the backend starts, turns off only its own part; the device string says which are on', () => {
    const device = (env: Record<string, string>) => {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e',
        "const c = await import('@shapetex/core'); console.log((await c.initBackend('wasm', { log: null })).device);"],
      { env: { ...process.env, ...env }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    expect(device({ SHAPETEX_WINOGRAD: '0' })).toBe('wasm (simd, fma, im2col)');
    expect(device({ SHAPETEX_IM2COL: '0' })).toBe('wasm (simd, fma, winograd 3×3)');
    expect(device({ SHAPETEX_FMA: '0' })).toBe('wasm (simd, winograd 3×3, im2col)');
    expect(device({ SHAPETEX_WINOGRAD: '0', SHAPETEX_IM2COL: '0' })).toBe('wasm (simd)');
  });

  it('a zoo ResNet-18 runs its stem and stride-2 convs through it (tf.profile), equal to XNNPACK within 1e-5, no tensors left; SHAPETEX_IM2COL=0 turns it off', async () => {
    const sd = randomResnetStateDict('resnet18', { seed: 5, numClasses: 10 });
    const x = tf.tensor4d(randoms(2 * 64 * 64 * 3, 6), [2, 64, 64, 3]);
    const run = async () => {
      const net = createModel('resnet18', sd);
      try {
        const before = tf.memory().numTensors;
        const profile = await tf.profile(async () => { await net.features(x, ['stage2', 'final']); });
        expect(tf.memory().numTensors).toBe(before);
        const calls = profile.kernels.filter((k) => k.name === IM2COL_KERNEL).length;
        return { calls, features: await net.features(x, ['stage2', 'final']) };
      } finally { net.dispose(); }
    };
    const fast = await run();
    expect(fast.calls).toBe(1 + 3 + 3); // the stem, then per later stage its stride-2 3×3 conv and 1×1 downsample
    setBackendSettings({ im2col: false });
    const plain = await run();
    expect(plain.calls).toBe(0);
    x.dispose();
    for (const tap of ['stage2', 'final'] as const) expect(relErr(fast.features[tap]!, plain.features[tap]!)).toBeLessThan(1e-5);
  });
});
