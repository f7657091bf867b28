/**
 * EfficientNet-B0 (Tan & Le 2019) with torchvision's module layout: `features.0` stem conv
 * 3x3/2 + BN + SiLU, `features.1..7` stages of MBConv blocks, `features.8` 1x1 conv + BN + SiLU,
 * then `classifier.1`. An MBConv block is [expand 1x1 + BN + SiLU] (absent at expand ratio 1),
 * depthwise k×k + BN + SiLU, squeeze-excitation (spatial mean → fc1 1x1 + SiLU → fc2 1x1 →
 * sigmoid → channel scale), project 1x1 + BN, and a residual when stride 1 and shapes agree
 * (stochastic depth is the identity in eval). `final` = `features.8` (docs/method.md).
 * Channels, kernel sizes and expansion come from the weights; strides from the topology.
 */
import type { StateDict } from '../io/types.js';
import type { ArchitectureSpec, CreateModelOptions, Network } from './types.js';
import { expectBn, expectHead, expectStem, fitScore, floats, shapeOf, type KeyShapes } from './keys.js';
import { convWeights, type ConvWeights, type LinearWeights } from './graph/weights.js';
import type { Ops } from './graph/ops.js';
import { CheckpointError } from '../io/errors.js';
import { featuresNetwork } from './features-network.js';

const ARCH = 'efficientnet_b0';
/** Stride of each stage's first block (torchvision `_efficientnet_conf`), then blocks per stage for B0. */
const STAGE_STRIDES = [1, 2, 2, 2, 1, 2, 1] as const;
const B0_DEPTHS = [1, 2, 2, 3, 3, 4, 1] as const;
const HEAD = STAGE_STRIDES.length + 1;

interface BlockLayout {
  prefix: string;
  expand: boolean;
  kernel: number;
  stride: number;
  inp: number;
  hidden: number;
  squeeze: number;
  out: number;
}

const blockPrefix = (stage: number, j: number): string => `features.${stage}.${j}.block`;

/** Layers per stage as found in the weights. */
export function stageDepths(sd: StateDict): number[] {
  const depths: number[] = [];
  for (let s = 1; sd.has(`${blockPrefix(s, 0)}.0.0.weight`); s++) {
    let j = 1;
    while (sd.has(`${blockPrefix(s, j)}.0.0.weight`)) j++;
    depths.push(j);
  }
  return depths;
}

function readLayout(sd: StateDict): { blocks: BlockLayout[]; expected: KeyShapes; numClasses?: number } {
  const depths = stageDepths(sd);
  if (depths.length !== B0_DEPTHS.length || depths.some((d, i) => d !== B0_DEPTHS[i])) {
    throw new CheckpointError(null, `state_dict does not fit ${ARCH}: blocks per stage (${B0_DEPTHS.join(', ')}) expected, found (${depths.join(', ')})`);
  }
  const expected: KeyShapes = new Map();
  const c0 = expectStem(ARCH, sd, expected);
  const blocks: BlockLayout[] = [];
  let inp = c0;
  depths.forEach((depth, si) => {
    for (let j = 0; j < depth; j++) {
      const prefix = blockPrefix(si + 1, j);
      const first = shapeOf(ARCH, sd, `${prefix}.0.0.weight`, 4);
      // Without expansion, block.0 is the depthwise [C, 1, k, k]; with it, the 1x1 [hidden, inp, 1, 1].
      const expand = !(first[1] === 1 && first[2]! > 1);
      const hidden = expand ? first[0]! : inp;
      const dw = expand ? 1 : 0;
      const kernel = shapeOf(ARCH, sd, `${prefix}.${dw}.0.weight`, 4)[2]!;
      const squeeze = shapeOf(ARCH, sd, `${prefix}.${dw + 1}.fc1.weight`, 4)[0]!;
      const out = shapeOf(ARCH, sd, `${prefix}.${dw + 2}.0.weight`, 4)[0]!;
      if (expand) {
        expected.set(`${prefix}.0.0.weight`, [hidden, inp, 1, 1]);
        expectBn(expected, `${prefix}.0.1`, hidden);
      }
      expected.set(`${prefix}.${dw}.0.weight`, [hidden, 1, kernel, kernel]);
      expectBn(expected, `${prefix}.${dw}.1`, hidden);
      expected.set(`${prefix}.${dw + 1}.fc1.weight`, [squeeze, hidden, 1, 1]);
      expected.set(`${prefix}.${dw + 1}.fc1.bias`, [squeeze]);
      expected.set(`${prefix}.${dw + 1}.fc2.weight`, [hidden, squeeze, 1, 1]);
      expected.set(`${prefix}.${dw + 1}.fc2.bias`, [hidden]);
      expected.set(`${prefix}.${dw + 2}.0.weight`, [out, hidden, 1, 1]);
      expectBn(expected, `${prefix}.${dw + 2}.1`, out);
      blocks.push({ prefix, expand, kernel, stride: j === 0 ? STAGE_STRIDES[si]! : 1, inp, hidden, squeeze, out });
      inp = out;
    }
  });
  return { blocks, expected, ...expectHead(ARCH, sd, expected, HEAD, inp) };
}

