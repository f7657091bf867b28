/**
 * The ONNX lowering of a zoo graph (graph/ops.ts): each operation appends NodeProtos (and the
 * initializers of its weights) to an OnnxGraphBuilder. Maps are NCHW, so PyTorch's weights go in
 * as they are (OIHW convs, [out, in] linears) and `flatten` is ONNX's own Flatten. The batch
 * stays dynamic (Reshape keeps it with 0); every other dimension is known at emit time and
 * tracked with the value, which adaptive pooling and the transformer ops need.
 */
import type { Ops, PoolOptions } from './ops.js';
import type { AffineWeights, ConvWeights, NormWeights } from './weights.js';
import type { OnnxGraphBuilder } from './onnx-builder.js';
import { attentionOps, tokenOps } from './onnx-tokens.js';
import { InitializerMemo, linear, type OnnxValue } from './onnx-values.js';
import { cropAxis, cropKernel } from './conv-taps.js';

export type { OnnxValue };

const base = (name: string): string => name.replace(/\.weight$/, '');
const out = (x: number, k: number, s: number, p: number): number => Math.floor((x + 2 * p - k) / s) + 1;

/** PyTorch's adaptive-pool bins along one axis as a [out, n] averaging matrix. */
function binMatrix(n: number, o: number): Float32Array {
  const m = new Float32Array(o * n);
  for (let i = 0; i < o; i++) {
    const start = Math.floor((i * n) / o);
    const end = Math.ceil(((i + 1) * n) / o);
    for (let j = start; j < end; j++) m[i * n + j] = 1 / (end - start);
  }
  return m;
}

function transpose2d(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c]!;
  return t;
}

function convOp(b: OnnxGraphBuilder, memo: InitializerMemo, x: OnnxValue, c: ConvWeights, add?: { residual: OnnxValue; relu: boolean }): OnnxValue {
  const label = base(c.name);
  const [, H, W] = x.dims as [number, number, number];
  // at this map size, only the taps that ever meet a pixel (graph/conv-taps.ts)
  const ch = cropAxis(H, c.kh, c.stride, c.pad);
  const cw = cropAxis(W, c.kw, c.stride, c.pad);
  const kh = ch?.size ?? c.kh;
  const kw = cw?.size ?? c.kw;
  const cropName = ch || cw ? `.crop_r${ch?.start ?? 0}c${cw?.start ?? 0}_${kh}x${kw}` : '';
  const [w] = memo.get(c, () => {
    const data = ch || cw ? cropKernel(c.weight, c.O * (c.I / c.groups), c.kh, c.kw, ch, cw).data : c.weight;
    return [b.floats(`${label}.weight${cropName}`, data, [c.O, c.I / c.groups, kh, kw])];
  }, cropName);
  const [bias] = c.bias ? memo.get(c.bias, () => [b.floats(`${label}.bias`, c.bias!, [c.O])]) : [];
  let y = b.node('Conv', [x.name, w!, ...(bias ? [bias] : [])], {
    kernel_shape: [kh, kw], strides: [c.stride, c.stride],
    pads: [ch?.padBegin ?? c.pad, cw?.padBegin ?? c.pad, ch?.padEnd ?? c.pad, cw?.padEnd ?? c.pad], group: c.groups,
  }, label);
  if (add) {
    y = b.node('Add', [y, add.residual.name], {}, label);
    if (add.relu) y = b.node('Relu', [y], {}, label);
  }
  y = activation(b, y, c.activation, label);
  return { name: y, kind: 'map', dims: [c.O, out(H, c.kh, c.stride, c.pad), out(W, c.kw, c.stride, c.pad)] };
}

function activation(b: OnnxGraphBuilder, y: string, act: ConvWeights['activation'], label: string): string {
  switch (act) {
    case 'linear': return y;
    case 'relu': return b.node('Relu', [y], {}, label);
    case 'relu6': return b.node('Clip', [y, b.scalar(`${label}.min`, 0), b.scalar(`${label}.max`, 6)], {}, label);
    case 'sigmoid': return b.node('Sigmoid', [y], {}, label);
    case 'silu': return b.node('Mul', [y, b.node('Sigmoid', [y], {}, label)], {}, label);
  }
}

