/**
 * A 3×3, stride 1, padding 1 convolution (+ bias, + ReLU) by Winograd F(m×m, 3×3): each
 * (m + 2)² input tile becomes m × m outputs, so the matrix products, which dominate, do 2.25×
 * (m = 2) or 4× (m = 4) fewer multiply-adds than a direct convolution. The tile size is chosen
 * per call from the map size (transforms.ts). Tiles are processed in blocks small enough for
 * the transformed tiles to stay in cache between the three kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WinogradKernels } from './module.js';
import { align, reserve, residentFilters } from './arena.js';
import type { WinogradPlan } from './plan.js';
import { chooseTileSize, type TileSize } from './transforms.js';
import { MR } from './wat.js';

/** Bytes of transformed input + products per block: about the size of a core's L2 cache. */
const BLOCK_BYTES = 1 << 20;

/** Tiles per block for α² planes: a multiple of MR (the GEMM's rows), at least MR. */
export function blockTiles(C: number, K: number, tiles: number, planes = 16): number {
  const fit = Math.floor(BLOCK_BYTES / (planes * 4 * (C + K)));
  const tb = Math.max(MR, fit - (fit % MR));
  return Math.min(tb, Math.ceil(tiles / MR) * MR);
}

/**
 * y = act(conv3×3(x) + bias) for an NHWC float32 input, through the Winograd kernels with tile
 * size m (by default the cheaper one for this map size). The input is read once from the
 * backend, zero-padded into the kernels' memory; the output is a new tensor (tracked by an
 * enclosing tf.tidy like any op's result).
 */
export function winogradConv2d(k: WinogradKernels, x: tf.Tensor4D, plan: WinogradPlan, tile?: TileSize): tf.Tensor4D {
  const [n, H, W, C] = x.shape;
  if (C !== plan.C) throw new Error(`winogradConv2d: input has ${C} channels, the filter expects ${plan.C}`);
  const K = plan.K;
  const m = tile ?? chooseTileSize(H, W);
  const planes = (m + 2) ** 2;
  const th = Math.ceil(H / m), tw = Math.ceil(W / m);
  const Hp = m * th + 2, Wp = m * tw + 2;
  const T = n * th * tw;
  const tb = blockTiles(C, K, T, planes);
  const { at: uAt, end } = residentFilters(k, plan, m);

  // memory: the arena of filters (arena.ts) | bias | padded input (+ whole zero images of
  // slack: the last block's rounding-up tiles, fewer than MR, read there) | V | M | output
  const biasAt = align(end);
  const xAt = align(biasAt + K * 4);
  const slack = Math.ceil((MR - 1) / (th * tw)) + 1;
  const xBytes = (n + slack) * Hp * Wp * C * 4;
  const vAt = align(xAt + xBytes);
  const mAt = align(vAt + planes * tb * C * 4);
  const yAt = align(mAt + planes * tb * K * 4);
  const yBytes = n * m * th * m * tw * K * 4;
  const f32 = reserve(k, yAt + yBytes);

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

  const input = k[`input_transform_${m}`], output = k[`output_transform_${m}`];
  for (let t0 = 0; t0 < T; t0 += tb) {
    const count = Math.min(tb, T - t0);
    const rows = Math.ceil(count / MR) * MR;
    input(xAt, vAt, C, Wp, Hp, tw, th, t0, rows);
    k.gemm(vAt, uAt, mAt, planes, rows, C, K);
    output(mAt, yAt, biasAt, K, tw, th, t0, count, rows, plan.relu ? 1 : 0);
  }

  const y0 = yAt / 4;
  if (H === m * th && W === m * tw) return tf.tensor4d(f32.slice(y0, y0 + n * H * W * K), [n, H, W, K]);
  // sizes not a multiple of m: the last tile row or column computed pixels past the edge; keep H × W
  const out = new Float32Array(n * H * W * K);
  const full = m * tw * K;
  for (let b = 0; b < n; b++) {
    for (let yy = 0; yy < H; yy++) {
      const from = y0 + (b * m * th + yy) * full;
      out.set(f32.subarray(from, from + W * K), (b * H + yy) * W * K);
    }
  }
  return tf.tensor4d(out, [n, H, W, K]);
}
