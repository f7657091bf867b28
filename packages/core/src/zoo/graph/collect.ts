/**
 * Every weight record a graph touches, found by running it once against a lowering that
 * computes nothing: the TF.js lowering uploads them all when a network is built (so memory is
 * spent at load time, not inside the first forward's tidy).
 */
import type { Ops, ZooGraph } from './ops.js';
import type { AffineWeights, ConstWeights, ConvWeights, LinearWeights, NormWeights } from './weights.js';

export type WeightRecord =
  | { kind: 'conv'; w: ConvWeights }
  | { kind: 'linear'; w: LinearWeights }
  | { kind: 'affine'; w: AffineWeights }
  | { kind: 'norm'; w: NormWeights }
  | { kind: 'const'; w: ConstWeights };

export function collectWeights(graph: ZooGraph, outputs: readonly string[], size: number): WeightRecord[] {
  const seen = new Set<object>();
  const found: WeightRecord[] = [];
  const note = (r: WeightRecord): 0 => {
    if (!seen.has(r.w)) { seen.add(r.w); found.push(r); }
    return 0;
  };
  const none = (): 0 => 0;
  const ops: Ops<0> = {
    conv: (_x, w) => note({ kind: 'conv', w }),
    maxPool: none, avgPool: none, adaptiveAvgPool: none, globalAvgPool: none, flatten: none, padChannels: none, concat: none,
    add: none, mul: none, scale: none, relu: none, sigmoid: none, silu: none, gelu: none,
    affine: (_x, w) => note({ kind: 'affine', w }),
    linear: (_x, w) => note({ kind: 'linear', w }),
    layerNorm: (_x, w) => note({ kind: 'norm', w }),
    tokensOf: none,
    prepend: (_x, w) => note({ kind: 'const', w }),
    addConst: (_x, w) => note({ kind: 'const', w }),
    selfAttention: (_x, qkv, proj) => { note({ kind: 'linear', w: qkv }); return note({ kind: 'linear', w: proj }); },
    sliceTokens: none, tokenVector: none, tokenGrid: none,
    scope: (f) => f(),
  };
  graph.forward(ops, { x: 0, size }, outputs);
  return found;
}
