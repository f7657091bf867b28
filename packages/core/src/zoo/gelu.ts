/**
 * GELU as PyTorch's nn.GELU() default computes it, the exact form x·Φ(x) =
 * ½·x·(1 + erf(x / √2)), not the tanh approximation (torchvision's ViT and ConvNeXt and timm's
 * ViT all use the exact one).
 */
import * as tf from '@tensorflow/tfjs-core';

export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)) as T;
}
