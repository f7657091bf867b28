/**
 * What the ONNX lowering's operations share: the value type (a tensor name with its kind and
 * dimensions) and the memo of initializers made from weight records; and nn.Linear, which both
 * the channel operations and self-attention use.
 */
import type { OnnxGraphBuilder } from './onnx-builder.js';
import type { LinearWeights } from './weights.js';

/** A value of the ONNX graph: its tensor's name, its kind, and its dimensions after N. */
export interface OnnxValue {
  name: string;
  kind: 'map' | 'tokens' | 'vector';
  /** map [C, H, W]; tokens [T, D]; vector [K]. */
  dims: number[];
}

/** Weight records already turned into initializers, by record (a record used twice is stored once). */
export class InitializerMemo {
  private readonly m = new Map<object, Map<string, string[]>>();
  constructor(readonly b: OnnxGraphBuilder) {}
  /** The names made for `rec` (under `use`: a weight reshaped for maps is not the one for tokens). */
  get(rec: object, make: () => string[], use = ''): string[] {
    let uses = this.m.get(rec);
    if (!uses) { uses = new Map(); this.m.set(rec, uses); }
    let names = uses.get(use);
    if (!names) { names = make(); uses.set(use, names); }
    return names;
  }
}

/**
 * nn.Linear over the channels: a 1×1 Conv on maps, Gemm on vectors, MatMul with the transposed
 * weight on tokens (the Transpose of the initializer is folded by ONNX Runtime, so the stored
 * weight keeps PyTorch's [out, in] layout).
 */
export function linear(b: OnnxGraphBuilder, memo: InitializerMemo, x: OnnxValue, l: LinearWeights): OnnxValue {
  const [w, bias] = memo.get(l, () => [
    b.floats(`${l.name}.weight`, l.weight, [l.out, l.in]),
    ...(l.bias ? [b.floats(`${l.name}.bias`, l.bias, [l.out])] : []),
  ]);
  const withBias = bias ? [bias] : [];
  if (x.kind === 'vector') return { kind: 'vector', dims: [l.out], name: b.node('Gemm', [x.name, w!, ...withBias], { transB: 1 }, l.name) };
  if (x.kind === 'map') {
    const w4 = memo.get(l, () => [b.node('Reshape', [w!, b.ints(`${l.name}.conv_shape`, [l.out, l.in, 1, 1])], {}, l.name)], 'map')[0]!;
    return { ...x, dims: [l.out, x.dims[1]!, x.dims[2]!], name: b.node('Conv', [x.name, w4, ...withBias], { kernel_shape: [1, 1] }, l.name) };
  }
  const wt = memo.get(l, () => [b.node('Transpose', [w!], { perm: [1, 0] }, l.name)], 'tokens')[0]!;
  const y = b.node('MatMul', [x.name, wt], {}, l.name);
  return { ...x, dims: [x.dims[0]!, l.out], name: bias ? b.node('Add', [y, bias], {}, l.name) : y };
}
