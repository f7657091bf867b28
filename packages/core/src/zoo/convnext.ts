/**
 * torchvision's ConvNeXts (Liu et al. 2022): convnext_tiny (blocks 3, 3, 9, 3) and
 * convnext_small (3, 3, 27, 3). `features.0` is the stem: a 4×4 stride-4 conv and a
 * LayerNorm2d; `features.1/3/5/7` are the stages of CNBlocks (depthwise 7×7 conv, LayerNorm,
 * Linear to the MLP width, exact GELU, Linear back, times `layer_scale`, plus the input);
 * `features.2/4/6` downsample (LayerNorm2d, 2×2 stride-2 conv); the classifier is LayerNorm2d,
 * Flatten, Linear. LayerNorm ε = 1e-6 everywhere. The block counts name the variant; every
 * width is read from the weights, so a narrowed or widened variant loads under the name of its
 * depths.
 *
 * Taps: `stage1..stage4` = outputs of features.1/3/5/7 (NHWC maps, pooled as usual);
 * `final` = what the classifier's Linear reads: the global average of stage 4 through the
 * classifier's LayerNorm (`classifier.0`), as a [N, 1, 1, C] map.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../io/types.js';
import type { ArchitectureSpec, CreateModelOptions, Network } from './types.js';
import { checkKeys, classesOf, fitScore, type KeyShapes } from './keys.js';
import { applyConv, disposeConv, foldConv, type FoldedConv } from './conv-layer.js';
import { stagedNetwork, STAGE_TAPS } from './staged.js';
import { applyLinear, disposeLinear, floatsOf, linearAt, type Linear } from './linear.js';
import { applyLayerNorm, disposeLayerNorm, layerNormOf, type LayerNorm } from './layer-norm.js';
import { gelu } from './gelu.js';
import { LOGITS } from './types.js';
import { CheckpointError } from '../io/errors.js';
import { CORE_DEFAULTS } from '../defaults.js';

const LN_EPS = 1e-6;

const VARIANTS = [
  { name: 'convnext_tiny', depths: [3, 3, 9, 3] },
  { name: 'convnext_small', depths: [3, 3, 27, 3] },
] as const;

/** `features.<index>` of stage s (0-based). */
const stageIndex = (s: number): number => 2 * s + 1;

/** Blocks present in each of the four stages. */
export function convnextDepths(sd: StateDict): number[] {
  return [0, 1, 2, 3].map((s) => {
    let n = 0;
    while (sd.has(`features.${stageIndex(s)}.${n}.block.0.weight`)) n++;
    return n;
  });
}

interface ConvNextLayout { widths: number[]; mlp: number[][]; expected: KeyShapes }

function dim(arch: string, sd: StateDict, key: string, rank: number, axis: number): number {
  const e = sd.get(key);
  if (!e) throw new CheckpointError(null, `state_dict does not fit ${arch}: missing key ${key}`);
  if (e.shape.length !== rank) throw new CheckpointError(null, `state_dict does not fit ${arch}: ${key} has shape [${e.shape.join(', ')}], expected a ${rank}-D tensor`);
  return e.shape[axis]!;
}

/** Read every width from the weights and list the key shapes they imply. */
function readLayout(arch: string, depths: readonly number[], sd: StateDict): ConvNextLayout {
  const e: KeyShapes = new Map();
  const vec = (k: string, c: number): void => { e.set(`${k}.weight`, [c]); e.set(`${k}.bias`, [c]); };
  const c0 = dim(arch, sd, 'features.0.0.weight', 4, 0);
  e.set('features.0.0.weight', [c0, 3, 4, 4]);
  e.set('features.0.0.bias', [c0]);
  vec('features.0.1', c0);
  const widths: number[] = [];
  const mlp: number[][] = [];
  let cin = c0;
  for (let s = 0; s < 4; s++) {
    if (s > 0) {
      const down = `features.${stageIndex(s) - 1}`;
      const c = dim(arch, sd, `${down}.1.weight`, 4, 0);
      vec(`${down}.0`, cin);
      e.set(`${down}.1.weight`, [c, cin, 2, 2]);
      e.set(`${down}.1.bias`, [c]);
      cin = c;
    }
    const hidden: number[] = [];
    for (let b = 0; b < depths[s]!; b++) {
      const p = `features.${stageIndex(s)}.${b}`;
      const m = dim(arch, sd, `${p}.block.3.weight`, 2, 0);
      e.set(`${p}.layer_scale`, [cin, 1, 1]);
      e.set(`${p}.block.0.weight`, [cin, 1, 7, 7]);
      e.set(`${p}.block.0.bias`, [cin]);
      vec(`${p}.block.2`, cin);
      e.set(`${p}.block.3.weight`, [m, cin]);
      e.set(`${p}.block.3.bias`, [m]);
      e.set(`${p}.block.5.weight`, [cin, m]);
      e.set(`${p}.block.5.bias`, [cin]);
      hidden.push(m);
    }
    widths.push(cin);
    mlp.push(hidden);
  }
  vec('classifier.0', cin);
  const k = classesOf(sd, 'classifier.2.weight');
  if (k !== undefined) {
    e.set('classifier.2.weight', [k, cin]);
    e.set('classifier.2.bias', [k]);
  }
  return { widths, mlp, expected: e };
}

interface CNBlock { dw: FoldedConv; ln: LayerNorm; fc1: Linear; fc2: Linear; scale: tf.Tensor1D }

