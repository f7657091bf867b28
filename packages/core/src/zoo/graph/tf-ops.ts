/**
 * The TF.js lowering of a zoo graph (graph/ops.ts): values are tensors, maps are NHWC, and each
 * forward computes them. Weights become tensors (and the wasm kernels' plans, kernels/conv.ts)
 * the first time an operation meets them, and stay until `release`; a network owns one lowering.
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyConvPlan, planConv, releaseConvPlan, silu, type ConvPlan } from '../../kernels/conv.js';
import { applySelfAttention } from '../attention.js';
import { gelu } from '../gelu.js';
import { adaptiveAvgPool } from '../vgg-head.js';
import type { Ops, PoolOptions } from './ops.js';
import type { AffineWeights, ConstWeights, ConvWeights, LinearWeights, NormWeights } from './weights.js';
import { applyLinear, type Linear } from '../linear.js';
import type { WeightRecord } from './collect.js';

export interface TfOps extends Ops<tf.Tensor> {
  /** Uploads a weight record now (graph/collect.ts), instead of at its first use. */
  prepare(r: WeightRecord): void;
  /** Frees every tensor and kernel plan made from the weights. */
  release(): void;
}

/** OIHW (groups 1) → HWIO; depthwise [C, 1, kh, kw] → [kh, kw, C, 1]. */
export function hwioOf(c: ConvWeights): Float32Array {
  const { O, kh, kw } = c;
  const I = c.groups === 1 ? c.I : 1;
  const out = new Float32Array(c.weight.length);
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          const src = ((o * I + i) * kh + y) * kw + x;
          out[c.groups === 1 ? ((y * kw + x) * I + i) * O + o : (y * kw + x) * O + o] = c.weight[src]!;
        }
      }
    }
  }
  return out;
}

/** [out, in] → [in, out], so every forward is one matrix product. */
function transposed(l: LinearWeights): Float32Array {
  const t = new Float32Array(l.weight.length);
  for (let o = 0; o < l.out; o++) for (let i = 0; i < l.in; i++) t[i * l.out + o] = l.weight[o * l.in + i]!;
  return t;
}

/** Memo of what a weights record became, made outside any tidy's reach. */
function memo<K extends object, T>(make: (k: K) => T, keepAll: (t: T) => void): { get(k: K): T; values(): IterableIterator<T> } {
  const m = new Map<K, T>();
  return {
    get(k) {
      let t = m.get(k);
      if (t === undefined) {
        t = make(k);
        keepAll(t);
        m.set(k, t);
      }
      return t;
    },
    values: () => m.values(),
  };
}

// a numeric pad (0 included: TF.js refuses 'valid' with a rounding mode) gives PyTorch's floor
// (H + 2·pad − k) / stride + 1
const pool = (x: tf.Tensor, p: PoolOptions, f: typeof tf.maxPool | typeof tf.avgPool): tf.Tensor =>
  f(x as tf.Tensor4D, p.k, p.stride, p.pad, 'floor');

