/**
 * EfficientNet-B0 (Tan & Le 2019) with torchvision's module layout: `features.0` stem conv
 * 3x3/2 + BN + SiLU, `features.1..7` stages of MBConv blocks, `features.8` 1x1 conv + BN + SiLU,
 * then `classifier.1`. An MBConv block is [expand 1x1 + BN + SiLU] (absent at expand ratio 1),
 * depthwise k×k + BN + SiLU, squeeze-excitation (spatial mean → fc1 1x1 + SiLU → fc2 1x1 →
 * sigmoid → channel scale), project 1x1 + BN, and a residual when stride 1 and shapes agree
 * (stochastic depth is the identity in eval). `final` = `features.8` (docs/method.md).
 * Channels, kernel sizes and expansion come from the weights; strides from the topology.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../io/types.js';
import type { ArchitectureSpec, CreateModelOptions, Network } from './types.js';
import { checkKeys, expectBn, expectHead, expectStem, fitScore, shapeOf, type KeyShapes } from './keys.js';
import { applyConv, disposeConv, foldConv, silu, type FoldedConv } from './conv-layer.js';
import { finalOnlyNetwork } from './network.js';
import { pooledLinearLogits, readLinear } from './logits.js';
import { CheckpointError } from '../io/errors.js';
import { CORE_DEFAULTS } from '../defaults.js';

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

/** Squeeze-excitation as two small matrix products on the pooled [N, C] vector. */
interface SqueezeExcitation { w1: tf.Tensor2D; b1: tf.Tensor1D; w2: tf.Tensor2D; b2: tf.Tensor1D }

function readSe(sd: StateDict, prefix: string, hidden: number, squeeze: number): SqueezeExcitation {
  const t = (key: string, rows: number, cols: number): tf.Tensor2D =>
    // [out, in, 1, 1] → [in, out] for x·W
    tf.tidy(() => tf.transpose(tf.tensor2d(sd.get(key)!.data as Float32Array, [rows, cols])));
  return {
    w1: t(`${prefix}.fc1.weight`, squeeze, hidden),
    b1: tf.tensor1d(sd.get(`${prefix}.fc1.bias`)!.data as Float32Array),
    w2: t(`${prefix}.fc2.weight`, hidden, squeeze),
    b2: tf.tensor1d(sd.get(`${prefix}.fc2.bias`)!.data as Float32Array),
  };
}

/** x · σ(W2·SiLU(W1·mean_hw(x) + b1) + b2), the scale broadcast over positions. */
function applySe(x: tf.Tensor4D, se: SqueezeExcitation): tf.Tensor4D {
  const [n, , , c] = x.shape;
  const s = silu(tf.fused.matMul({ a: tf.mean(x, [1, 2]) as tf.Tensor2D, b: se.w1, bias: se.b1 }));
  const g = tf.fused.matMul({ a: s, b: se.w2, bias: se.b2, activation: 'sigmoid' });
  return tf.mul(x, tf.reshape(g, [n, 1, 1, c]));
}

interface Block { expand: FoldedConv | null; dw: FoldedConv; se: SqueezeExcitation; project: FoldedConv; residual: boolean }

function buildEfficientNetB0(sd: StateDict, opts: CreateModelOptions = {}): Network {
  const { blocks: layout, expected, numClasses } = readLayout(sd);
  checkKeys(ARCH, sd, expected);
  const stem = foldConv(sd, 'features.0.0.weight', { stride: 2, pad: 1, bn: 'features.0.1', activation: 'silu' });
  const blocks: Block[] = layout.map((b) => {
    const dw = b.expand ? 1 : 0;
    return {
      expand: b.expand ? foldConv(sd, `${b.prefix}.0.0.weight`, { bn: `${b.prefix}.0.1`, activation: 'silu' }) : null,
      dw: foldConv(sd, `${b.prefix}.${dw}.0.weight`, {
        stride: b.stride, pad: (b.kernel - 1) / 2, bn: `${b.prefix}.${dw}.1`, activation: 'silu', depthwise: true,
      }),
      se: readSe(sd, `${b.prefix}.${dw + 1}`, b.hidden, b.squeeze),
      project: foldConv(sd, `${b.prefix}.${dw + 2}.0.weight`, { bn: `${b.prefix}.${dw + 2}.1` }),
      residual: b.stride === 1 && b.inp === b.out,
    };
  });
  const head = foldConv(sd, `features.${HEAD}.0.weight`, { bn: `features.${HEAD}.1`, activation: 'silu' });

  const run = (x: tf.Tensor4D): tf.Tensor4D => {
    let h = applyConv(x, stem);
    for (const b of blocks) {
      const input = h;
      h = tf.tidy(() => {
        const e = b.expand ? applyConv(input, b.expand) : input;
        const y = applyConv(applySe(applyConv(e, b.dw), b.se), b.project);
        return b.residual ? tf.add(input, y) : y;
      });
    }
    return applyConv(h, head);
  };
  const release = (): void => {
    disposeConv(stem);
    for (const b of blocks) {
      if (b.expand) disposeConv(b.expand);
      disposeConv(b.dw);
      disposeConv(b.project);
      tf.dispose([b.se.w1, b.se.b1, b.se.w2, b.se.b2]);
    }
    disposeConv(head);
  };
  // logits: avgpool → classifier.1 (classifier.0 is Dropout), as torchvision's forward
  const net = finalOnlyNetwork(ARCH, { numClasses: opts.numClasses ?? numClasses, defaultImageSize: CORE_DEFAULTS.imageSize }, run, release);
  return pooledLinearLogits(net, readLinear(sd, 'classifier.1'));
}

function matchEfficientNetB0(sd: StateDict): number {
  if (!sd.has(`${blockPrefix(1, 0)}.0.0.weight`) || !sd.has(`features.${HEAD}.0.weight`)) return 0;
  return fitScore(ARCH, sd, () => readLayout(sd).expected, 10);
}

export const efficientnetSpecs: ArchitectureSpec[] = [
  { name: ARCH, family: 'efficientnet', match: matchEfficientNetB0, build: buildEfficientNetB0 },
];
