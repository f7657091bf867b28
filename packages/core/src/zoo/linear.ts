/**
 * PyTorch's nn.Linear for the transformer and ConvNeXt builders: y = x·Wᵀ + b over the last
 * axis. The weight is transposed once at build time to [in, out] so every forward is one fused
 * matrix product with its bias.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../io/types.js';
import { shapeOf } from './keys.js';
import { CheckpointError } from '../io/errors.js';

export interface Linear {
  /** [in, out] (PyTorch stores [out, in]). */
  w: tf.Tensor2D;
  b: tf.Tensor1D | null;
  in: number;
  out: number;
}

/** Float32 data of a key, or an error naming it. */
export function floatsOf(arch: string, sd: StateDict, key: string): Float32Array {
  const e = sd.get(key);
  if (!e) throw new CheckpointError(null, `state_dict does not fit ${arch}: missing key ${key}`);
  if (!(e.data instanceof Float32Array)) throw new CheckpointError(null, `${key}: expected floating-point weights, found dtype ${e.dtype}`);
  return e.data;
}

/** nn.Linear from `weightKey` [O, I] and optionally `biasKey` [O]. */
export function linearOf(arch: string, sd: StateDict, weightKey: string, biasKey: string | null): Linear {
  const [O, I] = shapeOf(arch, sd, weightKey, 2) as [number, number];
  const w = floatsOf(arch, sd, weightKey);
  const t = new Float32Array(w.length);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) t[i * O + o] = w[o * I + i]!;
  return {
    w: tf.tensor2d(t, [I, O]),
    b: biasKey ? tf.tensor1d(floatsOf(arch, sd, biasKey).slice()) : null,
    in: I,
    out: O,
  };
}

/** The usual `prefix.weight` / `prefix.bias` pair. */
export function linearAt(arch: string, sd: StateDict, prefix: string): Linear {
  return linearOf(arch, sd, `${prefix}.weight`, `${prefix}.bias`);
}

/** Apply over the last axis of a tensor of any rank ≥ 2. */
export function applyLinear<T extends tf.Tensor>(x: T, l: Linear): T {
  const shape = x.shape;
  const rows = x.size / shape[shape.length - 1]!;
  const y = tf.fused.matMul({ a: tf.reshape(x, [rows, l.in]) as tf.Tensor2D, b: l.w, ...(l.b ? { bias: l.b } : {}) });
  return tf.reshape(y, [...shape.slice(0, -1), l.out]) as T;
}

export function disposeLinear(l: Linear): void {
  l.w.dispose();
  l.b?.dispose();
}
