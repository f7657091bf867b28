/**
 * The CIFAR ResNets of He et al. 2016 §4.2: resnet20/32/44/56/110/1202 (6n + 2 layers), with the
 * key names of the widely used CIFAR trainer (akamaster/pytorch_resnet_cifar10): a 3x3 stem
 * `conv1` + `bn1` + ReLU (stride 1, no max-pool), three stages `layer1..layer3` of n BasicBlocks
 * (16, 32, 64 channels; stride 2 on the first block of stages 2 and 3), global average pooling
 * and one Linear `linear`. Channel counts come from the weights, so narrowed variants load; the
 * block count n is the variant's own.
 *
 * Where a block changes shape its shortcut is option A (x[:, :, ::2, ::2] with planes / 4 zero
 * channels on each side, no parameters) or option B (`shortcut.0` 1x1 conv stride 2 +
 * `shortcut.1` BN), told apart by the weights: any `layerS.B.shortcut.0.weight` means B. The
 * same network built on torchvision's BasicBlock (chenyaofo/pytorch-cifar-models, torchdistill)
 * names option B's projection `downsample.{0,1}` and the classifier `fc`; both are read.
 *
 * Taps: `stage1..stage3` = outputs of `layer1..layer3`; `final` = `layer3`; `logits`.
 */
import type { StateDict } from '../io/types.js';
import type { ArchitectureSpec, CreateModelOptions, Network } from './types.js';
import { checkKeys, classesOf, expectBn, fitScore, type KeyShapes } from './keys.js';
import { dimOf, STAGE_TAPS } from './staged.js';
import { convWeights, type ConvWeights } from './graph/weights.js';
import type { Ops } from './graph/ops.js';
import { readLinearWeights } from './graph/staged.js';
import { residualNetwork } from './graph/residual.js';
import { CheckpointError } from '../io/errors.js';
import { CORE_DEFAULTS } from '../defaults.js';

/** Depths 6n + 2 of the paper's table 6 (and its 1202-layer network). */
export const CIFAR_RESNET_DEPTHS = [20, 32, 44, 56, 110, 1202] as const;
const CIFAR_TAPS = STAGE_TAPS.slice(0, 3);

export type CifarShortcut = 'A' | 'B';

interface BlockLayout {
  prefix: string;
  stride: number;
  cin: number;
  cout: number;
  /** The shortcut: the identity, option A's padding or option B's projection. */
  shortcut: 'identity' | CifarShortcut;
  /** Key prefix of option B's projection, `${prefix}.shortcut` or `${prefix}.downsample`. */
  projection: string;
}

interface CifarLayout { stages: BlockLayout[][]; expected: KeyShapes }

const PROJECTION_KEY = /^layer[1-3]\.\d+\.(shortcut|downsample)\.0\.weight$/;

/** The module name of option B's projections: the trainer's `shortcut`, or torchvision's `downsample`. */
function projectionName(sd: StateDict): 'shortcut' | 'downsample' | null {
  for (const k of sd.keys()) {
    const m = PROJECTION_KEY.exec(k);
    if (m) return m[1] as 'shortcut' | 'downsample';
  }
  return null;
}

/** Option B when any block has a projection shortcut's conv (`shortcut.0` or `downsample.0`), else option A. */
export function cifarShortcutOption(sd: StateDict): CifarShortcut {
  return projectionName(sd) ? 'B' : 'A';
}

/** The classifier's prefix: the trainer's `linear`, or `fc` when only that is present. */
const classifierPrefix = (sd: StateDict): string => (!sd.has('linear.weight') && sd.has('fc.weight') ? 'fc' : 'linear');
const isClassifier = (k: string): boolean => /^(linear|fc)\.(weight|bias)$/.test(k);

/**
 * Option A's padding works only where a stride-2 block doubles the channels (cin + 2·⌊cout/4⌋ =
 * cout), as the trainer's lambda assumes; anything else has no PyTorch forward to match.
 */
function checkOptionA(l: BlockLayout): void {
  const pad = Math.floor(l.cout / 4);
  if (l.stride !== 2 || l.cin + 2 * pad !== l.cout) {
    throw new CheckpointError(null, `${l.prefix}.conv1.weight: an option-A shortcut (x[:, :, ::2, ::2] padded by ${pad} channels on each side) `
      + `cannot take ${l.cin} channels at stride ${l.stride} to ${l.cout}; expected a stride-2 block doubling the channels, or option B (${l.prefix}.shortcut.0.weight)`);
  }
}

/** One block's expected keys; the shortcut is read from the option and whether the shape changes. */
function expectBlock(sd: StateDict, expected: KeyShapes, proj: string | null, prefix: string, stride: number, cin: number): BlockLayout {
  const cout = dimOf(sd, `${prefix}.conv1.weight`, 4, 0, stride === 2 ? 2 * cin : cin);
  expected.set(`${prefix}.conv1.weight`, [cout, cin, 3, 3]);
  expectBn(expected, `${prefix}.bn1`, cout);
  expected.set(`${prefix}.conv2.weight`, [cout, cout, 3, 3]);
  expectBn(expected, `${prefix}.bn2`, cout);
  const changes = stride !== 1 || cin !== cout;
  const p = `${prefix}.${proj ?? 'shortcut'}`;
  // a projection where the shape is kept is still a valid network, so presence is read from the weights
  const projected = proj !== null && (changes || sd.has(`${p}.0.weight`));
  if (projected) {
    expected.set(`${p}.0.weight`, [cout, cin, 1, 1]);
    expectBn(expected, `${p}.1`, cout);
  }
  const l: BlockLayout = { prefix, stride, cin, cout, shortcut: projected ? 'B' : changes ? 'A' : 'identity', projection: p };
  if (l.shortcut === 'A') checkOptionA(l);
  return l;
}

