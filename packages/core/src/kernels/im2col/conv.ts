/**
 * A convolution (+ bias, + ReLU) as one matrix product: im2col gathers each output pixel's
 * receptive field into a row, and the shared GEMM (kernels/wat.ts) multiplies a block of rows
 * by the packed filters, adding the bias and applying ReLU as it stores. Used for the
 * convolutions Winograd does not take: a ResNet's 7×7 stride-2 stem, its stride-2 3×3 and 1×1
 * convolutions. Runs as a tfjs kernel of the wasm backend ('ShapetexIm2colConv2D'), in tfjs's
 * heap, like the Winograd one.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ConvKernels, WasmBackendInternals } from '../module.js';
import { inHeap, runWasmKernel } from '../run.js';
import { MR } from '../text.js';
import { residentIm2col, type Im2colPlan } from './plan.js';

export const IM2COL_KERNEL = 'ShapetexIm2colConv2D';

/**
 * Bytes of one block of im2col rows: the GEMM streams the block once per 8 output channels, so
 * it should stay in a core's L2 cache; at least MIN_ROWS rows, so each 8-column panel of the
 * filters is reused enough.
 */
const BLOCK_BYTES = 256 << 10;
const MIN_ROWS = 32;

/** Output pixels per block: a multiple of MR, at least MIN_ROWS (fewer when there are fewer). */
export function blockRows(depth: number, total: number): number {
  const fit = Math.max(MIN_ROWS, Math.floor(BLOCK_BYTES / (4 * depth)));
  return Math.min(fit - (fit % MR), Math.ceil(total / MR) * MR);
}

interface Attrs { kernels: ConvKernels; plan: Im2colPlan }

/** y = act(conv(x) + bias) for an NHWC float32 input on the wasm backend, by im2col + GEMM. */
export function im2colConv2d(kernels: ConvKernels, x: tf.Tensor4D, plan: Im2colPlan): tf.Tensor4D {
  if (x.shape[3] !== plan.C) throw new Error(`im2colConv2d: input has ${x.shape[3]} channels, the filter expects ${plan.C}`);
  return runWasmKernel<Attrs>(IM2COL_KERNEL, { x }, { kernels, plan }, (backend, inputs, attrs) => convolve(backend, inputs.x!, attrs));
}

function convolve(backend: WasmBackendInternals, x: tf.TensorInfo, { kernels: k, plan }: Attrs): tf.TensorInfo {
  const [n, H, W, C] = x.shape as [number, number, number, number];
  const { kh, kw, K, stride, pad } = plan;
  const OH = Math.floor((H + 2 * pad - kh) / stride) + 1;
  const OW = Math.floor((W + 2 * pad - kw) / stride) + 1;
  if (OH < 1 || OW < 1) throw new Error(`im2colConv2d: a ${kh}×${kw} filter with padding ${pad} does not fit a ${H}×${W} input`);
  const depth = kh * kw * C;
  const total = n * OH * OW;
  const tb = blockRows(depth, total);
  const filters = residentIm2col(k, plan);
  // scratch: one block of rows | the last block's products when it ends inside a group of MR
  // rows (the GEMM stores whole groups, which would run past the output)
  return inHeap(backend, k, x, [n, OH, OW, K], tb * (depth + K) * 4, ({ scratch, x: xAt, y: yAt }) => {
    const vAt = scratch, tailAt = vAt + tb * depth * 4;
    for (let r0 = 0; r0 < total; r0 += tb) {
      const count = Math.min(tb, total - r0);
      const rows = Math.ceil(count / MR) * MR;
      k.im2col(xAt, vAt, H, W, C, OH, OW, kh, kw, stride, pad, r0, rows, total);
      const target = rows === count ? yAt + r0 * K * 4 : tailAt;
      // one plane: groups of MR rows [depth][MR] one after the other, output rows K floats apart
      k.gemm_bias_act(vAt, filters.U, target, 1, rows, depth, K, 0, depth * MR * 4, 0, K * 4, filters.bias, plan.relu ? 1 : 0);
      if (target === tailAt) {
        // views after every allocation: malloc may have grown (and so replaced) the buffer
        const heap = new Float32Array(k.memory.buffer);
        heap.copyWithin((yAt + r0 * K * 4) / 4, tailAt / 4, tailAt / 4 + count * K);
      }
    }
  });
}