function foldBlock(arch: string, sd: StateDict, p: string): CNBlock {
  return {
    dw: foldConv(sd, `${p}.block.0.weight`, { bias: `${p}.block.0.bias`, depthwise: true, pad: 3 }),
    ln: layerNormOf(arch, sd, `${p}.block.2`, LN_EPS),
    fc1: linearAt(arch, sd, `${p}.block.3`),
    fc2: linearAt(arch, sd, `${p}.block.5`),
    scale: tf.tensor1d(floatsOf(arch, sd, `${p}.layer_scale`).slice()),
  };
}

/** x + layer_scale · fc2(gelu(fc1(ln(dwconv(x))))); stochastic depth is the identity at eval. */
function runBlock(x: tf.Tensor4D, b: CNBlock): tf.Tensor4D {
  const h = applyLinear(gelu(applyLinear(applyLayerNorm(applyConv(x, b.dw), b.ln), b.fc1)), b.fc2);
  return tf.add(x, tf.mul(h, b.scale)) as tf.Tensor4D;
}

function releaseBlock(b: CNBlock): void {
  disposeConv(b.dw);
  disposeLayerNorm(b.ln);
  disposeLinear(b.fc1);
  disposeLinear(b.fc2);
  b.scale.dispose();
}

function buildConvNext(v: (typeof VARIANTS)[number], sd: StateDict, opts: CreateModelOptions = {}): Network {
  const found = convnextDepths(sd);
  if (found.some((d, i) => d !== v.depths[i])) {
    throw new CheckpointError(null, `state_dict does not fit ${v.name}: stages hold ${found.join(', ')} blocks, expected ${v.depths.join(', ')}`);
  }
  const { widths, expected } = readLayout(v.name, v.depths, sd);
  checkKeys(v.name, sd, expected);
  const arch = v.name;
  const stemConv = foldConv(sd, 'features.0.0.weight', { bias: 'features.0.0.bias', stride: 4, pad: 0 });
  const stemNorm = layerNormOf(arch, sd, 'features.0.1', LN_EPS);
  const downs = [1, 2, 3].map((s) => {
    const d = `features.${stageIndex(s) - 1}`;
    return { ln: layerNormOf(arch, sd, `${d}.0`, LN_EPS), conv: foldConv(sd, `${d}.1.weight`, { bias: `${d}.1.bias`, stride: 2, pad: 0 }) };
  });
  const stages = v.depths.map((n, s) => Array.from({ length: n }, (_, b) => foldBlock(arch, sd, `features.${stageIndex(s)}.${b}`)));
  const head = layerNormOf(arch, sd, 'classifier.0', LN_EPS);
  const numClasses = opts.numClasses ?? classesOf(sd, 'classifier.2.weight');
  const classifier = sd.has('classifier.2.weight') ? linearAt(arch, sd, 'classifier.2') : null;
  const net = stagedNetwork({
    arch,
    ...(numClasses !== undefined ? { numClasses } : {}),
    defaultImageSize: CORE_DEFAULTS.imageSize,
    tapChannels: { ...Object.fromEntries(STAGE_TAPS.map((t, i) => [t, widths[i]!])), final: widths[3]! },
    stem: (x) => applyLayerNorm(applyConv(x, stemConv), stemNorm),
    stages: stages.map((blocks, s) => (x: tf.Tensor4D) => {
      const h = s === 0 ? x : applyConv(applyLayerNorm(x, downs[s - 1]!.ln), downs[s - 1]!.conv);
      return blocks.reduce(runBlock, h);
    }),
    final: (stage4) => applyLayerNorm(tf.mean(stage4, [1, 2], true) as tf.Tensor4D, head),
    release() {
      disposeConv(stemConv);
      disposeLayerNorm(stemNorm);
      for (const d of downs) { disposeLayerNorm(d.ln); disposeConv(d.conv); }
      for (const st of stages) st.forEach(releaseBlock);
      disposeLayerNorm(head);
      if (classifier) disposeLinear(classifier);
    },
  });
  return withClassifier(net, classifier);
}

/**
 * The reserved output `logits` (not a tap): classifier.2 on the `final` vector (the classifier's
 * LayerNorm of the pooled stage 4, then Flatten), as torchvision's forward; [N, 1, 1, K].
 */
function withClassifier(net: Network, classifier: Linear | null): Network {
  if (!classifier) return { ...net, hasLogits: false, noLogitsReason: 'the checkpoint has no classifier weights (classifier.2.weight)' };
  return {
    ...net,
    hasLogits: true,
    forward(x, wanted) {
      if (!wanted.includes(LOGITS)) return net.forward(x, wanted);
      const taps = wanted.filter((t) => t !== LOGITS);
      const maps = net.forward(x, taps.includes('final') ? taps : [...taps, 'final']);
      const out: Record<string, tf.Tensor4D> = {};
      for (const t of taps) out[t] = maps[t]!;
      const [N, , , C] = maps.final!.shape;
      const y = applyLinear(tf.reshape(maps.final!, [N, C]) as tf.Tensor2D, classifier);
      out[LOGITS] = tf.reshape(y, [N, 1, 1, classifier.out]);
      return out;
    },
  };
}

export const convnextSpecs: ArchitectureSpec[] = VARIANTS.map((v) => ({
  name: v.name,
  family: 'convnext',
  match: (sd) => {
    if (!sd.has('features.0.1.weight') || !sd.has('features.1.0.layer_scale')) return 0;
    if (convnextDepths(sd).some((d, i) => d !== v.depths[i])) return 0;
    return fitScore(v.name, sd, () => readLayout(v.name, v.depths, sd).expected, 10);
  },
  build: (sd, o) => buildConvNext(v, sd, o),
}));