function readLayout(n: number, sd: StateDict): CifarLayout {
  const expected: KeyShapes = new Map();
  const stem = dimOf(sd, 'conv1.weight', 4, 0, 16);
  expected.set('conv1.weight', [stem, 3, 3, 3]);
  expectBn(expected, 'bn1', stem);
  const proj = projectionName(sd);
  let cin = stem;
  const stages: BlockLayout[][] = [];
  for (let s = 0; s < 3; s++) {
    const blocks: BlockLayout[] = [];
    for (let b = 0; b < n; b++) {
      const l = expectBlock(sd, expected, proj, `layer${s + 1}.${b}`, s > 0 && b === 0 ? 2 : 1, cin);
      blocks.push(l);
      cin = l.cout;
    }
    stages.push(blocks);
  }
  return { stages, expected };
}

type FoldedShortcut = { kind: 'identity' } | { kind: 'A'; pad: number } | { kind: 'B'; conv: ConvWeights };

interface FoldedBlock { conv1: ConvWeights; conv2: ConvWeights; shortcut: FoldedShortcut }

function foldBlock(sd: StateDict, l: BlockLayout): FoldedBlock {
  const p = l.prefix;
  const shortcut: FoldedShortcut = l.shortcut === 'B'
    ? { kind: 'B', conv: convWeights(sd, `${l.projection}.0.weight`, { bn: `${l.projection}.1`, stride: l.stride, pad: 0 }) }
    : l.shortcut === 'A' ? { kind: 'A', pad: Math.floor(l.cout / 4) } : { kind: 'identity' };
  return {
    conv1: convWeights(sd, `${p}.conv1.weight`, { bn: `${p}.bn1`, stride: l.stride, pad: 1, activation: 'relu' }),
    conv2: convWeights(sd, `${p}.conv2.weight`, { bn: `${p}.bn2`, pad: 1 }),
    shortcut,
  };
}

function runShortcut<V>(ops: Ops<V>, x: V, s: FoldedShortcut): V {
  if (s.kind === 'identity') return x;
  if (s.kind === 'B') return ops.conv(x, s.conv);
  // x[:, :, ::2, ::2] is a 1x1 pool of stride 2 (ceil(H / 2) rows either way)
  return ops.padChannels(ops.maxPool(x, { k: 1, stride: 2, pad: 0 }), s.pad, s.pad);
}

/**
 * relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), conv2 adding the shortcut before its ReLU;
 * scoped, so a resnet1202 keeps one map per block alive, not three.
 */
function runBlock<V>(ops: Ops<V>, x: V, b: FoldedBlock): V {
  return ops.scope(() => ops.conv(ops.conv(x, b.conv1), b.conv2, { residual: runShortcut(ops, x, b.shortcut), relu: true }));
}

function buildCifarResNet(name: string, n: number, sd: StateDict, opts: CreateModelOptions = {}): Network {
  const { stages, expected } = readLayout(n, sd);
  checkKeys(name, sd, expected, isClassifier);
  const stem = convWeights(sd, 'conv1.weight', { bn: 'bn1', stride: 1, pad: 1, activation: 'relu' });
  const blocks = stages.map((st) => st.map((l) => foldBlock(sd, l)));
  const channels = stages.map((st) => st[st.length - 1]!.cout);
  const prefix = classifierPrefix(sd);
  const head = readLinearWeights(sd, prefix, channels[2]!);
  const numClasses = opts.numClasses ?? classesOf(sd, `${prefix}.weight`);
  // logits: F.avg_pool2d(out, out.size()[3]) (the global mean) → view → linear, as the trainer's forward
  return residualNetwork({
    arch: name, taps: CIFAR_TAPS, blocks, channels, runBlock, head, numClasses, defaultImageSize: CORE_DEFAULTS.cifarImageSize,
    stem: (ops, x) => ops.conv(x, stem),
    final: (_ops, stage3) => stage3,
  });
}

/**
 * The layout: a 3x3 stem from RGB with its BN `bn1` (the PreAct ResNet-18 has none), three stages
 * and no `layer4` (torchvision's ResNets have four and a 7x7 stem); the block count is checked by
 * the key fit, extra blocks being unexpected keys and missing ones missing.
 */
function matchCifarResNet(name: string, n: number, sd: StateDict): number {
  const stem = sd.get('conv1.weight');
  if (!stem || stem.shape.length !== 4 || stem.shape[1] !== 3 || stem.shape[2] !== 3 || stem.shape[3] !== 3) return 0;
  if (!sd.has('bn1.weight') || !sd.has('layer3.0.conv1.weight') || sd.has('layer4.0.conv1.weight')) return 0;
  return fitScore(name, sd, () => readLayout(n, sd).expected, 10, isClassifier);
}

export const cifarResnetSpecs: ArchitectureSpec[] = CIFAR_RESNET_DEPTHS.map((depth) => {
  const name = `resnet${depth}`;
  const n = (depth - 2) / 6;
  return {
    name,
    family: 'resnet_cifar',
    match: (sd: StateDict) => matchCifarResNet(name, n, sd),
    build: (sd: StateDict, opts?: CreateModelOptions) => buildCifarResNet(name, n, sd, opts),
  };
});
