/**
 * DenseNet-BC (Huang et al. 2017) with torchvision's module layout: stem conv0/norm0/ReLU/
 * max-pool 3x3/2 pad 1, dense blocks of (norm1, ReLU, conv1 1x1, norm2, ReLU, conv2 3x3) layers
 * whose outputs are concatenated, transitions (norm, ReLU, conv 1x1, avg-pool 2x2/2), norm5.
 * `final` = ReLU(norm5(features)) (docs/method.md). The four registered names differ only in block
 * config; growth rate, bottleneck width and every channel count are read from the weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../io/types.js';
import type { ArchitectureSpec, CreateModelOptions, Network } from './types.js';
import { checkKeys, classesOf, expectBn, fitScore, shapeOf, type KeyShapes } from './keys.js';
import { affineOf, applyAffineRelu, disposeAffine, type Affine } from './batchnorm.js';
import { applyConv, disposeConv, foldConv, type FoldedConv } from './conv-layer.js';
import { finalOnlyNetwork } from './network.js';
import { pooledLinearLogits, readLinear } from './logits.js';
import { CheckpointError } from '../io/errors.js';
import { CORE_DEFAULTS } from '../defaults.js';

const CONFIGS: Record<string, readonly number[]> = {
  densenet121: [6, 12, 24, 16],
  densenet161: [6, 12, 36, 24],
  densenet169: [6, 12, 32, 32],
  densenet201: [6, 12, 48, 32],
};

const layerKey = (b: number, l: number): string => `features.denseblock${b}.denselayer${l}`;

/** Block config as found in the weights: layers per dense block. */
export function denseBlockConfig(sd: StateDict): number[] {
  const config: number[] = [];
  for (let b = 1; sd.has(`${layerKey(b, 1)}.conv1.weight`); b++) {
    let l = 1;
    while (sd.has(`${layerKey(b, l + 1)}.conv1.weight`)) l++;
    config.push(l);
  }
  return config;
}

interface Layout { config: number[]; expected: KeyShapes; numClasses?: number }

/** Expected keys and shapes given the config, stem width, growth and bottleneck read from the weights. */
function readLayout(arch: string, sd: StateDict): Layout {
  const want = CONFIGS[arch]!;
  const config = denseBlockConfig(sd);
  if (config.length !== want.length || config.some((n, i) => n !== want[i])) {
    throw new CheckpointError(null, `state_dict does not fit ${arch}: dense block config (${want.join(', ')}) expected, found (${config.join(', ')})`);
  }
  const expected: KeyShapes = new Map();
  const f0 = shapeOf(arch, sd, 'features.conv0.weight', 4)[0]!;
  const growth = shapeOf(arch, sd, `${layerKey(1, 1)}.conv2.weight`, 4)[0]!;
  const bottleneck = shapeOf(arch, sd, `${layerKey(1, 1)}.conv1.weight`, 4)[0]!;
  expected.set('features.conv0.weight', [f0, 3, 7, 7]);
  expectBn(expected, 'features.norm0', f0);
  let c = f0;
  config.forEach((n, bi) => {
    const b = bi + 1;
    for (let l = 1; l <= n; l++) {
      const p = layerKey(b, l);
      const cin = c + (l - 1) * growth;
      expectBn(expected, `${p}.norm1`, cin);
      expected.set(`${p}.conv1.weight`, [bottleneck, cin, 1, 1]);
      expectBn(expected, `${p}.norm2`, bottleneck);
      expected.set(`${p}.conv2.weight`, [growth, bottleneck, 3, 3]);
    }
    c += n * growth;
    if (b < config.length) {
      const t = `features.transition${b}`;
      const cout = shapeOf(arch, sd, `${t}.conv.weight`, 4)[0]!;
      expectBn(expected, `${t}.norm`, c);
      expected.set(`${t}.conv.weight`, [cout, c, 1, 1]);
      c = cout;
    }
  });
  expectBn(expected, 'features.norm5', c);
  const numClasses = classesOf(sd, 'classifier.weight');
  expected.set('classifier.weight', [numClasses ?? CORE_DEFAULTS.numClasses, c]);
  expected.set('classifier.bias', [numClasses ?? CORE_DEFAULTS.numClasses]);
  return { config, expected, ...(numClasses !== undefined ? { numClasses } : {}) };
}

