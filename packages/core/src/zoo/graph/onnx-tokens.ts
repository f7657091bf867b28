/**
 * The transformer operations of the ONNX lowering (graph/onnx-ops.ts): tokens are [N, T, D];
 * Reshapes keep the batch with 0 so the emitted graph takes any N.
 */
import type { Ops } from './ops.js';
import type { ConstWeights, LinearWeights } from './weights.js';
import type { OnnxGraphBuilder } from './onnx-builder.js';
import { linear, type InitializerMemo, type OnnxValue } from './onnx-values.js';

type TokenOps = Pick<Ops<OnnxValue>, 'tokensOf' | 'prepend' | 'addConst' | 'sliceTokens' | 'tokenVector' | 'tokenGrid'>;

export function tokenOps(b: OnnxGraphBuilder, memo: InitializerMemo): TokenOps {
  const constant = (c: ConstWeights): string => memo.get(c, () => [b.floats(c.name, c.data, c.shape)])[0]!;
  return {
    // [N, D, H, W] → [N, D, H·W] → [N, H·W, D]: row by row, as PyTorch's flatten(2).transpose(1, 2)
    tokensOf: (x) => {
      const [D, H, W] = x.dims as [number, number, number];
      const flat = b.node('Reshape', [x.name, b.ints('tokens_of.shape', [0, D, H * W])]);
      return { kind: 'tokens', dims: [H * W, D], name: b.node('Transpose', [flat], { perm: [0, 2, 1] }) };
    },
    // the constant [1, P, D] broadcast to [N, P, D] (Expand against [N, 1, 1]), then put in front
    prepend: (x, c) => {
      const n = b.node('Slice', [b.node('Shape', [x.name]), b.ints('prepend.start', [0]), b.ints('prepend.end', [1])]);
      const shape = b.node('Concat', [n, b.ints('prepend.ones', [1, 1])], { axis: 0 });
      const front = b.node('Expand', [constant(c), shape], {}, c.name);
      const P = c.shape[1]!;
      return { kind: 'tokens', dims: [P + x.dims[0]!, x.dims[1]!], name: b.node('Concat', [front, x.name], { axis: 1 }) };
    },
    addConst: (x, c) => ({ ...x, name: b.node('Add', [x.name, constant(c)], {}, c.name) }),
    sliceTokens: (x, start, count) => ({
      kind: 'tokens', dims: [count, x.dims[1]!],
      name: b.node('Slice', [x.name, b.ints('slice.start', [start]), b.ints('slice.end', [start + count]), b.ints('slice.axes', [1])]),
    }),
    tokenVector: (x) => ({ kind: 'vector', dims: [x.dims[1]!], name: b.node('Flatten', [x.name], { axis: 1 }) }),
    // [N, gh·gw, D] → [N, D, gh·gw] → [N, D, gh, gw]
    tokenGrid: (x, gh, gw) => {
      const D = x.dims[1]!;
      const t = b.node('Transpose', [x.name], { perm: [0, 2, 1] });
      return { kind: 'map', dims: [D, gh, gw], name: b.node('Reshape', [t, b.ints('token_grid.shape', [0, D, gh, gw])]) };
    },
  };
}

/**
 * Multi-head self-attention as zoo/attention.ts computes it: one qkv projection, q, k, v split
 * into `heads` slices of D / heads, softmax(q·kᵀ / √d_head)·v per head (q scaled first, as
 * timm and torchvision do), heads concatenated, output projection.
 */
export function attentionOps(b: OnnxGraphBuilder, memo: InitializerMemo): Ops<OnnxValue>['selfAttention'] {
  return (x: OnnxValue, qkv: LinearWeights, proj: LinearWeights, heads: number) => {
    const [T, D] = x.dims as [number, number];
    const hd = D / heads;
    const label = proj.name.replace(/\.proj$|\.out_proj$/, '');
    const y = linear(b, memo, x, qkv).name;
    // [N, T, 3D] → [N, T, 3, heads, hd] → [3, N, heads, T, hd]
    const split = b.node('Transpose', [b.node('Reshape', [y, b.ints(`${label}.qkv_shape`, [0, 0, 3, heads, hd])], {}, label)], { perm: [2, 0, 3, 1, 4] }, label);
    const part = (i: number): string => b.node('Gather', [split, b.ints(`${label}.index`, [i], [])], { axis: 0 }, label);
    const q = b.node('Mul', [part(0), b.scalar(`${label}.scale`, 1 / Math.sqrt(hd))], {}, label);
    const kT = b.node('Transpose', [part(1)], { perm: [0, 1, 3, 2] }, label);
    const attn = b.node('Softmax', [b.node('MatMul', [q, kT], {}, label)], { axis: -1 }, label);
    const ctx = b.node('MatMul', [attn, part(2)], {}, label);
    const merged = b.node('Reshape', [b.node('Transpose', [ctx], { perm: [0, 2, 1, 3] }, label), b.ints(`${label}.merge_shape`, [0, 0, D])], {}, label);
    return linear(b, memo, { kind: 'tokens', dims: [T, D], name: merged }, proj);
  };
}
