/**
 * Convolution layers of the zoo builders: a PyTorch conv weight with its BatchNorm folded into
 * HWIO filters, run with PyTorch's symmetric padding on the kernel kernels/conv.ts picks.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { applyConvPlan, planConv, releaseConvPlan, type ConvPlan, type ResidualAdd } from '../kernels/conv.js';
import { CheckpointError } from '../io/errors.js';
import type { StateDict } from '../io/types.js';
import { bnAffine } from './batchnorm.js';
import { floats } from './keys.js';

export type { Activation, ResidualAdd } from '../kernels/conv.js';
export { silu } from '../kernels/conv.js';

/** A convolution ready to run, BatchNorm folded in (kernels/conv.ts picks its path). */
export type FoldedConv = ConvPlan;

export interface ConvOptions {
  stride?: number;
  /** Symmetric zero padding (PyTorch `padding`); default (k − 1) / 2. */
  pad?: number;
  /** Prefix of the BatchNorm that follows the conv, folded into it. */
  bn?: string;
  bnEps?: number;
  /** Key of the conv's own bias, if it has one. */
  bias?: string;
  activation?: ConvPlan['activation'];
  /** groups = channels (weight [C, 1, kh, kw]). */
  depthwise?: boolean;
}

/**
 * PyTorch conv weight [O, I/g, kh, kw] → TF filter, BatchNorm folded:
 * W'[o] = W[o]·scale[o], b' = (b − μ)·scale + β. Depthwise ([C, 1, kh, kw], groups = C) becomes
 * [kh, kw, C, 1]; ordinary convs become HWIO [kh, kw, I, O].
 */
export function foldConv(sd: StateDict, weightKey: string, opts: ConvOptions = {}): FoldedConv {
  const e = sd.get(weightKey);
  const w = floats(e, weightKey);
  const [O, I, kh, kw] = e!.shape as [number, number, number, number];
  const depthwise = opts.depthwise ?? false;
  if (depthwise && I !== 1) throw new CheckpointError(null, `${weightKey}: depthwise conv weight must be [C, 1, kh, kw], found [${e!.shape.join(', ')}]`);
  const aff = opts.bn ? bnAffine(sd, opts.bn, opts.bnEps ?? 1e-5) : null;
  const convBias = opts.bias ? floats(sd.get(opts.bias), opts.bias) : null;
  const out = new Float32Array(w.length);
  for (let o = 0; o < O; o++) {
    const s = aff ? aff.scale[o]! : 1;
    for (let i = 0; i < I; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          const src = ((o * I + i) * kh + y) * kw + x;
          // depthwise: [kh, kw, C=O, 1]; dense: [kh, kw, I, O]
          const dst = depthwise ? (y * kw + x) * O + o : ((y * kw + x) * I + i) * O + o;
          out[dst] = w[src]! * s;
        }
      }
    }
  }
  let bias: Float32Array | null = null;
  if (aff || convBias) {
    bias = new Float32Array(O);
    for (let o = 0; o < O; o++) {
      const b0 = convBias ? convBias[o]! : 0;
      bias[o] = aff ? b0 * aff.scale[o]! + aff.shift[o]! : b0;
    }
  }
  return planConv({
    filter: out, kh, kw, C: depthwise ? O : I, K: O, depthwise, bias,
    ...(opts.stride !== undefined ? { stride: opts.stride } : {}),
    ...(opts.pad !== undefined ? { pad: opts.pad } : {}),
    ...(opts.activation !== undefined ? { activation: opts.activation } : {}),
  });
}

/**
 * Apply a folded conv (kernels/conv.ts): with `add`, the residual is added and the ReLU applied
 * after the sum, inside the Winograd kernel's output transform on wasm.
 */
export function applyConv(x: tf.Tensor4D, c: FoldedConv, add?: ResidualAdd): tf.Tensor4D {
  return applyConvPlan(x, c, add ? { add } : {});
}

export function disposeConv(c: FoldedConv): void {
  releaseConvPlan(c);
}
