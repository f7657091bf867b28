/**
 * torchvision ResNets (He et al. 2016, "v1.5": the stride of a bottleneck sits on its 3x3 conv):
 * resnet18/34 (BasicBlock), resnet50/101/152 and wide_resnet50_2 (Bottleneck). Block counts are
 * fixed per variant; every channel count is read from the weights, so narrowed or widened
 * variants load. Taps: `stage1..stage4` = outputs of `layer1..layer4`; `final` = `layer4`.
 */
import type { StateDict } from '../io/types.js';
import type { ArchitectureSpec, CreateModelOptions, Network } from './types.js';
import { checkKeys, classesOf, expectBn, fitScore, type KeyShapes } from './keys.js';
import { dimOf, STAGE_TAPS } from './staged.js';
import { convWeights, type ConvWeights } from './graph/weights.js';
import type { Ops } from './graph/ops.js';
import { readLinearWeights } from './graph/staged.js';
import { residualNetwork } from './graph/residual.js';
import { CORE_DEFAULTS } from '../defaults.js';

export type ResNetBlockKind = 'basic' | 'bottleneck';

interface ResNetVariant {
  name: string;
  block: ResNetBlockKind;
  /** Blocks in layer1..layer4. */
  depths: readonly [number, number, number, number];
}

const VARIANTS: readonly ResNetVariant[] = [
  { name: 'resnet18', block: 'basic', depths: [2, 2, 2, 2] },
  { name: 'resnet34', block: 'basic', depths: [3, 4, 6, 3] },
  { name: 'resnet50', block: 'bottleneck', depths: [3, 4, 6, 3] },
  { name: 'resnet101', block: 'bottleneck', depths: [3, 4, 23, 3] },
  { name: 'resnet152', block: 'bottleneck', depths: [3, 8, 36, 3] },
  { name: 'wide_resnet50_2', block: 'bottleneck', depths: [3, 4, 6, 3] },
];

/** One residual block as read from the weights. */
interface BlockLayout {
  prefix: string;
  stride: number;
  /** Channels into / out of the block. */
  cin: number;
  cout: number;
  /** Whether `downsample.{0,1}` (1x1 conv + BN projection shortcut) is present. */
  projection: boolean;
}

interface ResNetLayout {
  stages: BlockLayout[][];
  expected: KeyShapes;
}

const isClassifier = (k: string): boolean => k === 'fc.weight' || k === 'fc.bias';

/**
 * Walk the variant's topology and collect the key shapes it expects, reading each conv's output
 * channels from its weight. A missing weight falls back to the channel count the block would
 * have, so `checkKeys` can still report every missing, unexpected and misshapen key at once.
 */
function readLayout(v: ResNetVariant, sd: StateDict): ResNetLayout {
  const expected: KeyShapes = new Map();
  const stem = dimOf(sd, 'conv1.weight', 4, 0, 64);
  expected.set('conv1.weight', [stem, 3, 7, 7]);
  expectBn(expected, 'bn1', stem);
  let cin = stem;
  const stages: BlockLayout[][] = [];
  for (let s = 0; s < 4; s++) {
    const blocks: BlockLayout[] = [];
    for (let b = 0; b < v.depths[s]!; b++) {
      const prefix = `layer${s + 1}.${b}`;
      const stride = s > 0 && b === 0 ? 2 : 1;
      const width = dimOf(sd, `${prefix}.conv1.weight`, 4, 0, cin);
      let cout: number;
      if (v.block === 'basic') {
        cout = dimOf(sd, `${prefix}.conv2.weight`, 4, 0, width);
        expected.set(`${prefix}.conv1.weight`, [width, cin, 3, 3]);
        expectBn(expected, `${prefix}.bn1`, width);
        expected.set(`${prefix}.conv2.weight`, [cout, width, 3, 3]);
        expectBn(expected, `${prefix}.bn2`, cout);
      } else {
        cout = dimOf(sd, `${prefix}.conv3.weight`, 4, 0, width * 4);
        expected.set(`${prefix}.conv1.weight`, [width, cin, 1, 1]);
        expectBn(expected, `${prefix}.bn1`, width);
        expected.set(`${prefix}.conv2.weight`, [width, width, 3, 3]);
        expectBn(expected, `${prefix}.bn2`, width);
        expected.set(`${prefix}.conv3.weight`, [cout, width, 1, 1]);
        expectBn(expected, `${prefix}.bn3`, cout);
      }
      // torchvision adds the projection exactly when the shape changes; a checkpoint that has one
      // anyway is still a valid network, so presence is read from the weights, and it is only
      // demanded where the identity cannot be added.
      const projection = sd.has(`${prefix}.downsample.0.weight`) || stride !== 1 || cin !== cout;
      if (projection) {
        expected.set(`${prefix}.downsample.0.weight`, [cout, cin, 1, 1]);
        expectBn(expected, `${prefix}.downsample.1`, cout);
      }
      blocks.push({ prefix, stride, cin, cout, projection });
      cin = cout;
    }
    stages.push(blocks);
  }
  return { stages, expected };
}

