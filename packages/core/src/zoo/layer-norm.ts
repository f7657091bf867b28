/**
 * LayerNorm over the last axis (PyTorch's nn.LayerNorm on [.., C], and torchvision's
 * LayerNorm2d on a channels-last map, which is the same arithmetic):
 * y = (x − mean) / √(var + ε) · γ + β, with the biased variance, as PyTorch computes it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../io/types.js';
import { floatsOf } from './linear.js';

export interface LayerNorm {
  gamma: tf.Tensor1D;
  beta: tf.Tensor1D;
  eps: number;
}

/** `prefix.weight` and `prefix.bias`; ViT, DeiT and ConvNeXt all use ε = 1e-6. */
export function layerNormOf(arch: string, sd: StateDict, prefix: string, eps: number): LayerNorm {
  return {
    gamma: tf.tensor1d(floatsOf(arch, sd, `${prefix}.weight`).slice()),
    beta: tf.tensor1d(floatsOf(arch, sd, `${prefix}.bias`).slice()),
    eps,
  };
}

export function applyLayerNorm<T extends tf.Tensor>(x: T, ln: LayerNorm): T {
  const axis = x.rank - 1;
  const { mean, variance } = tf.moments(x, axis, true);
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, ln.eps)));
  return tf.add(tf.mul(normed, ln.gamma), ln.beta) as T;
}

export function disposeLayerNorm(ln: LayerNorm): void {
  ln.gamma.dispose();
  ln.beta.dispose();
}
