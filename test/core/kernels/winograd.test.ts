import { describe, expect, it, beforeAll, afterEach } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createModel, initBackend } from '@shapetex/core';
import { DEFAULT_BACKEND_SETTINGS, setBackendSettings, WINOGRAD_KERNEL, fmaInUse, blockTiles, chooseTileSize, loadConvKernels, winogradKernels, planWinograd, residentBytes, residentFilters, transformFilters, winogradConv2d, winogradEligible, type TileSize, type ConvKernels } from '../../../packages/core/dist/kernels/index.js';
import { randomResnetStateDict } from '../../../bench/lib/resnet-state.mjs';
import { directConv, fmaVariants, randoms, relErr } from './reference.js';

let kernels: ConvKernels;
let variants: [string, ConvKernels][];
beforeAll(async () => {
  const info = await initBackend('wasm', { log: null });
  expect(info.device).toBe('wasm (simd, fma, winograd 3×3, im2col)');
  expect(await loadConvKernels()).toBe(true);
  kernels = winogradKernels()!;
  variants = fmaVariants(winogradKernels, fmaInUse);
});
afterEach(() => { setBackendSettings(DEFAULT_BACKEND_SETTINGS); });

/**
 * G of F(2×2, 3×3) and F(4×4, 3×3) as printed in Lavin & Gray (2016), typed here again so the
 * test does not read the table it checks.
 */
const PAPER_G: Record<TileSize, number[][]> = {
  2: [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]],
  4: [[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]],
  // F(6×6, 3×3), points 0, ±1, ±2, ±1/2, ∞, as Lavin's wincnn generator prints it
  6: [[1, 0, 0], [-2 / 9, -2 / 9, -2 / 9], [-2 / 9, 2 / 9, -2 / 9], [1 / 90, 1 / 45, 2 / 45], [1 / 90, -1 / 45, 2 / 45],
    [32 / 45, 16 / 45, 8 / 45], [32 / 45, -16 / 45, 8 / 45], [0, 0, 1]],
};

/** Rounding of each tile size against the float64 definition (F(4×4)'s coefficients reach 8). */
const TOLERANCE: Record<TileSize, number> = { 2: 2e-6, 4: 2e-5, 6: 2e-4 };

