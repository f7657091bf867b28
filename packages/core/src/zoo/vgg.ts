/**
 * VGG16 and VGG16-BN (Simonyan & Zisserman 2015) with torchvision's module layout:
 * `features` = [conv3x3 (+ BN) + ReLU | max-pool 2x2/2]* following config D, then a classifier.
 * `final` = the last ReLU before the last max-pool (docs/method.md).
 */
import type { StateDict } from '../io/types.js';
import type { ArchitectureSpec, CreateModelOptions, Network } from './types.js';
import { checkKeys, expectBn, fitScore, shapeOf, type KeyShapes } from './keys.js';
import { convWeights, type ConvWeights } from './graph/weights.js';
import { graphNetwork } from './graph/network.js';
import { finalGraph } from './graph/final.js';
import { vggHead } from './vgg-head.js';
import { CORE_DEFAULTS } from '../defaults.js';

/** torchvision `cfgs['D']`: output channels of each 3x3 conv, 'M' for a max-pool. */
const VGG16_CFG: readonly (number | 'M')[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];

interface VggLayer { index: number; channels: number; poolAfter: boolean }

/**
 * Walk config D the way torchvision's `make_layers` numbers `features`: a conv takes one index,
 * its BN one more, its ReLU one more, a pool one. Channel counts come from the weights, so a
 * narrowed VGG16 loads; the layer pattern itself is fixed.
 */
function readLayout(arch: string, sd: StateDict, batchNorm: boolean): { layers: VggLayer[]; expected: KeyShapes } {
  const expected: KeyShapes = new Map();
  const layers: VggLayer[] = [];
  let index = 0;
  let cin = 3;
  for (let i = 0; i < VGG16_CFG.length; i++) {
    if (VGG16_CFG[i] === 'M') {
      index += 1;
      continue;
    }
    const key = `features.${index}.weight`;
    const cout = shapeOf(arch, sd, key, 4)[0]!;
    expected.set(key, [cout, cin, 3, 3]);
    expected.set(`features.${index}.bias`, [cout]);
    if (batchNorm) expectBn(expected, `features.${index + 1}`, cout);
    layers.push({ index, channels: cout, poolAfter: VGG16_CFG[i + 1] === 'M' });
    index += batchNorm ? 3 : 2;
    cin = cout;
  }
  return { layers, expected };
}

/**
 * The classifier is left free (torchvision's 3 Linear layers, or the single Linear of the CIFAR
 * VGGs common in double-descent work); its last weight gives the number of classes.
 */
function classifierOf(sd: StateDict): { numClasses?: number; inFeatures?: number } {
  const linears = [...sd.keys()]
    .map((k) => /^classifier\.(?:(\d+)\.)?weight$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null && sd.get(m[0])!.shape.length === 2)
    .sort((a, b) => Number(a[1] ?? 0) - Number(b[1] ?? 0));
  if (!linears.length) return {};
  const first = sd.get(linears[0]![0])!.shape;
  const last = sd.get(linears[linears.length - 1]![0])!.shape;
  return { numClasses: last[0], inFeatures: first[1] };
}

const isClassifier = (k: string): boolean => k.startsWith('classifier.');

function buildVgg(arch: string, batchNorm: boolean, sd: StateDict, opts: CreateModelOptions = {}): Network {
  const { layers, expected } = readLayout(arch, sd, batchNorm);
  checkKeys(arch, sd, expected, isClassifier);
  const cls = classifierOf(sd);
  const convs: ConvWeights[] = layers.map((l) => convWeights(sd, `features.${l.index}.weight`, {
    bias: `features.${l.index}.bias`,
    ...(batchNorm ? { bn: `features.${l.index + 1}` } : {}),
    pad: 1,
    activation: 'relu',
  }));
  const lastC = layers[layers.length - 1]!.channels;
  // torchvision pools to 7x7 before a 25088-wide Linear; a CIFAR VGG feeds the C-wide vector.
  const defaultImageSize = cls.inFeatures === lastC ? CORE_DEFAULTS.cifarImageSize : CORE_DEFAULTS.imageSize;
  const head = vggHead(sd, lastC);
  const numClasses = typeof head === 'string' ? opts.numClasses ?? cls.numClasses : head.numClasses;
  return graphNetwork({
    arch,
    taps: ['final'],
    ...(numClasses !== undefined ? { numClasses } : {}),
    defaultImageSize,
    ...(typeof head === 'string' ? { hasLogits: false, noLogitsReason: head } : { hasLogits: true }),
  }, finalGraph({
    final: (ops, x) => convs.reduce((h, c, i) => {
      const y = ops.conv(h, c);
      // the final tap is taken before the last pool, so that pool is never run
      return layers[i]!.poolAfter && i < convs.length - 1 ? ops.maxPool(y, { k: 2, stride: 2, pad: 0 }) : y;
    }, x),
    ...(typeof head === 'string' ? {} : { logits: head.run }),
  }));
}

function matchVgg(arch: string, batchNorm: boolean, sd: StateDict): number {
  if (!sd.has('features.0.weight')) return 0;
  return fitScore(arch, sd, () => readLayout(arch, sd, batchNorm).expected, 10, isClassifier);
}

export const vggSpecs: ArchitectureSpec[] = [
  { name: 'vgg16', family: 'vgg', match: (sd) => matchVgg('vgg16', false, sd), build: (sd, o) => buildVgg('vgg16', false, sd, o) },
  { name: 'vgg16_bn', family: 'vgg', match: (sd) => matchVgg('vgg16_bn', true, sd), build: (sd, o) => buildVgg('vgg16_bn', true, sd, o) },
];
