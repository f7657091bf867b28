/**
 * torchvision's `features` + `classifier` networks, MobileNetV2 and EfficientNet: a stem conv
 * 3x3/2 + BN + activation at `features.0`, a stack of blocks, a 1x1 conv + BN + activation at
 * `features.<last>`, then the classifier after global average pooling (`classifier.0` is
 * Dropout, `classifier.1` the linear layer). `final` is the last conv's output. A family gives
 * its block layout, how a block's weights fold and how a block runs; this builds the rest.
 */
import type { StateDict } from '../io/types.js';
import type { CreateModelOptions, Network } from './types.js';
import { checkKeys, type KeyShapes } from './keys.js';
import { convWeights, type Activation } from './graph/weights.js';
import type { Ops } from './graph/ops.js';
import { graphNetwork } from './graph/network.js';
import { finalGraph } from './graph/final.js';
import { headMeta, readLinearWeights } from './graph/staged.js';
import { CORE_DEFAULTS } from '../defaults.js';

export interface FeaturesFamily<Layout, Block> {
  arch: string;
  /** The stem's and the last conv's activation. */
  activation: Activation;
  /** Index of the last conv in `features`. */
  last: number;
  /** The blocks' layout read from the weights, the keys and shapes expected, the head's size. */
  readLayout(sd: StateDict): { blocks: Layout[]; expected: KeyShapes; numClasses?: number };
  foldBlock(sd: StateDict, layout: Layout): Block;
  runBlock<V>(ops: Ops<V>, x: V, block: Block): V;
}

export function featuresNetwork<Layout, Block>(family: FeaturesFamily<Layout, Block>, sd: StateDict, opts: CreateModelOptions = {}): Network {
  const { blocks: layout, expected, numClasses } = family.readLayout(sd);
  checkKeys(family.arch, sd, expected);
  const stem = convWeights(sd, 'features.0.0.weight', { stride: 2, pad: 1, bn: 'features.0.1', activation: family.activation });
  const blocks = layout.map((b) => family.foldBlock(sd, b));
  const last = convWeights(sd, `features.${family.last}.0.weight`, { bn: `features.${family.last}.1`, activation: family.activation });
  const head = readLinearWeights(sd, 'classifier.1');
  const classes = opts.numClasses ?? numClasses;
  return graphNetwork({
    arch: family.arch,
    taps: ['final'],
    ...(classes !== undefined ? { numClasses: classes } : {}),
    defaultImageSize: CORE_DEFAULTS.imageSize,
    ...headMeta(head),
  }, finalGraph({
    final: (ops, x) => ops.conv(blocks.reduce((h, b) => family.runBlock(ops, h, b), ops.conv(x, stem)), last),
    // logits: avgpool → classifier.1, as torchvision's forward
    ...(typeof head === 'string' ? {} : { logits: <V>(ops: Ops<V>, final: V) => ops.linear(ops.globalAvgPool(final), head) }),
  }));
}