describe('Winograd F(2×2), F(4×4) and F(6×6, 3×3) convolution (wasm SIMD kernels)', () => {
  it('the filter transform is G·g·Gᵀ: a single tap at (y, x) gives the outer product of G\'s columns y and x', () => {
    const C = 4, K = 8;
    for (const m of [2, 4, 6] as const) {
      const G = PAPER_G[m], alpha = m + 2;
      for (const [y, x, c, k] of [[0, 0, 0, 0], [1, 2, 3, 5], [2, 1, 1, 7]] as const) {
        const w = new Float32Array(9 * C * K);
        w[((y * 3 + x) * C + c) * K + k] = 2;
        const U = transformFilters(w, C, K, m);
        expect(U.length).toBe(alpha * alpha * C * K);
        let nonzero = 0;
        for (let i = 0; i < alpha; i++) for (let j = 0; j < alpha; j++) {
          // packed [α²][K/8][C][8]
          const at = (alpha * i + j) * C * K + (k >> 3) * C * 8 + c * 8 + (k & 7);
          expect(U[at]! + 0).toBeCloseTo(2 * G[i]![y]! * G[j]![x]! + 0, 7); // + 0: −0 and 0 are the same weight
          if (G[i]![y]! * G[j]![x]! !== 0) nonzero++;
        }
        // and nothing else anywhere
        expect(U.reduce((s, v) => s + (v !== 0 ? 1 : 0), 0)).toBe(nonzero);
      }
    }
  });

  it('equals the direct convolution (float64) for both tile sizes, odd and even sizes, batches, bias or none, ReLU or none', () => {
    const cases = [
      { n: 1, H: 1, W: 1, C: 4, K: 8, bias: true, relu: false },
      { n: 2, H: 5, W: 7, C: 4, K: 8, bias: true, relu: true },
      { n: 3, H: 6, W: 4, C: 8, K: 16, bias: false, relu: false },
      { n: 1, H: 9, W: 9, C: 12, K: 24, bias: true, relu: true },
      { n: 2, H: 3, W: 2, C: 4, K: 8, bias: false, relu: true },
    ];
    for (const [ci, c] of cases.entries()) {
      const x = randoms(c.n * c.H * c.W * c.C, 10 + ci);
      const w = randoms(9 * c.C * c.K, 20 + ci, 0.2);
      const bias = c.bias ? randoms(c.K, 30 + ci) : null;
      const plan = planWinograd(w, c.C, c.K, bias, c.relu);
      const want = directConv(x, [c.n, c.H, c.W, c.C], w, c.K, bias, c.relu);
      for (const m of [2, 4, 6] as const) {
        for (const [label, k] of variants) {
          const got = tf.tidy(() => winogradConv2d(k, tf.tensor4d(x, [c.n, c.H, c.W, c.C]), plan, { tile: m }).dataSync());
          expect(relErr(got, want), JSON.stringify({ ...c, m, label })).toBeLessThan(TOLERANCE[m]);
        }
      }
    }
  });

  it('adds a residual before the activation, edge tiles included: relu(conv + bias + r) for both tile sizes', () => {
    const c = { n: 2, H: 7, W: 6, C: 8, K: 16 };
    const x = randoms(c.n * c.H * c.W * c.C, 70);
    const w = randoms(9 * c.C * c.K, 71, 0.2);
    const bias = randoms(c.K, 72);
    const r = randoms(c.n * c.H * c.W * c.K, 73);
    const plan = planWinograd(w, c.C, c.K, bias, false); // linear conv: the ReLU comes after the sum
    const conv = directConv(x, [c.n, c.H, c.W, c.C], w, c.K, bias, false);
    const want = conv.map((v, i) => Math.max(0, v + r[i]!));
    const wantLinear = conv.map((v, i) => v + r[i]!);
    for (const m of [2, 4, 6] as const) {
      for (const [label, k] of variants) {
        const [got, linear] = tf.tidy(() => {
          const xt = tf.tensor4d(x, [c.n, c.H, c.W, c.C]), rt = tf.tensor4d(r, [c.n, c.H, c.W, c.K]);
          return [winogradConv2d(k, xt, plan, { tile: m, residual: rt, relu: true }).dataSync(),
            winogradConv2d(k, xt, plan, { tile: m, residual: rt }).dataSync()];
        });
        expect(relErr(got!, want), `m = ${m}, ${label}`).toBeLessThan(TOLERANCE[m]);
        expect(relErr(linear!, wantLinear), `m = ${m}, ${label}, linear`).toBeLessThan(TOLERANCE[m]);
      }
    }
    expect(() => tf.tidy(() => winogradConv2d(kernels, tf.zeros([1, 7, 6, 8]), plan, { residual: tf.zeros([1, 7, 6, 8]) })))
      .toThrow(/residual must be float32 \[1, 7, 6, 16\], got float32 \[1, 7, 6, 8\]/);
  });

  it('tiles split over several blocks, the last one partial, give the same result', () => {
    // F(6×6)'s 64 planes make smaller blocks: a map of its own so that it splits too
    const geometries = [{ n: 4, H: 12, W: 12, C: 256, K: 256, tiles: [2, 4] as const }, { n: 4, H: 18, W: 18, C: 128, K: 128, tiles: [6] as const }];
    for (const { n, H, W, C, K, tiles } of geometries) {
      const x = randoms(n * H * W * C, 1);
      const w = randoms(9 * C * K, 2, 0.05);
      const bias = randoms(K, 3);
      const want = directConv(x, [n, H, W, C], w, K, bias, true);
      const plan = planWinograd(w, C, K, bias, true);
      for (const m of tiles) {
        const T = n * Math.ceil(H / m) * Math.ceil(W / m);
        const tb = blockTiles(C, K, T, (m + 2) ** 2);
        expect(T % tb).not.toBe(0);
        expect(T / tb).toBeGreaterThan(1);
        for (const [label, k] of variants) {
          const got = tf.tidy(() => winogradConv2d(k, tf.tensor4d(x, [n, H, W, C]), plan, { tile: m }).dataSync());
          expect(relErr(got, want), `m = ${m}, ${label}`).toBeLessThan(TOLERANCE[m]);
        }
      }
    }
  });

  it('picks the tile size with fewer products: tiles · (m + 2)²', () => {
    // 1×1: one tile either way, 16 < 36; 2×2: 16 < 36; 3×3: 4·16 = 64 > 36; 56×56: 784·16 > 196·36
    expect(chooseTileSize(1, 1)).toBe(2);
    expect(chooseTileSize(2, 2)).toBe(2);
    expect(chooseTileSize(3, 3)).toBe(4);
    expect(chooseTileSize(7, 7)).toBe(4);
    expect(chooseTileSize(56, 56)).toBe(4);
    // 2 × 8: F(2×2) 1·4 tiles · 16 = 64, F(4×4) 1·2 tiles · 36 = 72
    expect(chooseTileSize(2, 8)).toBe(2);
    // F(6×6) only where it saves ≥ 13% of F(4×4)'s products: 56×56 saves 9% (100·64 against
    // 196·36), 64×64 16% (121·64 against 256·36), 512×512 20%
    expect(chooseTileSize(56, 56)).toBe(4);
    expect(chooseTileSize(64, 64)).toBe(6);
    expect(chooseTileSize(512, 512)).toBe(6);
    expect(chooseTileSize(512, 512, 4)).toBe(4);
    expect(chooseTileSize(512, 512, 2)).toBe(2);
  });

  it('keeps a plan\'s transformed filters in tfjs-wasm\'s heap between calls, until the arena is full', () => {
    const a = planWinograd(randoms(9 * 4 * 8, 5), 4, 8, randoms(8, 7), false);
    const b = planWinograd(randoms(9 * 4 * 8, 6), 4, 8, null, false);
    const bytes = (16 * 4 * 8 + 8) * 4; // F(2×2): 16 planes of 4 × 8 floats, then the bias
    const heap = () => new Float32Array(kernels.memory.buffer);
    const first = residentFilters(kernels, a, 2, bytes);
    expect(first.U % 64).toBe(0);
    expect(first.bias).toBe(first.U + 16 * 4 * 8 * 4);
    expect(Array.from(heap().subarray(first.U / 4, first.U / 4 + 16 * 32))).toEqual(Array.from(transformFilters(a.filter, 4, 8, 2)));
    expect(Array.from(heap().subarray(first.bias / 4, first.bias / 4 + 8))).toEqual(Array.from(a.bias));
    heap()[first.U / 4] = 12345; // a copy would overwrite this
    expect(residentFilters(kernels, a, 2, bytes)).toEqual(first);
    expect(heap()[first.U / 4]).toBe(12345);
    // b does not fit beside a: the arena frees a and starts over; a is copied in again on next use
    residentFilters(kernels, b, 2, bytes);
    const again = residentFilters(kernels, a, 2, bytes);
    expect(heap()[again.U / 4]).toBe(transformFilters(a.filter, 4, 8, 2)[0]);
  });

  it('a disposed model frees its filters in the arena', async () => {
    const sd = randomResnetStateDict('resnet18', { seed: 4, numClasses: 10 });
    const x = tf.tensor4d(randoms(2 * 32 * 32 * 3, 7), [2, 32, 32, 3]);
    const net = createModel('resnet18', sd);
    await net.features(x, ['final']);
    const held = residentBytes(kernels);
    net.dispose();
    x.dispose();
    const after = residentBytes(kernels);
    // ResNet-18's 3×3 filters alone, transformed, are more than 40 MB: all of it must go
    expect(held - after).toBeGreaterThan(40e6);
    const again = createModel('resnet18', sd);
    again.dispose(); // never run: nothing was placed, nothing to free
    expect(residentBytes(kernels)).toBe(after);
  });

  it('runs as a tfjs kernel in tfjs\'s heap: tracked by tf.tidy, named in tf.profile, no tensors or heap left behind', async () => {
    const plan = planWinograd(randoms(9 * 8 * 16, 8, 0.2), 8, 16, null, true);
    const x = tf.tensor4d(randoms(2 * 7 * 5 * 8, 9), [2, 7, 5, 8]);
    winogradConv2d(kernels, x, plan).dispose(); // places the filters
    const before = tf.memory().numTensors;
    const heapBytes = kernels.memory.buffer.byteLength;
    for (let i = 0; i < 20; i++) tf.tidy(() => { winogradConv2d(kernels, x, plan); });
    expect(tf.memory().numTensors).toBe(before);
    expect(kernels.memory.buffer.byteLength).toBe(heapBytes);
    const profile = await tf.profile(() => tf.tidy(() => winogradConv2d(kernels, x, plan)));
    expect(profile.kernels.map((k) => k.name)).toContain(WINOGRAD_KERNEL);
    x.dispose();
  });

  it('takes only what it can do: 3×3, stride 1, padding 1, dense, C % 4 = 0, K % 8 = 0, ReLU or linear', () => {
    const base = { kh: 3, kw: 3, C: 64, K: 64, stride: 1, pad: 1, depthwise: false, activation: 'relu' };
    expect(winogradEligible(base)).toBe(true);
    expect(winogradEligible({ ...base, activation: 'linear' })).toBe(true);
    for (const change of [{ stride: 2 }, { pad: 0 }, { kh: 1, kw: 1 }, { depthwise: true }, { C: 3 }, { K: 12 }, { activation: 'relu6' }, { activation: 'silu' }]) {
      expect(winogradEligible({ ...base, ...change }), JSON.stringify(change)).toBe(false);
    }
  });

  it('a zoo ResNet-18 on wasm takes the path (other rounding, same features within 1e-5); SHAPETEX_WINOGRAD=0 turns it off', async () => {
    const sd = randomResnetStateDict('resnet18', { seed: 3, numClasses: 10 });
    const x = tf.tensor4d(randoms(2 * 64 * 64 * 3, 4), [2, 64, 64, 3]);
    const features = async () => {
      const net = createModel('resnet18', sd);
      try { return await net.features(x, ['stage1', 'final']); } finally { net.dispose(); }
    };
    const fast = await features();
    setBackendSettings({ winograd: false });
    const plain = await features();
    x.dispose();
    for (const tap of ['stage1', 'final'] as const) {
      expect(relErr(fast[tap]!, plain[tap]!)).toBeLessThan(1e-5);
      expect(Array.from(fast[tap]!)).not.toEqual(Array.from(plain[tap]!));
    }
  });
});