function pool(b: OnnxGraphBuilder, op: 'MaxPool' | 'AveragePool', x: OnnxValue, p: PoolOptions): OnnxValue {
  const attrs = { kernel_shape: [p.k, p.k], strides: [p.stride, p.stride], pads: [p.pad, p.pad, p.pad, p.pad], ceil_mode: 0 };
  const y = b.node(op, [x.name], op === 'AveragePool' ? { ...attrs, count_include_pad: 1 } : attrs);
  const [C, H, W] = x.dims as [number, number, number];
  return { name: y, kind: 'map', dims: [C, out(H, p.k, p.stride, p.pad), out(W, p.k, p.stride, p.pad)] };
}

/**
 * Adaptive average pooling: one AveragePool where the bins are equal (H and W multiples of
 * `o`), otherwise exactly PyTorch's overlapping bins as two products with averaging matrices,
 * P_H · x · P_Wᵀ (MatMul broadcasts the [o, H] matrix over N and C).
 */
function adaptiveAvgPool(b: OnnxGraphBuilder, x: OnnxValue, o: number): OnnxValue {
  const [C, H, W] = x.dims as [number, number, number];
  if (H === o && W === o) return x;
  if (H % o === 0 && W % o === 0) {
    const kh = H / o;
    const kw = W / o;
    return { name: b.node('AveragePool', [x.name], { kernel_shape: [kh, kw], strides: [kh, kw] }), kind: 'map', dims: [C, o, o] };
  }
  const pw = b.floats(`adaptive_avg_pool.${W}to${o}.cols`, transpose2d(binMatrix(W, o), o, W), [W, o]);
  const ph = b.floats(`adaptive_avg_pool.${H}to${o}.rows`, binMatrix(H, o), [o, H]);
  const y = b.node('MatMul', [ph, b.node('MatMul', [x.name, pw])]);
  return { name: y, kind: 'map', dims: [C, o, o] };
}

/** Per-channel weights shaped to broadcast over a map's H and W ([C, 1, 1]) or a last axis. */
const channelDims = (x: OnnxValue, c: number): number[] => (x.kind === 'map' ? [c, 1, 1] : [c]);

function layerNorm(b: OnnxGraphBuilder, memo: InitializerMemo, x: OnnxValue, n: NormWeights): OnnxValue {
  const C = n.weight.length;
  const [w, bias] = memo.get(n, () => [b.floats(`${n.name}.weight`, n.weight, channelDims(x, C)), b.floats(`${n.name}.bias`, n.bias, channelDims(x, C))], x.kind);
  const axes = [x.kind === 'map' ? 1 : -1];
  const mean = b.node('ReduceMean', [x.name], { axes, keepdims: 1 }, n.name);
  const d = b.node('Sub', [x.name, mean], {}, n.name);
  // Pow(d, 2), not d·d: the pattern ONNX Runtime fuses into one LayerNormalization (last axis)
  const variance = b.node('ReduceMean', [b.node('Pow', [d, b.scalar(`${n.name}.two`, 2)], {}, n.name)], { axes, keepdims: 1 }, n.name);
  const std = b.node('Sqrt', [b.node('Add', [variance, b.scalar(`${n.name}.eps`, n.eps)], {}, n.name)], {}, n.name);
  const y = b.node('Add', [b.node('Mul', [b.node('Div', [d, std], {}, n.name), w!], {}, n.name), bias!], {}, n.name);
  return { ...x, name: y };
}

function affine(b: OnnxGraphBuilder, memo: InitializerMemo, x: OnnxValue, a: AffineWeights): OnnxValue {
  const C = a.scale.length;
  const [s, t] = memo.get(a, () => [
    b.floats(`${a.name}.scale`, a.scale, channelDims(x, C)),
    ...(a.shift ? [b.floats(`${a.name}.shift`, a.shift, channelDims(x, C))] : []),
  ], x.kind);
  const y = b.node('Mul', [x.name, s!], {}, a.name);
  return { ...x, name: t ? b.node('Add', [y, t], {}, a.name) : y };
}

function unary(b: OnnxGraphBuilder, op: string, x: OnnxValue): OnnxValue {
  return { ...x, name: b.node(op, [x.name]) };
}

