/**
 * Multi-head self-attention of a ViT block, as torchvision's nn.MultiheadAttention (in_proj /
 * out_proj) and timm's Attention (qkv / proj) compute it: one projection to q, k, v (rows of
 * the [3D, D] weight in that order, each split into `heads` contiguous slices of D / heads),
 * softmax(q·kᵀ / √d_head)·v per head, heads concatenated, output projection.
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyLinear, disposeLinear, type Linear } from './linear.js';

export interface SelfAttention {
  qkv: Linear;
  proj: Linear;
  heads: number;
}

/** x [N, T, D] → [N, T, D]. */
export function applySelfAttention(x: tf.Tensor3D, a: SelfAttention): tf.Tensor3D {
  const [N, T, D] = x.shape;
  const hd = D / a.heads;
  const qkv = tf.reshape(applyLinear(x, a.qkv), [N, T, 3, a.heads, hd]);
  // [3, N, heads, T, hd]
  const [q, k, v] = tf.unstack(tf.transpose(qkv, [2, 0, 3, 1, 4])) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
  // q scaled before the product, as both originals do
  const scores = tf.matMul(tf.mul(q!, 1 / Math.sqrt(hd)), k!, false, true);
  const ctx = tf.matMul(tf.softmax(scores), v!);
  const merged = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [N, T, D]) as tf.Tensor3D;
  return applyLinear(merged, a.proj);
}

export function disposeSelfAttention(a: SelfAttention): void {
  disposeLinear(a.qkv);
  disposeLinear(a.proj);
}
