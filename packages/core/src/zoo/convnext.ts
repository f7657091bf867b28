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
import type { StateDict } from '../io/types.js';
import type { ArchitectureSpec, CreateModelOptions, Network } from './types.js';
import { checkKeys, classesOf, fitScore, floats, type KeyShapes } from './keys.js';
import { STAGE_TAPS } from './staged.js';
import { convWeights, linearAt, normWeights, type AffineWeights, type ConvWeights, type LinearWeights, type NormWeights } from './graph/weights.js';
import type { Ops } from './graph/ops.js';
import { graphNetwork } from './graph/network.js';
import { stagedGraph } from './graph/staged.js';
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

interface CNBlock { dw: ConvWeights; ln: NormWeights; fc1: LinearWeights; fc2: LinearWeights; scale: AffineWeights }

function foldBlock(arch: string, sd: StateDict, p: string): CNBlock {
  return {
    dw: convWeights(sd, `${p}.block.0.weight`, { bias: `${p}.block.0.bias`, depthwise: true, pad: 3 }),
    ln: normWeights(sd, `${p}.block.2`, LN_EPS),
    fc1: linearAt(arch, sd, `${p}.block.3`),
    fc2: linearAt(arch, sd, `${p}.block.5`),
    scale: { name: `${p}.layer_scale`, scale: floats(sd.get(`${p}.layer_scale`), `${p}.layer_scale`), shift: null },
  };
}

/** x + layer_scale · fc2(gelu(fc1(ln(dwconv(x))))); stochastic depth is the identity at eval. */
function runBlock<V>(ops: Ops<V>, x: V, b: CNBlock): V {
  const h = ops.linear(ops.gelu(ops.linear(ops.layerNorm(ops.conv(x, b.dw), b.ln), b.fc1)), b.fc2);
  return ops.add(x, ops.affine(h, b.scale));
}

function buildConvNext(v: (typeof VARIANTS)[number], sd: StateDict, opts: CreateModelOptions = {}): Network {
  const found = convnextDepths(sd);
  if (found.some((d, i) => d !== v.depths[i])) {
    throw new CheckpointError(null, `state_dict does not fit ${v.name}: stages hold ${found.join(', ')} blocks, expected ${v.depths.join(', ')}`);
  }
  const { widths, expected } = readLayout(v.name, v.depths, sd);
  checkKeys(v.name, sd, expected);
  const arch = v.name;
  const stemConv = convWeights(sd, 'features.0.0.weight', { bias: 'features.0.0.bias', stride: 4, pad: 0 });
  const stemNorm = normWeights(sd, 'features.0.1', LN_EPS);
  const downs = [1, 2, 3].map((s) => {
    const d = `features.${stageIndex(s) - 1}`;
    return { ln: normWeights(sd, `${d}.0`, LN_EPS), conv: convWeights(sd, `${d}.1.weight`, { bias: `${d}.1.bias`, stride: 2, pad: 0 }) };
  });
  const stages = v.depths.map((n, s) => Array.from({ length: n }, (_, b) => foldBlock(arch, sd, `features.${stageIndex(s)}.${b}`)));
  const head = normWeights(sd, 'classifier.0', LN_EPS);
  const numClasses = opts.numClasses ?? classesOf(sd, 'classifier.2.weight');
  const classifier = sd.has('classifier.2.weight') ? linearAt(arch, sd, 'classifier.2') : null;
  return graphNetwork({
    arch,
    taps: [...STAGE_TAPS, 'final'],
    ...(numClasses !== undefined ? { numClasses } : {}),
    defaultImageSize: CORE_DEFAULTS.imageSize,
    tapChannels: { ...Object.fromEntries(STAGE_TAPS.map((t, i) => [t, widths[i]!])), final: widths[3]! },
    ...(classifier ? { hasLogits: true } : { hasLogits: false, noLogitsReason: 'the checkpoint has no classifier weights (classifier.2.weight)' }),
  }, stagedGraph({
    stem: (ops, x) => ops.layerNorm(ops.conv(x, stemConv), stemNorm),
    stages: stages.map((blocks, s) => <V>(ops: Ops<V>, x: V) => {
      const h = s === 0 ? x : ops.conv(ops.layerNorm(x, downs[s - 1]!.ln), downs[s - 1]!.conv);
      return blocks.reduce((acc, b) => ops.scope(() => runBlock(ops, acc, b)), h);
    }),
    // the classifier's LayerNorm of the pooled stage 4 (a vector: the pooled tap it is)
    final: (ops, stage4) => ops.layerNorm(ops.globalAvgPool(stage4), head),
    // classifier.2 on the `final` vector, as torchvision's forward
    ...(classifier ? { logits: <V>(ops: Ops<V>, final: V) => ops.linear(final, classifier) } : {}),
  }));
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