/** Exact GELU, 0.5·x·(1 + erf(x / √2)), as PyTorch's nn.GELU(). */
function gelu(b: OnnxGraphBuilder, x: OnnxValue): OnnxValue {
  const erf = b.node('Erf', [b.node('Div', [x.name, b.scalar('gelu.sqrt2', Math.SQRT2)])]);
  const half = b.node('Mul', [x.name, b.scalar('gelu.half', 0.5)]);
  return { ...x, name: b.node('Mul', [half, b.node('Add', [erf, b.scalar('gelu.one', 1)])]) };
}

/** A vector [N, C] against a map [N, C, H, W]: [N, C, 1, 1], broadcast over H and W. */
function mul(b: OnnxGraphBuilder, a: OnnxValue, v: OnnxValue): OnnxValue {
  const rhs = a.kind === 'map' && v.kind === 'vector' ? b.node('Unsqueeze', [v.name, b.ints('unsqueeze.hw', [2, 3])]) : v.name;
  return { ...a, name: b.node('Mul', [a.name, rhs]) };
}

/** Zero channels around a map's own: Pad on axis 1 (PyTorch F.pad(x, (0, 0, 0, 0, before, after))). */
function padChannels(b: OnnxGraphBuilder, x: OnnxValue, before: number, after: number): OnnxValue {
  const [C, H, W] = x.dims as [number, number, number];
  const pads = b.ints(`pad_channels.${before}_${after}`, [0, before, 0, 0, 0, after, 0, 0]);
  return { kind: 'map', dims: [C + before + after, H, W], name: b.node('Pad', [x.name, pads]) };
}

function concat(b: OnnxGraphBuilder, xs: readonly OnnxValue[]): OnnxValue {
  const first = xs[0]!;
  const axis = first.kind === 'map' ? 1 : -1;
  const dims = [...first.dims];
  const at = first.kind === 'map' ? 0 : dims.length - 1;
  dims[at] = xs.reduce((s, x) => s + x.dims[at]!, 0);
  return { kind: first.kind, dims, name: b.node('Concat', xs.map((x) => x.name), { axis }) };
}

export function createOnnxOps(b: OnnxGraphBuilder): Ops<OnnxValue> {
  const memo = new InitializerMemo(b);
  return {
    conv: (x, c, add) => convOp(b, memo, x, c, add),
    maxPool: (x, p) => pool(b, 'MaxPool', x, p),
    avgPool: (x, p) => pool(b, 'AveragePool', x, p),
    adaptiveAvgPool: (x, o) => adaptiveAvgPool(b, x, o),
    globalAvgPool: (x) => ({ kind: 'vector', dims: [x.dims[0]!], name: b.node('Flatten', [b.node('GlobalAveragePool', [x.name])], { axis: 1 }) }),
    flatten: (x) => ({ kind: 'vector', dims: [x.dims.reduce((p, d) => p * d, 1)], name: b.node('Flatten', [x.name], { axis: 1 }) }),
    concat: (xs) => concat(b, xs),
    padChannels: (x, before, after) => padChannels(b, x, before, after),
    add: (a, c) => ({ ...a, name: b.node('Add', [a.name, c.name]) }),
    mul: (a, c) => mul(b, a, c),
    // a · k, as the TF.js lowering computes it (ops.ts's comment said a / k)
    scale: (a, k) => ({ ...a, name: b.node('Mul', [a.name, b.scalar('scale.k', k)]) }),
    relu: (x) => unary(b, 'Relu', x),
    sigmoid: (x) => unary(b, 'Sigmoid', x),
    silu: (x) => ({ ...x, name: b.node('Mul', [x.name, b.node('Sigmoid', [x.name])]) }),
    gelu: (x) => gelu(b, x),
    affine: (x, a) => affine(b, memo, x, a),
    linear: (x, l) => linear(b, memo, x, l),
    layerNorm: (x, n) => layerNorm(b, memo, x, n),
    ...tokenOps(b, memo),
    selfAttention: attentionOps(b, memo),
    // a recorded graph has no intermediate tensors to free: the scope is the body itself
    scope: (f) => f(),
  };
}
