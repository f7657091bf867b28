/**
 * A 3×3, stride 1, padding 1 convolution (+ bias, + ReLU) by Winograd F(2×2, 3×3): each 4×4
 * input tile becomes 2×2 outputs with 16 multiplications per channel pair instead of 36, so
 * the matrix products, which dominate, do 2.25× fewer multiply-adds than a direct
 * convolution. Tiles are processed in blocks small enough for the transformed tiles to stay in
 * cache between the three kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WinogradKernels } from './module.js';
import type { WinogradPlan } from './plan.js';

/** Bytes of transformed input + products per block: about the size of a core's L2 cache. */
const BLOCK_BYTES = 1 << 20;

/** Tiles per block: a multiple of 4 (the GEMM's rows), at least 4. */
export function blockTiles(C: number, K: number, tiles: number): number {
  const fit = Math.floor(BLOCK_BYTES / (16 * 4 * (C + K)));
  const tb = Math.max(4, fit - (fit % 4));
  return Math.min(tb, Math.ceil(tiles / 4) * 4);
}

const align = (bytes: number) => Math.ceil(bytes / 64) * 64;

/** Grows the kernels' memory to hold `bytes`; returns a fresh float view of it. */
function reserve(k: WinogradKernels, bytes: number): Float32Array {
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / 65536));
  return new Float32Array(k.memory.buffer);
}

/**
 * y = act(conv3×3(x) + bias) for an NHWC float32 input, through the Winograd kernels. The
 * input is read once from the backend, zero-padded into the kernels' memory; the output is a
 * new tensor (tracked by an enclosing tf.tidy like any op's result).
 */
export function winogradConv2d(k: WinogradKernels, x: tf.Tensor4D, plan: WinogradPlan): tf.Tensor4D {
  const [n, H, W, C] = x.shape;
  if (C !== plan.C) throw new Error(`winogradConv2d: input has ${C} channels, the filter expects ${plan.C}`);
  const K = plan.K;
  const th = Math.ceil(H / 2), tw = Math.ceil(W / 2);
  const Hp = 2 * th + 2, Wp = 2 * tw + 2;
  const T = n * th * tw;
  const tb = blockTiles(C, K, T);

  // memory: U | bias | padded input (+ 4 padded rows of slack: the last block's rounding-up
  // tiles read there) | V | M | output
  const uAt = 0;
  const biasAt = align(uAt + 16 * C * K * 4);
  const xAt = align(biasAt + K * 4);
  const xBytes = (n * Hp * Wp + 4 * Wp) * C * 4;
  const vAt = align(xAt + xBytes);
  const mAt = align(vAt + 16 * tb * C * 4);
  const yAt = align(mAt + 16 * tb * K * 4);
  const yBytes = n * 2 * th * 2 * tw * K * 4;
  const f32 = reserve(k, yAt + yBytes);

  f32.set(plan.U, uAt / 4);
  f32.set(plan.bias, biasAt / 4);
  const src = x.dataSync() as Float32Array;
  const x0 = xAt / 4;
  f32.fill(0, x0, x0 + xBytes / 4);
  const row = W * C;
  for (let b = 0; b < n; b++) {
    for (let yy = 0; yy < H; yy++) {
      const from = (b * H + yy) * row;
      f32.set(src.subarray(from, from + row), x0 + ((b * Hp + yy + 1) * Wp + 1) * C);
    }
  }

  for (let t0 = 0; t0 < T; t0 += tb) {
    const count = Math.min(tb, T - t0);
    const rows = Math.ceil(count / 4) * 4;
    k.input_transform(xAt, vAt, C, Wp, Hp, tw, th, t0, rows);
    k.gemm(vAt, uAt, mAt, rows, C, K);
    k.output_transform(mAt, yAt, biasAt, K, tw, th, t0, count, rows, plan.relu ? 1 : 0);
  }

  const y0 = yAt / 4;
  if (H === 2 * th && W === 2 * tw) return tf.tensor4d(f32.slice(y0, y0 + n * H * W * K), [n, H, W, K]);
  // odd sizes: the last tile row or column computed one pixel too many; keep H × W
  const out = new Float32Array(n * H * W * K);
  const full = 2 * tw * K;
  for (let b = 0; b < n; b++) {
    for (let yy = 0; yy < H; yy++) {
      const from = y0 + (b * 2 * th + yy) * full;
      out.set(f32.subarray(from, from + W * K), (b * H + yy) * W * K);
    }
  }
  return tf.tensor4d(out, [n, H, W, K]);
}
