/**
 * MobileNetV2 (Sandler et al. 2018) with torchvision's module layout: `features.0` stem conv
 * 3x3/2 + BN + ReLU6, `features.1..17` inverted residuals, `features.18` 1x1 conv + BN + ReLU6,
 * then `classifier.1`. `final` = `features.18` (docs/method.md). Channel counts come from the weights
 * (any width multiplier); strides are the topology's own, which the weights do not record.
 */
import type { StateDict } from '../io/types.js';
import type { ArchitectureSpec, CreateModelOptions, Network } from './types.js';
import { expectBn, expectHead, expectStem, fitScore, shapeOf, type KeyShapes } from './keys.js';
import { convWeights, type ConvWeights } from './graph/weights.js';
import type { Ops } from './graph/ops.js';
import { featuresNetwork } from './features-network.js';

const ARCH = 'mobilenet_v2';
/**
 * Stride of `features.1..17`: torchvision's setting (t, c, n, s) = (1,16,1,1) (6,24,2,2)
 * (6,32,3,2) (6,64,4,2) (6,96,3,1) (6,160,3,2) (6,320,1,1), stride s on each group's first block.
 */
const BLOCK_STRIDES = [1, 2, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1] as const;
const LAST = BLOCK_STRIDES.length + 1;

interface BlockLayout {
  index: number;
  /** 1x1 expansion present (expand ratio ≠ 1); the first block has none. */
  expand: boolean;
  inp: number;
  hidden: number;
  out: number;
  stride: number;
}

/** Key prefixes inside `features.i.conv` for a block with / without the expansion conv. */
const parts = (expand: boolean) => expand
  ? { expand: 'conv.0', dw: 'conv.1', project: 'conv.2', projectBn: 'conv.3' }
  : { expand: null, dw: 'conv.0', project: 'conv.1', projectBn: 'conv.2' };

function readLayout(sd: StateDict): { blocks: BlockLayout[]; expected: KeyShapes; numClasses?: number } {
  const expected: KeyShapes = new Map();
  const c0 = expectStem(ARCH, sd, expected);
  const blocks: BlockLayout[] = [];
  let inp = c0;
  BLOCK_STRIDES.forEach((stride, bi) => {
    const i = bi + 1;
    const first = shapeOf(ARCH, sd, `features.${i}.conv.0.0.weight`, 4);
    // With no expansion, conv.0 is the depthwise [C, 1, 3, 3]; with one, it is the 1x1 [hidden, inp, 1, 1].
    const expand = !(first[1] === 1 && first[2] === 3);
    const p = parts(expand);
    const hidden = expand ? first[0]! : inp;
    const pre = `features.${i}`;
    if (p.expand) {
      expected.set(`${pre}.${p.expand}.0.weight`, [hidden, inp, 1, 1]);
      expectBn(expected, `${pre}.${p.expand}.1`, hidden);
    }
    expected.set(`${pre}.${p.dw}.0.weight`, [hidden, 1, 3, 3]);
    expectBn(expected, `${pre}.${p.dw}.1`, hidden);
    const out = shapeOf(ARCH, sd, `${pre}.${p.project}.weight`, 4)[0]!;
    expected.set(`${pre}.${p.project}.weight`, [out, hidden, 1, 1]);
    expectBn(expected, `${pre}.${p.projectBn}`, out);
    blocks.push({ index: i, expand, inp, hidden, out, stride });
    inp = out;
  });
  return { blocks, expected, ...expectHead(ARCH, sd, expected, LAST, inp) };
}

interface Block { convs: ConvWeights[]; residual: boolean }

function foldBlock(sd: StateDict, b: BlockLayout): Block {
  const p = parts(b.expand);
  const pre = `features.${b.index}`;
  const convs: ConvWeights[] = [];
  if (p.expand) convs.push(convWeights(sd, `${pre}.${p.expand}.0.weight`, { bn: `${pre}.${p.expand}.1`, activation: 'relu6' }));
  convs.push(convWeights(sd, `${pre}.${p.dw}.0.weight`, { stride: b.stride, pad: 1, bn: `${pre}.${p.dw}.1`, activation: 'relu6', depthwise: true }));
  // the projection is linear: no activation after it (the "linear bottleneck")
  convs.push(convWeights(sd, `${pre}.${p.project}.weight`, { bn: `${pre}.${p.projectBn}` }));
  return { convs, residual: b.stride === 1 && b.inp === b.out };
}

/**
 * An inverted residual: x + project(dw(expand(x))) when the shape is kept, the last conv adding
 * x; scoped, so the expanded maps are freed with the block.
 */
function runBlock<V>(ops: Ops<V>, x: V, b: Block): V {
  const last = b.convs.length - 1;
  return ops.scope(() => {
    const h = b.convs.slice(0, last).reduce((t, c) => ops.conv(t, c), x);
    return ops.conv(h, b.convs[last]!, b.residual ? { residual: x, relu: false } : undefined);
  });
}

const build = (sd: StateDict, opts: CreateModelOptions = {}): Network =>
  featuresNetwork({ arch: ARCH, activation: 'relu6', last: LAST, readLayout, foldBlock, runBlock }, sd, opts);

function matchMobileNetV2(sd: StateDict): number {
  if (!sd.has('features.1.conv.0.0.weight') || !sd.has(`features.${LAST}.0.weight`)) return 0;
  return fitScore(ARCH, sd, () => readLayout(sd).expected, 10);
}

export const mobilenetSpecs: ArchitectureSpec[] = [
  { name: ARCH, family: 'mobilenet_v2', match: matchMobileNetV2, build },
];
