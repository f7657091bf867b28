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
import { backendSettings } from '../settings.js';
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

interface Attrs { kernels: ConvKernels; plan: WinogradPlan; m: TileSize; relu: boolean; reflect: boolean; upsample: 1 | 2; outChannels: number }

export interface WinogradOptions {
  /** Tile size; by default the one with fewer products for this map size. */
  tile?: TileSize;
  /** A map of the output's shape added before the activation (a ResNet block's shortcut). */
  residual?: tf.Tensor4D;
  /** ReLU after the sum; by default the plan's. */
  relu?: boolean;
  /**
   * What the padding of 1 holds: `zeros` (default) or `reflect` (ReflectionPad2d(1), as AdaIN's
   * networks pad: the input's second row, column, last-but-one row and column mirrored out).
   */
  padding?: 'zeros' | 'reflect';
  /**
   * 2: nearest-neighbour 2× upsampling of the input first (nn.Upsample(scale_factor=2)), done
   * while the input is copied into the padded scratch, so the large map is never made.
   */
  upsample?: 1 | 2;
  /**
   * Keep only the first `outChannels` of the plan's K outputs (a plan widened to a multiple of 8
   * for the kernels); no residual then.
   */
  outChannels?: number;
}

/**
 * y = act(conv3×3(x) + bias [+ residual]) for an NHWC float32 input on the wasm backend,
 * through the Winograd kernels.
 */
export function winogradConv2d(kernels: ConvKernels, x: tf.Tensor4D, plan: WinogradPlan, opts: WinogradOptions = {}): tf.Tensor4D {
  const [n, h, w, C] = x.shape;
  if (C !== plan.C) throw new Error(`winogradConv2d: input has ${C} channels, the filter expects ${plan.C}`);
  const upsample = opts.upsample ?? 1;
  if (upsample !== 1 && upsample !== 2) throw new Error(`winogradConv2d: upsample must be 1 or 2, got ${String(upsample)}`);
  const H = h * upsample, W = w * upsample;
  const outChannels = opts.outChannels ?? plan.K;
  if (!Number.isInteger(outChannels) || outChannels < 1 || outChannels > plan.K) throw new Error(`winogradConv2d: outChannels must be 1..${plan.K}, got ${outChannels}`);
  const { residual } = opts;
  if (residual && outChannels !== plan.K) throw new Error('winogradConv2d: a residual needs every output channel');
  if (residual && (residual.shape.join() !== [n, H, W, plan.K].join() || residual.dtype !== 'float32')) {
    throw new Error(`winogradConv2d: the residual must be float32 [${[n, H, W, plan.K].join(', ')}], got ${residual.dtype} [${residual.shape.join(', ')}]`);
  }
  // the setting winogradMaxTile: 2 keeps to F(2×2, 3×3) (the bench's step before F(4×4), and
  // the smallest rounding), 4 to F(4×4) at most
  const m = opts.tile ?? chooseTileSize(H, W, backendSettings().winogradMaxTile);
  const reflect = opts.padding === 'reflect';
  if (reflect && (H < 2 || W < 2)) throw new RangeError(`winogradConv2d: reflection padding needs at least 2×2, got ${H}×${W}`);
  const attrs: Attrs = { kernels, plan, m, relu: opts.relu ?? plan.relu, reflect, upsample, outChannels };
  return runWasmKernel(WINOGRAD_KERNEL, residual ? { x, residual } : { x }, attrs,
    (backend, inputs, a) => convolve(backend, inputs.x!, inputs.residual ?? null, a));
}

