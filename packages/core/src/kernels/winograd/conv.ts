/**
 * A 3×3, stride 1, padding 1 convolution (+ bias, + ReLU) by Winograd F(m×m, 3×3): each
 * (m + 2)² input tile becomes m × m outputs, so the matrix products, which dominate, do 2.25×
 * (m = 2) or 4× (m = 4) fewer multiply-adds than a direct convolution. The tile size is chosen
 * per call from the map size (transforms.ts). Tiles are processed in blocks small enough for
 * the transformed tiles to stay in cache between the three kernels.
 *
 * It runs as a tfjs kernel of the wasm backend ('ShapetexWinogradConv2D'), so the engine
 * tracks its output like any op's (tf.tidy, tf.profile) and the kernels work in tfjs's heap.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ConvKernels, WasmBackendInternals } from '../module.js';
import { inHeap, runWasmKernel } from '../run.js';
import { MR } from '../text.js';
import { blockLayout } from './layout.js';
import { residentFilters, type WinogradPlan } from './plan.js';
import { chooseTileSize, type TileSize } from './transforms.js';

export const WINOGRAD_KERNEL = 'ShapetexWinogradConv2D';

/**
 * Bytes of transformed input + products per block (all α² planes): they should stay in cache
 * between the three kernels. But the GEMM reuses each 8-column panel of U across the block's
 * rows, so a block never has fewer than MIN_ROWS tiles: with blocks sized by bytes alone,
 * F(4×4) at 512 channels had 4 rows and its GEMM ran at half speed, bound by U's traffic.
 */
const BLOCK_BYTES = 2 << 20;
const MIN_ROWS = 32;

/** Tiles per block for α² planes: a multiple of MR (the GEMM's rows), at least MIN_ROWS. */
export function blockTiles(C: number, K: number, tiles: number, planes = 16): number {
  const fit = Math.max(MIN_ROWS, Math.floor(BLOCK_BYTES / (planes * 4 * (C + K))));
  const tb = fit - (fit % MR);
  return Math.min(tb, Math.ceil(tiles / MR) * MR);
}

interface Attrs { kernels: ConvKernels; plan: WinogradPlan; m: TileSize; relu: boolean }

export interface WinogradOptions {
  /** Tile size; by default the one with fewer products for this map size. */
  tile?: TileSize;
  /** A map of the output's shape added before the activation (a ResNet block's shortcut). */
  residual?: tf.Tensor4D;
  /** ReLU after the sum; by default the plan's. */
  relu?: boolean;
}

/**
 * y = act(conv3×3(x) + bias [+ residual]) for an NHWC float32 input on the wasm backend,
 * through the Winograd kernels.
 */
export function winogradConv2d(kernels: ConvKernels, x: tf.Tensor4D, plan: WinogradPlan, opts: WinogradOptions = {}): tf.Tensor4D {
  const [n, H, W, C] = x.shape;
  if (C !== plan.C) throw new Error(`winogradConv2d: input has ${C} channels, the filter expects ${plan.C}`);
  const { residual } = opts;
  if (residual && (residual.shape.join() !== [n, H, W, plan.K].join() || residual.dtype !== 'float32')) {
    throw new Error(`winogradConv2d: the residual must be float32 [${[n, H, W, plan.K].join(', ')}], got ${residual.dtype} [${residual.shape.join(', ')}]`);
  }
  // SHAPETEX_WINOGRAD=2 keeps to F(2×2, 3×3): the bench's step before F(4×4), and the smaller rounding
  const m = opts.tile ?? (process.env.SHAPETEX_WINOGRAD === '2' ? 2 : chooseTileSize(H, W));
  const attrs: Attrs = { kernels, plan, m, relu: opts.relu ?? plan.relu };
  return runWasmKernel(WINOGRAD_KERNEL, residual ? { x, residual } : { x }, attrs,
    (backend, inputs, a) => convolve(backend, inputs.x!, inputs.residual ?? null, a));
}

function convolve(backend: WasmBackendInternals, x: tf.TensorInfo, residual: tf.TensorInfo | null, { kernels: k, plan, m, relu }: Attrs): tf.TensorInfo {
  const [n, H, W, C] = x.shape as [number, number, number, number];
  const K = plan.K;
  const planes = (m + 2) ** 2;
  const th = Math.ceil(H / m), tw = Math.ceil(W / m);
  const Hp = m * th + 2, Wp = m * tw + 2;
  const T = n * th * tw;
  const tb = blockTiles(C, K, T, planes);
  const filters = residentFilters(k, plan, m);

  // scratch: padded input (+ whole zero images of slack: the last block's rounding-up tiles,
  // fewer than MR, read there) | V | M (layout.ts)
  const slack = Math.ceil((MR - 1) / (th * tw)) + 1;
  const xFloats = (n + slack) * Hp * Wp * C;
  const L = blockLayout(planes, tb, C, K);
  const floats = xFloats + (L.vBytes + L.mBytes) / 4;
  const resAt = residual ? backend.dataIdMap.get(residual.dataId)!.memoryOffset : 0;
  return inHeap(backend, k, x, [n, H, W, K], floats * 4, ({ scratch, x: inAt, y: yAt }) => {
    const xAt = scratch, vAt = xAt + xFloats * 4, mAt = vAt + L.vBytes;
    const src = inAt / 4;
    // views after every allocation: malloc may have grown (and so replaced) the buffer
    const heap = new Float32Array(k.memory.buffer);
    const x0 = xAt / 4;
    heap.fill(0, x0, x0 + xFloats);
    const row = W * C;
    for (let b = 0; b < n; b++) {
      for (let yy = 0; yy < H; yy++) {
        const from = src + (b * H + yy) * row;
        heap.copyWithin(x0 + ((b * Hp + yy + 1) * Wp + 1) * C, from, from + row);
      }
    }
    const input = k[`input_transform_${m}`];
    const output = residual ? k[`output_transform_res_${m}`] : k[`output_transform_${m}`];
    for (let t0 = 0; t0 < T; t0 += tb) {
      const count = Math.min(tb, T - t0);
      const rows = Math.ceil(count / MR) * MR;
      input(xAt, vAt, C, Wp, Hp, tw, th, t0, rows, L.vPlane, L.vGroup);
      k.gemm(vAt, filters.U, mAt, planes, rows, C, K, L.vPlane, L.vGroup, L.mPlane, L.mRow);
      output(mAt, yAt, resAt, filters.bias, K, H, W, tw, th, t0, count, L.mPlane, L.mRow, relu ? 1 : 0);
    }
  });
}