export function createTfOps(): TfOps {
  const keep = (...ts: (tf.Tensor | null)[]): void => { for (const t of ts) if (t) tf.keep(t); };
  const convs = memo((c: ConvWeights): ConvPlan => planConv({
    filter: hwioOf(c), kh: c.kh, kw: c.kw, C: c.I, K: c.O, depthwise: c.groups !== 1,
    bias: c.bias, stride: c.stride, pad: c.pad, activation: c.activation,
  }), (p) => keep(p.filter, p.bias));
  const linears = memo((l: LinearWeights): Linear => ({
    w: tf.tensor2d(transposed(l), [l.in, l.out]), b: l.bias ? tf.tensor1d(l.bias) : null, in: l.in, out: l.out,
  }), (l) => keep(l.w, l.b));
  const vecs = memo((a: Float32Array) => tf.tensor1d(a), (t) => keep(t));
  const consts = memo((c: ConstWeights) => tf.tensor(c.data, c.shape), (t) => keep(t));
  return {
    conv: (x, c, add) => applyConvPlan(x as tf.Tensor4D, convs.get(c), add ? { add: { residual: add.residual as tf.Tensor4D, relu: add.relu } } : {}),
    maxPool: (x, p) => pool(x, p, tf.maxPool),
    // PyTorch counts the zero padding in the mean (count_include_pad); tf.avgPool leaves it out
    avgPool: (x, p) => (p.pad === 0 ? pool(x, p, tf.avgPool) : pool(tf.pad(x, [[0, 0], [p.pad, p.pad], [p.pad, p.pad], [0, 0]]), { ...p, pad: 0 }, tf.avgPool)),
    adaptiveAvgPool: (x, out) => adaptiveAvgPool(x as tf.Tensor4D, out),
    globalAvgPool: (x) => tf.mean(x, [1, 2]),
    flatten: (x) => {
      const [n, h, w, c] = x.shape as [number, number, number, number];
      return tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n, c * h * w]);
    },
    padChannels: (x, before, after) => tf.pad(x, [[0, 0], [0, 0], [0, 0], [before, after]]),
    concat: (xs) => tf.concat(xs as tf.Tensor[], 3),
    add: (a, b) => tf.add(a, b),
    // a vector [N, C] against a map [N, H, W, C]: broadcast over H and W
    mul: (a, b) => (a.rank === 4 && b.rank === 2 ? tf.mul(a, tf.reshape(b, [b.shape[0]!, 1, 1, b.shape[1]!])) : tf.mul(a, b)),
    scale: (a, k) => tf.mul(a, k),
    relu: (x) => tf.relu(x),
    sigmoid: (x) => tf.sigmoid(x),
    silu: (x) => silu(x),
    gelu: (x) => gelu(x),
    affine: (x, a: AffineWeights) => (a.shift ? tf.add(tf.mul(x, vecs.get(a.scale)), vecs.get(a.shift)) : tf.mul(x, vecs.get(a.scale))),
    linear: (x, l) => applyLinear(x, linears.get(l)),
    layerNorm: (x, n: NormWeights) => {
      const { mean, variance } = tf.moments(x, x.rank - 1, true);
      const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, n.eps)));
      return tf.add(tf.mul(normed, vecs.get(n.weight)), vecs.get(n.bias));
    },
    tokensOf: (x) => {
      const [n, h, w, d] = x.shape as [number, number, number, number];
      return tf.reshape(x, [n, h * w, d]);
    },
    prepend: (x, c) => tf.concat([tf.tile(consts.get(c), [x.shape[0]!, 1, 1]), x], 1),
    addConst: (x, c) => tf.add(x, consts.get(c)),
    selfAttention: (x, qkv, proj, heads) => applySelfAttention(x as tf.Tensor3D, { qkv: linears.get(qkv), proj: linears.get(proj), heads }),
    sliceTokens: (x, start, count) => tf.slice(x, [0, start, 0], [-1, count, -1]),
    tokenVector: (x) => tf.reshape(x, [x.shape[0]!, x.shape[2]!]),
    tokenGrid: (x, gh, gw) => tf.reshape(x, [x.shape[0]!, gh, gw, x.shape[2]!]),
    scope: (f) => tf.tidy(f),
    prepare(r) {
      if (r.kind === 'conv') convs.get(r.w);
      else if (r.kind === 'linear') linears.get(r.w);
      else if (r.kind === 'const') consts.get(r.w);
      else if (r.kind === 'norm') { vecs.get(r.w.weight); vecs.get(r.w.bias); }
      else { vecs.get(r.w.scale); if (r.w.shift) vecs.get(r.w.shift); }
    },
    release() {
      for (const p of convs.values()) releaseConvPlan(p);
      for (const l of linears.values()) { l.w.dispose(); l.b?.dispose(); }
      for (const t of vecs.values()) t.dispose();
      for (const t of consts.values()) t.dispose();
    },
  };
}