function convolve(backend: WasmBackendInternals, x: tf.TensorInfo, residual: tf.TensorInfo | null, { kernels: k, plan, m, relu, reflect, upsample, outChannels }: Attrs): tf.TensorInfo {
  const [n, h, w, C] = x.shape as [number, number, number, number];
  const H = h * upsample, W = w * upsample;
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
  // the whole K channels go to scratch first when only some are kept
  const crop = outChannels < K;
  const yFloats = crop ? n * H * W * K : 0;
  const floats = xFloats + (L.vBytes + L.mBytes) / 4 + yFloats;
  const resAt = residual ? backend.dataIdMap.get(residual.dataId)!.memoryOffset : 0;
  return inHeap(backend, k, x, [n, H, W, outChannels], floats * 4, ({ scratch, x: inAt, y: outAt }) => {
    const xAt = scratch, vAt = xAt + xFloats * 4, mAt = vAt + L.vBytes;
    const yAt = crop ? mAt + L.mBytes : outAt;
    // views after every allocation: malloc may have grown (and so replaced) the buffer
    const heap = new Float32Array(k.memory.buffer);
    padInput(heap, inAt / 4, xAt / 4, { n, H, W, C, Hp, Wp }, xFloats, reflect, upsample);
    const input = k[`input_transform_${m}`];
    const output = residual ? k[`output_transform_res_${m}`] : k[`output_transform_${m}`];
    for (let t0 = 0; t0 < T; t0 += tb) {
      const count = Math.min(tb, T - t0);
      const rows = Math.ceil(count / MR) * MR;
      input(xAt, vAt, C, Wp, Hp, tw, th, t0, rows, L.vPlane, L.vGroup);
      k.gemm(vAt, filters.U, mAt, planes, rows, C, K, L.vPlane, L.vGroup, L.mPlane, L.mRow);
      output(mAt, yAt, resAt, filters.bias, K, H, W, tw, th, t0, count, L.mPlane, L.mRow, relu ? 1 : 0);
    }
    if (crop) {
      for (let p = 0, from = yAt / 4, to = outAt / 4; p < n * H * W; p++, from += K, to += outChannels) {
        for (let c = 0; c < outChannels; c++) heap[to + c] = heap[from + c]!;
      }
    }
  });
}

interface Padded { n: number; H: number; W: number; C: number; Hp: number; Wp: number }

/**
 * Copies the NHWC input at float index `src` into the padded scratch at `dst`: image b's pixel
 * (y, x) at padded (y + 1, x + 1) of an Hp × Wp map, H × W being the input's size times
 * `upsample` (with 2, each input pixel fills a 2×2 block: nearest-neighbour upsampling). The
 * border of 1 holds zeros, or with `reflect` the mirrored neighbours (padded row 0 = row 1 of
 * the map, row H + 1 = its row H − 2, the same for columns, corners from both); what lies past
 * it, read only by tiles cropped from the output, is zeros.
 */
export function padInput(heap: Float32Array, src: number, dst: number, { n, H, W, C, Hp, Wp }: Padded, floats: number, reflect: boolean, upsample: 1 | 2 = 1): void {
  const row = W * C;
  const w = W / upsample, h = H / upsample;
  const at = (b: number, y: number, x: number): number => dst + ((b * Hp + y) * Wp + x) * C;
  heap.fill(0, dst, at(0, 1, 0));
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < H; y++) {
      const to = at(b, y + 1, 1);
      heap.fill(0, to - C, to);
      if (upsample === 1) {
        heap.copyWithin(to, src + (b * H + y) * row, src + (b * H + y) * row + row);
      } else if (y % 2 === 1) {
        heap.copyWithin(to, to - Wp * C, to - Wp * C + row); // the row above, already upsampled
      } else {
        const from = src + (b * h + y / 2) * w * C;
        for (let x = 0; x < w; x++) {
          heap.copyWithin(to + 2 * x * C, from + x * C, from + (x + 1) * C);
          heap.copyWithin(to + (2 * x + 1) * C, from + x * C, from + (x + 1) * C);
        }
      }
      heap.fill(0, to + row, at(b, y + 2, 1));
    }
    heap.fill(0, at(b, H + 1, 0), b + 1 < n ? at(b + 1, 1, 0) : dst + floats);
    if (!reflect) continue;
    for (let y = 1; y <= H; y++) {
      heap.copyWithin(at(b, y, 0), at(b, y, 2), at(b, y, 3));
      heap.copyWithin(at(b, y, W + 1), at(b, y, W - 1), at(b, y, W));
    }
    heap.copyWithin(at(b, 0, 0), at(b, 2, 0), at(b, 2, W + 2));
    heap.copyWithin(at(b, H + 1, 0), at(b, H - 1, 0), at(b, H - 1, W + 2));
  }
}
