/**
 * VGG's classifier as logits. torchvision: the last max-pool, `AdaptiveAvgPool2d((7, 7))`,
 * flatten in NCHW order, then `classifier.0` Linear, ReLU, Dropout, `classifier.3` Linear, ReLU,
 * Dropout, `classifier.6` Linear. The CIFAR VGGs of double-descent work: the last max-pool (a
 * 1x1 map at 32 px), flatten, a single `classifier` Linear (or several, ReLU between them).
 * Dropout is the identity at inference. A ReLU is put between every two Linears, as both
 * layouts do.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../io/types.js';
import type { Ops } from './graph/ops.js';
import type { LinearWeights } from './graph/weights.js';
import { readLinearWeights } from './graph/staged.js';

/** Prefixes of the classifier's Linears in index order: `classifier` or `classifier.{i}`. */
function linearPrefixes(sd: StateDict): string[] {
  return [...sd.keys()]
    .map((k) => /^classifier(?:\.(\d+))?\.weight$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null && sd.get(m[0])!.shape.length === 2)
    .sort((a, b) => Number(a[1] ?? 0) - Number(b[1] ?? 0))
    .map((m) => (m[1] === undefined ? 'classifier' : `classifier.${m[1]}`));
}

/**
 * PyTorch's adaptive average pooling of an NHWC map to out×out: bin i covers rows
 * floor(i·H/out) … ceil((i+1)·H/out) − 1 (and the same for columns).
 */
export function adaptiveAvgPool(x: tf.Tensor4D, out: number): tf.Tensor4D {
  const [, H, W] = x.shape;
  if (H === out && W === out) return x;
  if (H % out === 0 && W % out === 0) return tf.avgPool(x, [H / out, W / out], [H / out, W / out], 'valid');
  const rows: tf.Tensor4D[] = [];
  for (let i = 0; i < out; i++) {
    const h0 = Math.floor((i * H) / out);
    const h1 = Math.ceil(((i + 1) * H) / out);
    const cols: tf.Tensor4D[] = [];
    for (let j = 0; j < out; j++) {
      const w0 = Math.floor((j * W) / out);
      const w1 = Math.ceil(((j + 1) * W) / out);
      cols.push(tf.mean(tf.slice(x, [0, h0, w0, 0], [-1, h1 - h0, w1 - w0, -1]), [1, 2], true) as tf.Tensor4D);
    }
    rows.push(tf.concat(cols, 2));
  }
  return tf.concat(rows, 1);
}

export interface VggHead {
  /** The logits (a vector) from the `final` map, against any lowering. */
  run<V>(ops: Ops<V>, final: V): V;
  numClasses: number;
}

/** The logits head of a VGG whose last conv block has `channels` outputs, or why there is none. */
export function vggHead(sd: StateDict, channels: number): VggHead | string {
  const prefixes = linearPrefixes(sd);
  if (prefixes.length === 0) return 'the checkpoint has no classifier weights (classifier.*.weight)';
  const linears: LinearWeights[] = [];
  for (let i = 0; i < prefixes.length; i++) {
    const l = readLinearWeights(sd, prefixes[i]!, i === 0 ? undefined : linears[i - 1]!.out);
    if (typeof l === 'string') return l;
    linears.push(l);
  }
  const inF = linears[0]!.in;
  const spatial = inF / channels;
  const side = Math.round(Math.sqrt(spatial));
  if (!Number.isInteger(spatial) || side * side !== spatial) {
    return `${prefixes[0]}.weight takes ${inF} features, which is not ${channels} channels times a square map`;
  }
  return {
    numClasses: linears[linears.length - 1]!.out,
    run(ops, final) {
      const pooled = ops.maxPool(final, { k: 2, stride: 2, pad: 0 });
      // a 1-wide input (CIFAR VGG): a map larger than 1x1 (an input over 32 px) is averaged, the
      // only size-free reading of the flatten
      let h = side === 1 ? ops.globalAvgPool(pooled) : ops.flatten(ops.adaptiveAvgPool(pooled, side));
      linears.forEach((l, i) => { h = ops.linear(i === 0 ? h : ops.relu(h), l); });
      return h;
    },
  };
}