/** Squeeze-excitation's two 1x1 convs, on the pooled [N, C] vector the Linears they are. */
interface SqueezeExcitation { fc1: LinearWeights; fc2: LinearWeights }

/** A 1x1 conv with bias [out, in, 1, 1] read as the Linear [out, in] it is on a vector (same data order). */
function pointwiseLinear(sd: StateDict, prefix: string, out: number, inF: number): LinearWeights {
  return {
    name: prefix,
    weight: floats(sd.get(`${prefix}.weight`), `${prefix}.weight`),
    bias: floats(sd.get(`${prefix}.bias`), `${prefix}.bias`),
    in: inF,
    out,
  };
}

function readSe(sd: StateDict, prefix: string, hidden: number, squeeze: number): SqueezeExcitation {
  return { fc1: pointwiseLinear(sd, `${prefix}.fc1`, squeeze, hidden), fc2: pointwiseLinear(sd, `${prefix}.fc2`, hidden, squeeze) };
}

/** x · σ(fc2(SiLU(fc1(mean_hw(x))))), the scale broadcast over positions. */
function applySe<V>(ops: Ops<V>, x: V, se: SqueezeExcitation): V {
  const s = ops.silu(ops.linear(ops.globalAvgPool(x), se.fc1));
  return ops.mul(x, ops.sigmoid(ops.linear(s, se.fc2)));
}

interface Block { expand: ConvWeights | null; dw: ConvWeights; se: SqueezeExcitation; project: ConvWeights; residual: boolean }

function foldBlock(sd: StateDict, b: BlockLayout): Block {
  const dw = b.expand ? 1 : 0;
  return {
    expand: b.expand ? convWeights(sd, `${b.prefix}.0.0.weight`, { bn: `${b.prefix}.0.1`, activation: 'silu' }) : null,
    dw: convWeights(sd, `${b.prefix}.${dw}.0.weight`, {
      stride: b.stride, pad: (b.kernel - 1) / 2, bn: `${b.prefix}.${dw}.1`, activation: 'silu', depthwise: true,
    }),
    se: readSe(sd, `${b.prefix}.${dw + 1}`, b.hidden, b.squeeze),
    project: convWeights(sd, `${b.prefix}.${dw + 2}.0.weight`, { bn: `${b.prefix}.${dw + 2}.1` }),
    residual: b.stride === 1 && b.inp === b.out,
  };
}

/**
 * An MBConv block; the linear projection adds the residual itself (stochastic depth is the
 * identity in eval). Scoped, so the expanded maps are freed with the block.
 */
function runBlock<V>(ops: Ops<V>, x: V, b: Block): V {
  return ops.scope(() => {
    const e = b.expand ? ops.conv(x, b.expand) : x;
    const h = applySe(ops, ops.conv(e, b.dw), b.se);
    return ops.conv(h, b.project, b.residual ? { residual: x, relu: false } : undefined);
  });
}

const build = (sd: StateDict, opts: CreateModelOptions = {}): Network =>
  featuresNetwork({ arch: ARCH, activation: 'silu', last: HEAD, readLayout, foldBlock, runBlock }, sd, opts);

function matchEfficientNetB0(sd: StateDict): number {
  if (!sd.has(`${blockPrefix(1, 0)}.0.0.weight`) || !sd.has(`features.${HEAD}.0.weight`)) return 0;
  return fitScore(ARCH, sd, () => readLayout(sd).expected, 10);
}

export const efficientnetSpecs: ArchitectureSpec[] = [
  { name: ARCH, family: 'efficientnet', match: matchEfficientNetB0, build },
];
