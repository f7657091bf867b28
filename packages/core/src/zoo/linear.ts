/**
 * PyTorch's nn.Linear in the TF.js lowering (graph/tf-ops.ts): y = x·Wᵀ + b over the last axis,
 * the weight transposed once to [in, out] so every forward is one fused matrix product.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface Linear {
  /** [in, out] (PyTorch stores [out, in]). */
  w: tf.Tensor2D;
  b: tf.Tensor1D | null;
  in: number;
  out: number;
}

/** Apply over the last axis of a tensor of any rank ≥ 2. */
export function applyLinear<T extends tf.Tensor>(x: T, l: Linear): T {
  const shape = x.shape;
  const rows = x.size / shape[shape.length - 1]!;
  const y = tf.fused.matMul({ a: tf.reshape(x, [rows, l.in]) as tf.Tensor2D, b: l.w, ...(l.b ? { bias: l.b } : {}) });
  return tf.reshape(y, [...shape.slice(0, -1), l.out]) as T;
}
