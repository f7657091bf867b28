/**
 * "resnet18k": the pre-activation ResNet-18 of width k (He et al. 2016, identity mappings) in the
 * CIFAR form used by double-descent work (Nakkiran et al. 2020, after kuangliu/pytorch-cifar):
 * stem = 3x3 conv stride 1 (no BN, no max-pool), four stages of two pre-activation blocks with
 * widths k, 2k, 4k, 8k, then an optional final BN + ReLU, global pooling and `linear`.
 *
 * Block: a = relu(bn1(x)); shortcut = shortcut.0(a) if present else x;
 *        y = conv2(relu(bn2(conv1(a)))) + shortcut.
 * bn2 follows conv1 and is folded into it (with the ReLU fused); bn1 precedes the block's
 * convolutions while x itself feeds the identity shortcut, so it stays a separate affine map.
 *
 * Taps: `stage1..stage4` = raw outputs of layer1..layer4 (the residual streams). `final` = the
 * map the classifier pools: relu(bn(layer4)) when the checkpoint has the final `bn`, else layer4
 * itself (kuangliu's PreActResNet18 pools layer4 directly).
 */
import type { StateDict } from '../io/types.js';
import type { ArchitectureSpec, CreateModelOptions, Network } from './types.js';
import { checkKeys, classesOf, expectBn, fitScore, type KeyShapes } from './keys.js';
import { dimOf, STAGE_TAPS } from './staged.js';
import { bnWeights, convWeights, type AffineWeights, type ConvWeights } from './graph/weights.js';
import type { Ops } from './graph/ops.js';
import { readLinearWeights } from './graph/staged.js';
import { residualNetwork } from './graph/residual.js';
import { CORE_DEFAULTS } from '../defaults.js';

const NAME = 'resnet18k';

interface PreActBlockLayout { prefix: string; stride: number; cin: number; cout: number; projection: boolean }

const isClassifier = (k: string): boolean => k === 'linear.weight' || k === 'linear.bias';

function readLayout(sd: StateDict): { blocks: PreActBlockLayout[][]; finalBn: boolean; expected: KeyShapes } {
  const expected: KeyShapes = new Map();
  const k = dimOf(sd, 'conv1.weight', 4, 0, 64);
  expected.set('conv1.weight', [k, 3, 3, 3]);
  let cin = k;
  const blocks: PreActBlockLayout[][] = [];
  for (let s = 0; s < 4; s++) {
    const stage: PreActBlockLayout[] = [];
    for (let b = 0; b < 2; b++) {
      const prefix = `layer${s + 1}.${b}`;
      const stride = s > 0 && b === 0 ? 2 : 1;
      const cout = dimOf(sd, `${prefix}.conv1.weight`, 4, 0, cin * (stride === 2 ? 2 : 1));
      expectBn(expected, `${prefix}.bn1`, cin);
      expected.set(`${prefix}.conv1.weight`, [cout, cin, 3, 3]);
      expectBn(expected, `${prefix}.bn2`, cout);
      expected.set(`${prefix}.conv2.weight`, [cout, cout, 3, 3]);
      const projection = sd.has(`${prefix}.shortcut.0.weight`) || stride !== 1 || cin !== cout;
      if (projection) expected.set(`${prefix}.shortcut.0.weight`, [cout, cin, 1, 1]);
      stage.push({ prefix, stride, cin, cout, projection });
      cin = cout;
    }
    blocks.push(stage);
  }
  const finalBn = sd.has('bn.weight') || sd.has('bn.running_mean');
  if (finalBn) expectBn(expected, 'bn', cin);
  return { blocks, finalBn, expected };
}

interface FoldedPreActBlock { pre: AffineWeights; conv1: ConvWeights; conv2: ConvWeights; shortcut: ConvWeights | null }

function foldBlock(sd: StateDict, l: PreActBlockLayout): FoldedPreActBlock {
  const p = l.prefix;
  return {
    pre: bnWeights(sd, `${p}.bn1`),
    conv1: convWeights(sd, `${p}.conv1.weight`, { bn: `${p}.bn2`, stride: l.stride, pad: 1, activation: 'relu' }),
    conv2: convWeights(sd, `${p}.conv2.weight`, { pad: 1 }),
    shortcut: l.projection ? convWeights(sd, `${p}.shortcut.0.weight`, { stride: l.stride, pad: 0 }) : null,
  };
}

/**
 * a = relu(bn1(x)); y = conv2(conv1(a)) + shortcut, the sum added by conv2 itself (no ReLU after
 * it); scoped, so the block's intermediates are freed with it.
 */
function runBlock<V>(ops: Ops<V>, x: V, b: FoldedPreActBlock): V {
  return ops.scope(() => {
    const a = ops.relu(ops.affine(x, b.pre));
    const sc = b.shortcut ? ops.conv(a, b.shortcut) : x;
    return ops.conv(ops.conv(a, b.conv1), b.conv2, { residual: sc, relu: false });
  });
}

function buildPreAct(sd: StateDict, opts: CreateModelOptions = {}): Network {
  const { blocks, finalBn, expected } = readLayout(sd);
  checkKeys(NAME, sd, expected, isClassifier);
  const stem = convWeights(sd, 'conv1.weight', { stride: 1, pad: 1 });
  const folded = blocks.map((st) => st.map((l) => foldBlock(sd, l)));
  const post = finalBn ? bnWeights(sd, 'bn') : null;
  const numClasses = opts.numClasses ?? classesOf(sd, 'linear.weight');
  const channels = blocks.map((st) => st[st.length - 1]!.cout);
  const head = readLinearWeights(sd, 'linear', channels[3]!);
  // logits: F.avg_pool2d(out, 4) is the global mean on the 4x4 map of a 32 px input, then `linear`
  return residualNetwork({
    arch: NAME, taps: STAGE_TAPS, blocks: folded, channels, runBlock, head, numClasses, defaultImageSize: CORE_DEFAULTS.cifarImageSize,
    stem: (ops, x) => ops.conv(x, stem),
    final: (ops, h) => (post ? ops.relu(ops.affine(h, post)) : h),
  });
}

function matchPreAct(sd: StateDict): number {
  // the pre-activation layout: a block opens with bn1 on its input and has no bn3/downsample
  if (!sd.has('conv1.weight') || !sd.has('layer1.0.bn1.weight') || sd.has('bn1.weight')) return 0;
  return fitScore(NAME, sd, () => readLayout(sd).expected, 10, isClassifier);
}

export const preactSpecs: ArchitectureSpec[] = [
  { name: NAME, family: 'preact_resnet', match: matchPreAct, build: buildPreAct },
];