interface FoldedBlock {
  convs: ConvWeights[];
  shortcut: ConvWeights | null;
}

function foldBlock(sd: StateDict, kind: ResNetBlockKind, l: BlockLayout): FoldedBlock {
  const p = l.prefix;
  const convs = kind === 'basic'
    ? [
      convWeights(sd, `${p}.conv1.weight`, { bn: `${p}.bn1`, stride: l.stride, activation: 'relu' }),
      convWeights(sd, `${p}.conv2.weight`, { bn: `${p}.bn2` }),
    ]
    : [
      convWeights(sd, `${p}.conv1.weight`, { bn: `${p}.bn1`, activation: 'relu' }),
      convWeights(sd, `${p}.conv2.weight`, { bn: `${p}.bn2`, stride: l.stride, activation: 'relu' }),
      convWeights(sd, `${p}.conv3.weight`, { bn: `${p}.bn3` }),
    ];
  const shortcut = l.projection ? convWeights(sd, `${p}.downsample.0.weight`, { bn: `${p}.downsample.1`, stride: l.stride, pad: 0 }) : null;
  return { convs, shortcut };
}

/**
 * y = relu(F(x) + shortcut(x)); the last conv of F is linear, so the ReLU follows the sum, which
 * that conv adds itself (one pass on wasm).
 */
function runBlock<V>(ops: Ops<V>, x: V, b: FoldedBlock): V {
  let h = x;
  const last = b.convs.length - 1;
  for (let i = 0; i < last; i++) h = ops.conv(h, b.convs[i]!);
  const sc = b.shortcut ? ops.conv(x, b.shortcut) : x;
  return ops.conv(h, b.convs[last]!, { residual: sc, relu: true });
}

function buildResNet(v: ResNetVariant, sd: StateDict, opts: CreateModelOptions = {}): Network {
  const { stages, expected } = readLayout(v, sd);
  checkKeys(v.name, sd, expected, isClassifier);
  const stem = convWeights(sd, 'conv1.weight', { bn: 'bn1', stride: 2, pad: 3, activation: 'relu' });
  const blocks = stages.map((st) => st.map((l) => foldBlock(sd, v.block, l)));
  const channels = stages.map((st) => st[st.length - 1]!.cout);
  const head = readLinearWeights(sd, 'fc', channels[3]!);
  const numClasses = opts.numClasses ?? classesOf(sd, 'fc.weight');
  return residualNetwork({
    arch: v.name, taps: STAGE_TAPS, blocks, channels, runBlock, head, numClasses, defaultImageSize: CORE_DEFAULTS.imageSize,
    // PyTorch's max-pool pads with −inf on both sides: pad 1 with floor rounding
    stem: (ops, x) => ops.maxPool(ops.conv(x, stem), { k: 3, stride: 2, pad: 1 }),
    final: (_ops, stage4) => stage4,
  });
}

/**
 * Bottleneck width ÷ output channels of the first block: ¼ for resnet50/101/152 (width = planes,
 * out = 4·planes), ½ for wide_resnet50_2 (width_per_group 128). Narrowing every channel by the
 * same factor keeps the ratio, so it separates the two families at any width.
 */
export function bottleneckRatio(sd: StateDict): number | undefined {
  const w = sd.get('layer1.0.conv1.weight');
  const o = sd.get('layer1.0.conv3.weight');
  if (!w || !o || w.shape.length !== 4 || o.shape.length !== 4) return undefined;
  return w.shape[0]! / o.shape[0]!;
}

function matchResNet(v: ResNetVariant, sd: StateDict): number {
  if (!sd.has('conv1.weight') || !sd.has('layer1.0.conv1.weight')) return 0;
  const bottleneck = sd.has('layer1.0.conv3.weight');
  if (bottleneck !== (v.block === 'bottleneck')) return 0;
  if (bottleneck) {
    const r = bottleneckRatio(sd)!;
    // midway between ¼ and ½ on a log scale
    const wide = r > Math.SQRT1_2 / 2;
    if (wide !== (v.name === 'wide_resnet50_2')) return 0;
  }
  return fitScore(v.name, sd, () => readLayout(v, sd).expected, 10, isClassifier);
}

export const resnetSpecs: ArchitectureSpec[] = VARIANTS.map((v) => ({
  name: v.name,
  family: 'resnet',
  match: (sd) => matchResNet(v, sd),
  build: (sd, o) => buildResNet(v, sd, o),
}));