interface DenseLayer { norm1: Affine; conv1: FoldedConv; conv2: FoldedConv }
interface Transition { norm: Affine; conv: FoldedConv }

function buildDenseNet(arch: string, sd: StateDict, opts: CreateModelOptions = {}): Network {
  const { config, expected, numClasses } = readLayout(arch, sd);
  checkKeys(arch, sd, expected);
  const stem = foldConv(sd, 'features.conv0.weight', { stride: 2, pad: 3, bn: 'features.norm0', activation: 'relu' });
  const blocks: DenseLayer[][] = config.map((n, bi) => Array.from({ length: n }, (_, li) => {
    const p = layerKey(bi + 1, li + 1);
    return {
      // norm1 sits between the concatenation and a ReLU, so it cannot be folded into a conv
      norm1: affineOf(sd, `${p}.norm1`),
      conv1: foldConv(sd, `${p}.conv1.weight`, { bn: `${p}.norm2`, activation: 'relu' }),
      conv2: foldConv(sd, `${p}.conv2.weight`, { pad: 1 }),
    };
  }));
  const transitions: Transition[] = config.slice(1).map((_, bi) => ({
    norm: affineOf(sd, `features.transition${bi + 1}.norm`),
    conv: foldConv(sd, `features.transition${bi + 1}.conv.weight`),
  }));
  const norm5 = affineOf(sd, 'features.norm5');

  const run = (x: tf.Tensor4D): tf.Tensor4D => {
    let h = tf.maxPool(applyConv(x, stem), 3, 2, 1);
    blocks.forEach((layers, bi) => {
      const input = h;
      // A block's intermediate concatenations are freed as it goes: only the latest is live.
      h = tf.tidy(() => {
        let cat = input;
        for (const layer of layers) {
          const grown = tf.tidy(() => applyConv(applyConv(applyAffineRelu(cat, layer.norm1), layer.conv1), layer.conv2));
          const next = tf.concat([cat, grown], 3);
          if (cat !== input) cat.dispose();
          grown.dispose();
          cat = next;
        }
        return cat;
      });
      const t = transitions[bi];
      if (t) {
        // A 1x1 conv without bias and a 2x2 average commute (both linear, one per pixel and one
        // per channel): pooling first does the conv on a quarter of the pixels.
        h = applyConv(tf.avgPool(applyAffineRelu(h, t.norm), 2, 2, 'valid'), t.conv);
      }
    });
    return applyAffineRelu(h, norm5);
  };
  const release = (): void => {
    disposeConv(stem);
    for (const layers of blocks) for (const l of layers) { disposeAffine(l.norm1); disposeConv(l.conv1); disposeConv(l.conv2); }
    for (const t of transitions) { disposeAffine(t.norm); disposeConv(t.conv); }
    disposeAffine(norm5);
  };
  // logits: relu(norm5) → adaptive_avg_pool2d(1) → classifier, as torchvision's forward
  const net = finalOnlyNetwork(arch, { numClasses: opts.numClasses ?? numClasses, defaultImageSize: CORE_DEFAULTS.imageSize }, run, release);
  return pooledLinearLogits(net, readLinear(sd, 'classifier', norm5.scale.shape[0]));
}

function matchDenseNet(arch: string, sd: StateDict): number {
  if (!sd.has('features.conv0.weight') || !sd.has('features.norm5.weight')) return 0;
  return fitScore(arch, sd, () => readLayout(arch, sd).expected, 10);
}

export const densenetSpecs: ArchitectureSpec[] = Object.keys(CONFIGS).map((name) => ({
  name,
  family: 'densenet',
  match: (sd: StateDict) => matchDenseNet(name, sd),
  build: (sd: StateDict, opts?: CreateModelOptions) => buildDenseNet(name, sd, opts),
}));
