/**
 * Multi-head self-attention of a ViT block, as torchvision's nn.MultiheadAttention (in_proj /
 * out_proj) and timm's Attention (qkv / proj) compute it: one projection to q, k, v (rows of
 * the [3D, D] weight in that order, each split into `heads` contiguous slices of D / heads),
 * softmax(q·kᵀ / √d_head)·v per head, heads concatenated, output projection.
 *
 * q, k and v are split apart before their heads are moved forward: three 4-D transposes cost
 * far less on wasm than one 5-D transpose of the whole projection.
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyLinear, type Linear } from './linear.js';

export interface SelfAttention {
  qkv: Linear;
  proj: Linear;
  heads: number;
}

/** [N·T, D] → [N, heads, T, hd]. */
function headsFirst(x: tf.Tensor2D, N: number, T: number, heads: number, hd: number): tf.Tensor4D {
  return tf.transpose(tf.reshape(x, [N, T, heads, hd]), [0, 2, 1, 3]);
}

/** x [N, T, D] → [N, T, D]. */
export function applySelfAttention(x: tf.Tensor3D, a: SelfAttention): tf.Tensor3D {
  const [N, T, D] = x.shape;
  const hd = D / a.heads;
  const [q, k, v] = tf.split(tf.reshape(applyLinear(x, a.qkv), [N * T, 3 * D]), 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  // q scaled before the product, as both originals do
  const qh = headsFirst(tf.mul(q, 1 / Math.sqrt(hd)), N, T, a.heads, hd);
  const scores = tf.matMul(qh, headsFirst(k, N, T, a.heads, hd), false, true);
  const ctx = tf.matMul(tf.softmax(scores), headsFirst(v, N, T, a.heads, hd));
  const merged = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [N, T, D]) as tf.Tensor3D;
  return applyLinear(merged, a.proj);
}
