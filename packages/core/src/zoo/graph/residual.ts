/**
 * The ResNet-like families as Networks (torchvision's ResNets, the CIFAR ResNets, the pre-act
 * ResNet): stages of residual blocks on the staged graph, taps with their channels, and the
 * classifier on the global mean of `final`. Apart from staged.ts, which the TF.js lowering's
 * helpers import, so that graphNetwork is not pulled into that circle.
 */
import type { Network } from '../types.js';
import type { Ops } from './ops.js';
import type { LinearWeights } from './weights.js';
import { graphNetwork } from './network.js';
import { headMeta, stagedGraph, type GraphStep } from './staged.js';

/** A ResNet-like network in stages of residual blocks (torchvision's, the CIFAR ResNets, the pre-act). */
export interface ResidualNetworkParts<Block> {
  arch: string;
  /** The stage taps in order (`stage1..stageN`); `final` follows the last stage. */
  taps: readonly string[];
  /** Each stage's folded blocks, and its output channels. */
  blocks: readonly (readonly Block[])[];
  channels: readonly number[];
  runBlock<V>(ops: Ops<V>, x: V, block: Block): V;
  stem: GraphStep;
  final: GraphStep;
  /** The classifier on the global mean of `final` (the families' avgpool + linear), or why there is none. */
  head: LinearWeights | string;
  numClasses?: number;
  defaultImageSize: number;
}

/** The Network of a ResNet-like: its taps with their channels, its head, its staged graph. */
export function residualNetwork<Block>(p: ResidualNetworkParts<Block>): Network {
  const last = p.channels[p.channels.length - 1]!;
  const head = p.head;
  return graphNetwork({
    arch: p.arch,
    taps: [...p.taps, 'final'],
    ...(p.numClasses !== undefined ? { numClasses: p.numClasses } : {}),
    defaultImageSize: p.defaultImageSize,
    tapChannels: { ...Object.fromEntries(p.taps.map((t, i) => [t, p.channels[i]!])), final: last },
    ...headMeta(head),
  }, stagedGraph({
    stem: p.stem,
    stages: p.blocks.map((st) => <V>(ops: Ops<V>, x: V) => st.reduce((h, b) => p.runBlock(ops, h, b), x)),
    final: p.final,
    ...(typeof head === 'string' ? {} : { logits: <V>(ops: Ops<V>, final: V) => ops.linear(ops.globalAvgPool(final), head) }),
  }));
}
